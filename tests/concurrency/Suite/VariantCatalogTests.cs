using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.TestKit;
using TceVerify.Variants;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// Every concurrency-only variant of the catalog (src/TceVariants: the findings' literal behaviours and the dropped
/// or misplaced locks) is caught on the scenarios its entry names: with every check on, and by the check its entry
/// records run alone, reporting the clause it records. Variants added to the catalog are picked up automatically.
/// </summary>
public class VariantCatalogTests
{
    public static TheoryData<string> ConcurrencyOnly()
    {
        var data = new TheoryData<string>();
        foreach (var v in VariantCatalog.Catalog.Where(v => v.ConcurrencyOnly)) data.Add(v.Name);
        return data;
    }

    static ConcurrentScenario Scenario(string name) =>
        Scenarios.TryGet(name, out var s) ? s : throw new Xunit.Sdk.XunitException($"the catalog names scenario '{name}', which the concurrency suite does not define");

    /// <summary>PCT first (the strongest on these), then an exhaustive bound-2 search.</summary>
    static BugReport? Hunt(ScenarioRunner runner, string? check)
    {
        var pct = runner.Explore(ConcurrencyChecks.Configure(Scale.Portfolio(400).WithReadableTraceOnBug(false), check));
        if (pct.FirstBug is { } bug) return bug;
        return runner.Explore(ConcurrencyChecks.Configure(Scale.Dfs(2, cap: 5_000).WithReadableTraceOnBug(false), check)).FirstBug;
    }

    [Fact]
    [Spec("FIND-9", "FIND-11", "FIND-12")]
    public void The_catalog_has_concurrency_only_variants_and_the_findings_are_among_them()
    {
        var names = VariantCatalog.Catalog.Where(v => v.ConcurrencyOnly).Select(v => v.Name).ToList();
        Assert.Contains("literal-ownership-without-pool-locks", names);
        Assert.Contains("literal-set-container-unlocked", names);
        Assert.Contains("literal-get-device-fd-check-then-inc", names);
    }

    [Theory]
    [MemberData(nameof(ConcurrencyOnly))]
    [Spec("LOCK-2", "LOCK-3", "LOCK-4", "LOCK-5", "INV-8", "INV-11")]
    public void Concurrency_only_variant_is_caught_with_every_check_on(string name)
    {
        var v = VariantCatalog.Get(name);
        Assert.NotEmpty(v.Expected.Scenarios);
        var caught = new List<string>();
        foreach (var scenario in v.Expected.Scenarios)
        {
            var runner = new ScenarioRunner(Scenario(scenario), v.CreateParts, RunnerOptions.Default with { DescribeStates = false }, v.Name);
            if (Hunt(runner, null) is { } bug) caught.Add($"{scenario}: {bug.Kind}");
        }
        Assert.True(caught.Count > 0, $"{name} was not caught on {string.Join(", ", v.Expected.Scenarios)}");
    }

    [Theory]
    [MemberData(nameof(ConcurrencyOnly))]
    [Spec("LOCK-2", "LOCK-3", "LOCK-4", "LOCK-5", "INV-8", "INV-11")]
    public void Concurrency_only_variant_is_caught_by_its_recorded_check_alone(string name)
    {
        var v = VariantCatalog.Get(name);
        string check = v.Expected.Check;
        var seen = new List<string>();
        foreach (var scenario in v.Expected.Scenarios)
        {
            var runner = new ScenarioRunner(Scenario(scenario), v.CreateParts, ConcurrencyChecks.OptionsFor(check), v.Name);
            if (Hunt(runner, check) is not { } bug)
            {
                seen.Add($"{scenario}: nothing");
                continue;
            }
            var (caughtBy, clauses, _) = ConcurrencyChecks.Classify(bug);
            seen.Add($"{scenario}: {caughtBy} ({string.Join(", ", clauses)}): {bug.Message.Split('\n')[0]}");
            if (caughtBy == check && (v.Expected.Clause is null || clauses.Contains(v.Expected.Clause))) return;
        }
        Assert.Fail($"{name}: expected {v.Expected}; got\n  " + string.Join("\n  ", seen));
    }

    [Fact]
    [Spec("LOCK-7", "INV-11")]
    public void The_pristine_implementation_passes_every_scenario_the_catalog_names()
    {
        var names = VariantCatalog.Catalog.Where(v => v.ConcurrencyOnly).SelectMany(v => v.Expected.Scenarios).Distinct().ToList();
        foreach (var name in names)
        {
            var outcome = new ScenarioRunner(Scenario(name)).Run(Scale.Portfolio(150));
            Assert.True(outcome.Passed, outcome.ToString());
        }
    }
}
