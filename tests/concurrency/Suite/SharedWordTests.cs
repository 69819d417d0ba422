using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.TestKit;
using TceVerify.Variants;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// Issue 11: words of a table's bitmaps that several pools share (LOCK-9). Each word is a shared cell and a
/// read-modify-write of it is two scheduling points, so a lost update is a schedule the engine explores and the
/// semantic checks judge. The race of TceImpl before the fix (its flat occupancy map, kept as the catalog entry
/// occupancy-words-shared-by-pools) is found by the final invariants alone, with the lock discipline and the race
/// detector off; with the words as one atomic step, as the harness had them, no schedule shows it.
/// </summary>
public class SharedWordTests
{
    static readonly RunnerOptions Semantic = RunnerOptions.SemanticOnly with { DescribeStates = false };

    static Configuration Exhaustive(int bound) => Scale.Dfs(bound, cap: 50_000).WithDataRaceDetection(false);

    [Fact]
    [Spec("FIND-23", "LOCK-9", "HOST-6", "TBL-9", "INV-1", "INV-3")]
    public void The_race_of_issue_11_is_found_semantically_on_the_code_before_the_fix()
    {
        var before = VariantCatalog.Get("occupancy-words-shared-by-pools");
        var runner = new ScenarioRunner(Scenarios.StaleWritesVsAttach(), before.CreateParts, Semantic, before.Name);
        var outcome = runner.Run(Exhaustive(1));
        Assert.False(outcome.Passed, "the lost occupancy bit was not found");
        Assert.Equal(BugKind.FinalCheckFailure, outcome.Kind);
        Assert.Contains("invariants broken", outcome.Report.FirstBug!.Message);
        // The take-over left the second stale write's TCE (frame 3, READ) live in the container's table: a pin nobody
        // took (INV-3) in a table whose container has no charge (INV-4).
        Assert.Contains("INV-3: frame 3", outcome.Report.FirstBug.Message);
        Assert.Contains("INV-4", outcome.Report.FirstBug.Message);
        Assert.True(outcome.Reproduced);
    }

    [Fact]
    [Spec("LOCK-9", "HOST-6")]
    public void Without_word_cells_the_same_exhaustive_search_misses_it()
    {
        var before = VariantCatalog.Get("occupancy-words-shared-by-pools");
        var runner = new ScenarioRunner(Scenarios.StaleWritesVsAttach(), before.CreateParts, Semantic with { SharedWords = false }, before.Name);
        var outcome = runner.Run(Exhaustive(2));
        Assert.True(outcome.Passed, outcome.ToString());
        Assert.True(outcome.Report.IsExhausted, outcome.Report.Summary);
    }

    [Fact]
    [Spec("LOCK-9", "HOST-6", "TBL-9", "INV-1", "INV-3", "INV-11")]
    public void The_fixed_implementation_passes_every_schedule_with_every_check()
    {
        foreach (var scenario in new[] { Scenarios.StaleWritesVsAttach(), Scenarios.HostFreesOneWord() })
        {
            var outcome = new ScenarioRunner(scenario).Run(Scale.Dfs(2, cap: 50_000));
            Assert.True(outcome.Passed, outcome.ToString());
            Assert.True(outcome.Report.IsExhausted, outcome.Report.Summary);
        }
    }

    [Fact]
    [Spec("LOCK-4", "LOCK-9", "HOST-5", "INV-11")]
    public void A_lost_it_map_clear_is_found_by_linearizability()
    {
        var v = VariantCatalog.Get("host-free-own-pools-only");
        var runner = new ScenarioRunner(Scenarios.HostFreesOneWord(), v.CreateParts, Semantic, v.Name);
        var outcome = runner.Run(Exhaustive(1));
        Assert.False(outcome.Passed);
        Assert.Equal("INV-11", outcome.Clause);
        Assert.True(new ScenarioRunner(Scenarios.HostFreesOneWord(), v.CreateParts, Semantic with { SharedWords = false }, v.Name).Run(Exhaustive(2)).Passed);
    }

    [Fact]
    [Spec("FIND-24", "LOCK-10", "HOST-7", "LOCK-7", "INV-11")]
    public void An_inject_never_lands_between_two_writes_of_one_map()
    {
        // Fixed: every schedule of inject(2) against a 2-page MAP is linearizable, with every check on.
        Scale.AssertExhaustedClean(new ScenarioRunner(Scenarios.InjectVsMap()));
        // Without the inject lock, the rest given back with a plain store loses an inject made during the MAP.
        var v = VariantCatalog.Get("map-stores-countdown-over-inject");
        var outcome = new ScenarioRunner(Scenarios.InjectVsMap(), v.CreateParts, Semantic, v.Name).Run(Exhaustive(1));
        Assert.False(outcome.Passed);
        Assert.Equal("INV-11", outcome.Clause);
    }

    [Fact]
    [Spec("FIND-25", "LOCK-10", "HOST-7", "PROC-7", "LOCK-7", "INV-11")]
    public void An_inject_is_never_ordered_after_a_map_that_saw_a_later_munmap()
    {
        // Fixed: with the inject lock, every schedule of inject, munmap and a 2-page MAP is linearizable, every check on.
        Scale.AssertExhaustedClean(new ScenarioRunner(Scenarios.InjectVsMunmapAndMap()), cap: 100_000);
        // The first fix (claim at the start, compare-and-swap back, no lock) orders the inject after the MAP although
        // the MAP failed on the page the munmap took after the inject returned.
        var v = VariantCatalog.Get("map-claims-countdown-without-lock");
        var outcome = new ScenarioRunner(Scenarios.InjectVsMunmapAndMap(), v.CreateParts, Semantic, v.Name).Run(Exhaustive(2));
        Assert.False(outcome.Passed);
        Assert.Equal("INV-11", outcome.Clause);
        Assert.Contains("-EFAULT", outcome.ToString());
    }
}
