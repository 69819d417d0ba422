using TceVerify.Scheduling;
using Xunit;

namespace TceVerify.Tests.Scheduler;

public class RaceTests
{
    [Fact]
    public void Race_is_reported_even_when_the_final_value_is_right()
    {
        // One preemption-free schedule: w0 runs to completion, then w1. The value is right, the race is not.
        TestReport report = new TestingEngine(
            Configuration.Create().WithTestingIterations(1).WithDfsStrategy(0), Scenarios.BenignLookingRace).Run();

        Assert.Equal(BugKind.DataRace, report.FirstBugKind);
        Assert.Equal(
            "data race on 'ready': T0 'w0' 'w0: ready = true' (step 2) and T1 'w1' 'w1: ready = true' (step 4) are not ordered by any lock, rw-semaphore, atomic, spawn or join",
            report.FirstBugMessage);
    }

    [Fact]
    public void Accesses_ordered_by_an_atomic_flag_are_not_a_race()
    {
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(300).WithMaxSchedulingSteps(2000), ctx =>
        {
            var data = new SharedCell<int>("data", 0);
            var published = new ControlledAtomic("published");
            ctx.Spawn("producer", () => { data.Write(42); published.Set(1); });
            ctx.Spawn("consumer", () =>
            {
                while (published.Read() == 0) ControlledRuntime.Yield("wait for publish");
                ControlledRuntime.Assert(data.Read() == 42, "consumer saw unpublished data");
            });
        }).Run();

        Assert.Null(report.FirstBug);
    }

    [Fact]
    public void Predicate_waits_alone_do_not_order_accesses()
    {
        // WaitUntil on plain state is not synchronisation: the write and the read still race.
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(50), ctx =>
        {
            var data = new SharedCell<int>("data", 0);
            bool ready = false;
            ctx.Spawn("producer", () => { data.Write(1); ready = true; });
            ctx.Spawn("consumer", () => { ControlledRuntime.WaitUntil(() => ready, "wait ready"); data.Read(); });
        }).Run();

        Assert.Equal(BugKind.DataRace, report.FirstBugKind);
    }

    [Fact]
    public void Rw_semaphore_orders_writers_with_readers_and_dfs_finds_no_race()
    {
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(10_000).WithDfsStrategy(2), ctx =>
        {
            var sem = new ControlledRwSemaphore("sem");
            var cell = new SharedCell<int>("cell", 0);
            ctx.Spawn("writer", () => { sem.DownWrite(); cell.Write(cell.Read() + 1); sem.UpWrite(); });
            ctx.Spawn("reader1", () => { sem.DownRead(); cell.Read(); sem.UpRead(); });
            ctx.Spawn("reader2", () => { sem.DownRead(); cell.Read(); sem.UpRead(); });
            ctx.AddInvariant(() => sem.IsWriteHeld && sem.Readers > 0 ? "writer and readers inside together" : null);
        }).Run();

        Assert.Null(report.FirstBug);
        Assert.True(report.IsExhausted);
    }

    [Fact]
    public void Two_readers_writing_under_a_read_lock_race()
    {
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(50), ctx =>
        {
            var sem = new ControlledRwSemaphore("sem");
            var cell = new SharedCell<int>("cell", 0);
            ctx.Spawn("r1", () => { sem.DownRead(); cell.Write(1); sem.UpRead(); });
            ctx.Spawn("r2", () => { sem.DownRead(); cell.Write(2); sem.UpRead(); });
        }).Run();

        Assert.Equal(BugKind.DataRace, report.FirstBugKind);
    }

    [Fact]
    public void Join_orders_the_child_before_the_parent()
    {
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(100), ctx =>
        {
            var cell = new SharedCell<int>("cell", 0);
            ctx.Spawn("parent", () =>
            {
                int child = ControlledRuntime.Spawn("child", () => cell.Write(1));
                ControlledRuntime.Join(child);
                ControlledRuntime.Assert(cell.Read() == 1, "join did not wait");
            });
        }).Run();

        Assert.Null(report.FirstBug);
    }
}
