using TceVerify.Concurrency;
using TceVerify.Coyote;
using TceVerify.TestKit;
using TceVerify.Variants;
using Xunit;

namespace TceVerify.Tests.Concurrency.Coyote;

/// <summary>
/// Concurrency catalog entries whose recorded check Coyote also runs (final invariants, linearizability, deadlock) fail
/// under Coyote with that check and the clause the entry records, and the failure replays. The lock discipline and
/// the race detector are our engine's alone; `dotnet run -c Release --project bench/TceBench -- engines` compares
/// both engines on every entry.
/// </summary>
public class CoyoteCatalogTests
{
    const uint Seed = 1;

    /// <summary>One entry per check, the findings FIND-9 and FIND-11, and the device's FIND-26 and FIND-31 (each found
    /// within a few hundred schedules).</summary>
    public static TheoryData<string> Chosen() =>
    [
        "ownership-pools-descending",
        "literal-ownership-without-pool-locks",
        "literal-set-container-unlocked",
        "enable-check-then-act",
        "map-check-then-act",
        "passthrough-uses-data-outside-lock",
        "literal-unmap-puts-before-flush",
        "literal-map-pins-page-by-page",
    ];

    [Theory]
    [MemberData(nameof(Chosen))]
    [Spec("INV-1", "INV-4", "INV-7", "INV-8", "INV-11", "INV-12", "FIND-26", "FIND-31")]
    public void Catalog_entry_fails_under_Coyote_by_its_recorded_check_and_replays(string name)
    {
        var v = VariantCatalog.Get(name);
        Assert.Contains(v.Expected.Check, CoyoteEngine.AvailableChecks);
        var seen = new List<string>();
        foreach (var scenario in v.Expected.Scenarios)
        {
            var report = CoyoteEngine.Explore(new CoyoteRun(Scenarios.Get(scenario), CoyoteStrategy.Portfolio, Seed, 3_000) { Parts = v.CreateParts, VariantName = v.Name, Check = v.Expected.Check });
            if (report.Failure is not { } failure)
            {
                seen.Add(report.Summary);
                continue;
            }
            Assert.True(failure.Check == v.Expected.Check, $"expected {v.Expected}; got\n{failure}");
            if (v.Expected.Clause is { } clause) Assert.Contains(clause, failure.Clauses);
            Assert.True(failure.Reproduced, failure.ToString());
            Assert.NotEmpty(failure.History.Count > 0 || failure.Kind == Scheduling.BugKind.Deadlock ? [1] : Array.Empty<int>());
            var replay = CoyoteEngine.Replay(Scenarios.Get(scenario), v.CreateParts, v.Name, failure.Trace, check: v.Expected.Check);
            Assert.Equal(1, replay.Schedules);
            Assert.Equal(failure.Message, replay.Failure?.Message);
            return;
        }
        Assert.Fail($"{name} was not caught under Coyote:\n  " + string.Join("\n  ", seen));
    }
}
