using TceVerify.Scheduling;
using Xunit;

namespace TceVerify.Tests.Scheduler;

public class LivelockTests
{
    [Fact]
    public void Endless_spin_exceeds_the_step_bound_and_is_reported_as_livelock()
    {
        TestReport report = new TestingEngine(
            Configuration.Create().WithTestingIterations(10).WithMaxSchedulingSteps(200), Scenarios.EndlessSpin).Run();

        Assert.Equal(BugKind.Livelock, report.FirstBugKind);
        Assert.Contains("exceeded 200 scheduling steps", report.FirstBugMessage);
        Assert.Contains("T0 'spinner' at 'atomic_read flag'", report.FirstBugMessage);
    }

    [Fact]
    public void Step_bound_can_just_cut_the_iteration()
    {
        TestReport report = new TestingEngine(
            Configuration.Create().WithTestingIterations(5).WithMaxSchedulingSteps(100).WithLivelockAsBug(false), Scenarios.EndlessSpin).Run();

        Assert.Equal(0, report.BugsFound);
        Assert.Equal(5, report.Iterations);
        Assert.Equal(5, report.IterationsHittingMaxSteps);
    }

    [Fact]
    public void Yield_lets_a_spinning_thread_make_progress_under_pct()
    {
        // Under plain PCT a high-priority spinner would starve the setter forever; the yield hint lowers it.
        TestReport report = new TestingEngine(
            Configuration.Create().WithTestingIterations(100).WithMaxSchedulingSteps(500).WithPctStrategy(3), ctx =>
            {
                var flag = new ControlledAtomic("flag");
                ctx.Spawn("spinner", () => { while (flag.Read() == 0) ControlledRuntime.Yield("spin"); });
                ctx.Spawn("setter", () => flag.Set(1));
            }).Run();

        Assert.Null(report.FirstBug);
    }

    [Fact]
    public void Dfs_terminates_on_a_yielding_spin_loop()
    {
        TestReport report = new TestingEngine(
            Configuration.Create().WithTestingIterations(10_000).WithMaxSchedulingSteps(50).WithLivelockAsBug(false).WithDfsStrategy(1), ctx =>
            {
                var flag = new ControlledAtomic("flag");
                ctx.Spawn("spinner", () => { while (flag.Read() == 0) ControlledRuntime.Yield("spin"); });
                ctx.Spawn("setter", () => flag.Set(1));
            }).Run();

        Assert.Null(report.FirstBug);
        Assert.True(report.IsExhausted);
    }
}
