using TceVerify.Scheduling;
using Xunit;

namespace TceVerify.Tests.Scheduler;

public class UncontrolledBlockingTests
{
    private static Configuration Fast() =>
        Configuration.Create().WithTestingIterations(5).WithUncontrolledBlockingTimeout(TimeSpan.FromMilliseconds(300));

    [Fact]
    public void Waiting_on_a_real_event_is_reported_naming_the_last_label()
    {
        using var never = new ManualResetEventSlim(false);
        try
        {
            TestReport report = new TestingEngine(Fast(), ctx =>
            {
                var m = new ControlledMutex("m");
                ctx.Spawn("blocker", () => { m.Lock(); never.Wait(); m.Unlock(); });
                ctx.Spawn("other", () => { m.Lock(); m.Unlock(); });
            }).Run();

            Assert.Equal(BugKind.UncontrolledBlocking, report.FirstBugKind);
            Assert.Contains("T0 'blocker' did not reach its next scheduling point within 300 ms after 'lock m'", report.FirstBugMessage);
            Assert.Equal(1, report.Iterations);
            Assert.StartsWith(ReproducibleTrace.Prefix, report.ReproducibleTrace);
        }
        finally
        {
            never.Set(); // lets the abandoned worker unwind and exit
        }
    }

    [Fact]
    public void Thread_sleep_is_reported_and_exploration_continues_on_fresh_workers()
    {
        TestReport report = new TestingEngine(Fast().WithStopAtFirstBug(false), ctx =>
        {
            int iteration = ctx.Iteration;
            var cell = new SharedCell<int>("cell", 0);
            ctx.Spawn("sleeper", () =>
            {
                cell.Write(1, "before sleep");
                if (iteration == 0) Thread.Sleep(10_000);
                cell.Write(2, "after sleep");
            });
            ctx.Spawn("bystander", () => ControlledRuntime.SchedulingPoint("bystander"));
        }).Run();

        Assert.Equal(1, report.BugsFound);
        Assert.Equal(BugKind.UncontrolledBlocking, report.FirstBugKind);
        Assert.Contains("after 'before sleep'", report.FirstBugMessage);
        Assert.Equal(5, report.Iterations);
    }
}
