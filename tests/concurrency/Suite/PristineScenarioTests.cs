using TceVerify.Concurrency;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// The hand-written scenarios (2 to 4 threads, 1 or 2 processes) pass on the pristine implementation under every
/// strategy: an exhaustive preemption-bounded search, random walk and PCT. Each schedule is checked for the lock
/// discipline (LOCK-2..5) at every step, deadlock, livelock and data races (INV-8), the state invariants at the end
/// and linearizability against the model (LOCK-7, INV-11).
/// </summary>
public class PristineScenarioTests
{
    public static TheoryData<string> HandWritten()
    {
        var data = new TheoryData<string>();
        foreach (var s in Scenarios.HandWritten) data.Add(s.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(HandWritten))]
    [Spec("LOCK-1", "LOCK-2", "LOCK-3", "LOCK-4", "LOCK-5", "LOCK-6", "LOCK-7", "INV-8", "INV-11")]
    public void Hand_written_scenario_passes_on_pristine(string name)
    {
        var runner = new ScenarioRunner(Scenarios.Get(name));
        var outcome = Scale.ExploreThoroughly(runner, randomIterations: 150, dfsCap: 3_000);
        Assert.True(outcome.Passed, outcome.ToString());
        Assert.True(runner.FinalChecks > 0);
    }

    [Fact]
    [Spec("LOCK-3", "LOCK-6", "LOCK-7", "INV-8", "INV-11")]
    public void Attach_enable_release_is_exhausted_under_preemption_bound_one()
    {
        // The standard 3-thread scenario: every schedule with at most one preemption (465 of them), all checks on.
        var runner = new ScenarioRunner(Scenarios.AttachEnableRelease());
        var outcome = runner.Run(Scale.Dfs(1, cap: 100_000));
        Assert.True(outcome.Passed, outcome.ToString());
        Assert.True(outcome.Report.IsExhausted, outcome.Report.Summary);
        Assert.InRange(outcome.Report.Iterations, 100, 100_000);
        Assert.Contains("the space is exhausted", outcome.Report.Summary);
    }

    [Fact]
    [Spec("LOCK-7", "INV-11")]
    public void Attach_enable_release_has_many_distinct_linearizable_histories()
    {
        // The scenario is not trivially sequential: ENABLE before SET_IOMMU fails, the release can come first, etc.
        var runner = new ScenarioRunner(Scenarios.AttachEnableRelease());
        var results = new HashSet<string>();
        var engine = new TceVerify.Scheduling.TestingEngine(Scale.Random(200), ctx =>
        {
            runner.Iteration(ctx);
            ctx.AddFinalCheck(() =>
            {
                results.Add(string.Join(",", runner.LastHistory.OrderBy(h => h.Thread).Select(h => h.Result)));
                return null;
            });
        });
        var report = engine.Run();
        Assert.Null(report.FirstBug);
        Assert.True(results.Count >= 3, "result combinations seen: " + string.Join(" | ", results));
        // Fewer final checks than schedules were computed from scratch: equal histories share their verdict.
        Assert.True(runner.CachedVerdicts > 0, $"{runner.CachedVerdicts} cached of {runner.FinalChecks}");
    }
}
