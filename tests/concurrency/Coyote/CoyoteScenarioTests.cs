using TceVerify.Concurrency;
using TceVerify.Coyote;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Concurrency.Coyote;

/// <summary>
/// The pristine implementation passes every registered scenario under Microsoft Coyote too (src/TceCoyote: the same
/// staging, final invariants and linearizability as our engine; deadlock is Coyote's own check). A build that forgot
/// to rewrite the Coyote engine fails here with a message that says so, instead of reporting false deadlocks.
/// Budgets are small (Coyote explores 100-300 schedules/s here) and scale with CONCURRENCY_SCALE.
/// </summary>
public class CoyoteScenarioTests
{
    const uint Seed = (uint)(Scale.Seed % uint.MaxValue);

    public static TheoryData<string> Strategies()
    {
        var data = new TheoryData<string>();
        foreach (var s in CoyoteStrategies.All) data.Add(s.Name());
        return data;
    }

    public static TheoryData<string> HandWritten()
    {
        var data = new TheoryData<string>();
        foreach (var s in Scenarios.HandWritten) data.Add(s.Name);
        return data;
    }

    [Fact]
    public void The_build_rewrote_the_Coyote_engine()
    {
        Assert.True(CoyoteBuild.EngineIsRewritten, new CoyoteNotRewrittenException().Message);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    [Spec("LOCK-3", "LOCK-6", "LOCK-7", "INV-8", "INV-11")]
    public void Attach_enable_release_passes_under_every_Coyote_strategy(string strategy)
    {
        int iterations = Scale.Iterations(25);
        var report = CoyoteEngine.Explore(new CoyoteRun(Scenarios.AttachEnableRelease(), CoyoteStrategies.Parse(strategy), Seed, iterations));
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(iterations, report.Schedules);
        // Three threads, each a call of tens of lock and cell operations: every schedule is many scheduling steps.
        Assert.True(report.Steps > 20L * iterations, report.Summary);
    }

    [Theory]
    [MemberData(nameof(HandWritten))]
    [Spec("LOCK-7", "INV-8", "INV-11")]
    public void Hand_written_scenario_passes_under_Coyote(string name)
    {
        var report = CoyoteEngine.Explore(new CoyoteRun(Scenarios.Get(name), CoyoteStrategy.Portfolio, Seed, Scale.Iterations(10)));
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    [Spec("LOCK-7", "INV-8", "INV-11")]
    public void Every_pair_matrix_scenario_passes_under_Coyote()
    {
        var failed = new List<string>();
        int explored = 0;
        foreach (var scenario in PairMatrix.All)
        {
            var report = CoyoteEngine.Explore(new CoyoteRun(scenario, CoyoteStrategy.Random, Seed, Scale.Iterations(1)));
            explored += report.Schedules;
            if (!report.Passed) failed.Add(report.ToString());
        }
        Assert.True(failed.Count == 0, string.Join("\n\n", failed));
        Assert.True(explored >= PairMatrix.All.Count);
    }
}
