using TceVerify.Scheduling;
using Xunit;

namespace TceVerify.Tests.Scheduler;

public class DeadlockTests
{
    [Theory]
    [InlineData("random")]
    [InlineData("pct")]
    [InlineData("dfs")]
    public void Ab_ba_lock_order_inversion_is_reported_as_a_deadlock(string strategy)
    {
        Configuration config = Configuration.Create().WithTestingIterations(500).WithRandomGeneratorSeed(3);
        config = strategy switch { "random" => config.WithRandomStrategy(), "pct" => config.WithPctStrategy(2), _ => config.WithDfsStrategy(2) };

        TestReport report = new TestingEngine(config, Scenarios.AbBa).Run();

        Assert.Equal(BugKind.Deadlock, report.FirstBugKind);
        Assert.Contains("T0 'ab' waits at 'lock B' (held by T1 'ba')", report.FirstBugMessage);
        Assert.Contains("T1 'ba' waits at 'lock A' (held by T0 'ab')", report.FirstBugMessage);

        TestReport replay = new TestingEngine(Configuration.Create().WithReproducibleTrace(report.ReproducibleTrace!), Scenarios.AbBa).Run();
        Assert.Equal(report.FirstBugMessage, replay.FirstBugMessage);
    }

    [Fact]
    public void Missing_release_is_reported_as_a_deadlock_naming_the_holder()
    {
        TestReport report = new TestingEngine(
            Configuration.Create().WithTestingIterations(100).WithDfsStrategy(1), Scenarios.MissingRelease).Run();

        Assert.Equal(BugKind.Deadlock, report.FirstBugKind);
        Assert.Contains("T1 'waiter' waits at 'lock m' (held by T0 'leaker')", report.FirstBugMessage);
    }

    [Fact]
    public void Relocking_a_held_mutex_is_a_self_deadlock()
    {
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(10), ctx =>
        {
            var m = new ControlledMutex("m");
            ctx.Spawn("twice", () => { m.Lock(); m.Lock(); });
        }).Run();

        Assert.Equal(BugKind.Deadlock, report.FirstBugKind);
        Assert.Contains("already holds", report.FirstBugMessage);
    }

    [Fact]
    public void Waiting_on_a_condition_nobody_makes_true_is_a_deadlock()
    {
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(10), ctx =>
        {
            ctx.Spawn("waiter", () => ControlledRuntime.WaitUntil(() => false, "wait for godot"));
        }).Run();

        Assert.Equal(BugKind.Deadlock, report.FirstBugKind);
        Assert.Contains("T0 'waiter' waits at 'wait for godot'", report.FirstBugMessage);
    }
}
