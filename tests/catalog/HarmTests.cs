using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.Campaigns;
using TceVerify.TestKit;
using TceVerify.Variants;
using Xunit;

namespace TceVerify.Tests.Catalog;

/// <summary>
/// Harm shown, not only rules broken (issue 10): every entry that only the lock-discipline checker or the race detector
/// catches records its harm (src/TceVariants/Harms.cs), and each recorded harm is proved here: the entry fails its harm
/// scenario with the lock checker and the race detector off, by the recorded check and clause, with the self-test's
/// fixed seed and budgets; the pristine implementation passes the same scenarios under every check.
/// </summary>
public sealed class HarmTests
{
    static readonly SelfTestOptions Budget = SelfTestOptions.Default;

    /// <summary>The self-test's explorations (the portfolio, then bounded DFS) with the lock checker and the race
    /// detector off: only the final invariants, linearizability and the engine's deadlock and livelock checks remain.</summary>
    static IEnumerable<Configuration> SemanticExplorations() =>
        ConcurrencySuite.Explorations(null, Budget.Schedules, Budget.DfsSchedules, Budget)
            .Select(e => e.Configuration.WithDataRaceDetection(false));

    static RunnerOptions SemanticOnly => RunnerOptions.SemanticOnly with { DescribeStates = false };

    public static TheoryData<string, string> ShownHarms()
    {
        var data = new TheoryData<string, string>();
        foreach (var v in VariantCatalog.Catalog)
            if (v.Harm is { Shown: true } h)
                foreach (var s in h.Scenarios) data.Add(v.Name, s);
        return data;
    }

    [Fact]
    [Spec("LOCK-3", "LOCK-4", "LOCK-5")]
    public void Every_entry_only_a_lock_checker_catches_records_its_harm()
    {
        var lockOnly = VariantCatalog.Catalog.Where(v => v.ConcurrencyOnly && Harms.OnlyALockChecker(v.Expected.Check)).ToList();
        Assert.NotEmpty(lockOnly);
        Assert.All(lockOnly, v => Assert.True(v.Harm is not null, $"{v.Name} is caught only by {v.Expected.Check}: record where its harm shows, or why it has none (src/TceVariants/Harms.cs)"));
        Assert.All(Harms.Entries, name => Assert.Contains(VariantCatalog.Get(name), lockOnly));
        Assert.All(lockOnly.Select(v => v.Harm!), h =>
        {
            if (h.Shown)
            {
                Assert.Contains(h.Check, new[] { Checks.Invariants, Checks.Linearizability, Checks.Deadlock });
                Assert.NotNull(h.Clause);
                Assert.NotEmpty(h.Scenarios);
                Assert.All(h.Scenarios, s => Assert.True(Scenarios.TryGet(s, out _), $"unknown scenario {s}"));
            }
            else
            {
                Assert.True(h.NoneBecause!.Length > 80, "say precisely why no schedule can show a harm");
                Assert.Empty(h.Scenarios);
            }
        });
    }

    [Theory]
    [MemberData(nameof(ShownHarms))]
    [Spec("INV-4", "INV-8", "INV-11")]
    public void Harm_shows_with_the_lock_checker_and_the_race_detector_off(string entry, string scenario)
    {
        var v = VariantCatalog.Get(entry);
        var harm = v.Harm!;
        var runner = new ScenarioRunner(Scenarios.Get(scenario), v.CreateParts, SemanticOnly, v.Name);
        Assert.False(runner.Options.LockDiscipline);
        var bug = SemanticExplorations().Select(c =>
        {
            Assert.False(c.DataRaceDetection);
            return runner.Explore(c).FirstBug;
        }).FirstOrDefault(b => b is not null);

        Assert.True(bug is not null, $"{entry} shows no harm on {scenario} within {Budget.Schedules} portfolio and {Budget.DfsSchedules} DFS schedules");
        var (check, clauses, _) = ConcurrencyChecks.Classify(bug!);
        Assert.True(check == harm.Check && clauses.Contains(harm.Clause!),
            $"{entry} on {scenario}: expected {harm.Check} ({harm.Clause}), got {check} ({string.Join(" ", clauses)}): {bug!.Message}");
    }

    /// <summary>Where no harm is recorded, none shows on the entry's recorded scenarios with the same budget: if one does
    /// (e.g. once a read-modify-write of locked_vm is two scheduling points), the record must name it.</summary>
    [Theory]
    [MemberData(nameof(NoHarms))]
    [Spec("LOCK-3", "LOCK-4", "LOCK-5")]
    public void No_harm_shows_where_none_is_recorded(string entry)
    {
        var v = VariantCatalog.Get(entry);
        foreach (var scenario in v.Expected.Scenarios)
        {
            var runner = new ScenarioRunner(Scenarios.Get(scenario), v.CreateParts, SemanticOnly, v.Name);
            foreach (var configuration in SemanticExplorations())
            {
                var report = runner.Explore(configuration);
                Assert.True(report.FirstBug is null,
                    $"{entry} shows a harm on {scenario} with the semantic checks alone, but Harms.cs says: {v.Harm!.NoneBecause}\n{report.FirstBug}");
            }
        }
    }

    public static TheoryData<string> NoHarms()
    {
        var data = new TheoryData<string>();
        foreach (var v in VariantCatalog.Catalog)
            if (v.Harm is { Shown: false }) data.Add(v.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(HarmScenarios))]
    [Spec("LOCK-2", "LOCK-3", "LOCK-4", "LOCK-5", "INV-8", "INV-11")]
    public void Pristine_passes_every_harm_scenario_under_every_check(string scenario)
    {
        var runner = new ScenarioRunner(Scenarios.Get(scenario), (Func<TceVerify.Impl.KernelParts?>?)null, ConcurrencySuite.Everything, "pristine");
        foreach (var (strategy, configuration) in ConcurrencySuite.Explorations(null, Budget.PristineSchedules, Budget.DfsSchedules, Budget))
        {
            var report = runner.Explore(configuration);
            Assert.True(report.FirstBug is null, $"pristine fails {scenario} under {strategy}: {report.FirstBug}");
        }
        Assert.True(runner.FinalChecks > 0);
    }

    public static TheoryData<string> HarmScenarios()
    {
        var data = new TheoryData<string>();
        foreach (var s in VariantCatalog.Catalog.SelectMany(v => v.Harm?.Scenarios ?? []).Distinct(StringComparer.Ordinal)) data.Add(s);
        return data;
    }
}
