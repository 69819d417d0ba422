using TceVerify.Scheduling;
using Xunit;

namespace TceVerify.Tests.Scheduler;

public class CheckTests
{
    [Fact]
    public void Assertion_failure_in_a_thread_is_a_bug()
    {
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(10), ctx =>
        {
            ctx.Spawn("checker", () => ControlledRuntime.Assert(1 + 1 == 3, "arithmetic is broken"));
        }).Run();

        Assert.Equal(BugKind.AssertionFailure, report.FirstBugKind);
        Assert.Equal("assertion failed in T0 'checker': arithmetic is broken", report.FirstBugMessage);
    }

    [Fact]
    public void Any_exception_in_a_thread_is_a_bug_and_parked_threads_are_unwound()
    {
        int finallyRuns = 0;
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(20), ctx =>
        {
            var m = new ControlledMutex("m");
            ctx.Spawn("holder", () =>
            {
                m.Lock();
                try { ControlledRuntime.WaitUntil(() => false, "parked forever"); }
                finally { finallyRuns++; }
            });
            ctx.Spawn("thrower", () =>
            {
                ControlledRuntime.WaitUntil(() => m.IsHeld, "wait until holder is parked");
                throw new InvalidOperationException("boom");
            });
        }).Run();

        Assert.Equal(BugKind.UnhandledException, report.FirstBugKind);
        Assert.Contains("T1 'thrower' threw System.InvalidOperationException: boom", report.FirstBugMessage);
        Assert.IsType<InvalidOperationException>(report.FirstBug!.Exception);
        Assert.Equal(2, finallyRuns); // the failing iteration and its re-run for the readable trace
        Assert.Contains("unwound", report.ReadableTrace);
    }

    [Fact]
    public void Invariant_is_checked_after_every_step()
    {
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(200), ctx =>
        {
            var balance = new SharedCell<int>("balance", 10);
            var m = new ControlledMutex("m");
            for (int i = 0; i < 2; i++)
            {
                ctx.Spawn($"withdraw{i}", () =>
                {
                    m.Lock();
                    int b = balance.Read();
                    balance.Write(b - 8); // no overdraft check
                    m.Unlock();
                });
            }
            ctx.AddInvariant(() => balance.Peek >= 0 ? null : $"balance is negative: {balance.Peek}");
        }).Run();

        Assert.Equal(BugKind.InvariantViolation, report.FirstBugKind);
        Assert.Contains("balance is negative: -6", report.FirstBugMessage);
    }

    [Fact]
    public void Checks_may_call_primitive_reads_without_scheduling_or_disturbing_state()
    {
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(200).WithDfsStrategy(int.MaxValue), ctx =>
        {
            var counter = new SharedCell<int>("counter", 0);
            var refs = new ControlledAtomic("refs", 0);
            var m = new ControlledMutex("m");
            for (int i = 0; i < 2; i++)
            {
                ctx.Spawn($"inc{i}", () => { m.Lock(); counter.Write(counter.Read() + 1); m.Unlock(); refs.Add(1); });
            }
            ctx.AddInvariant(() => refs.Read() <= counter.Read() ? null : "refs ran ahead of counter");
            ctx.DescribeState(() => $"counter={counter.Read()} refs={refs.Read()}");
            ctx.AddFinalCheck(() => counter.Read() == 2 && refs.Read() == 2 ? null : $"counter={counter.Peek} refs={refs.Value}");
        }).Run();

        Assert.Null(report.FirstBug);
        Assert.True(report.IsExhausted);
    }

    [Fact]
    public void Unlock_by_a_non_owner_is_primitive_misuse()
    {
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(10), ctx =>
        {
            var m = new ControlledMutex("m");
            ctx.Spawn("stranger", () => m.Unlock());
        }).Run();

        Assert.Equal(BugKind.PrimitiveMisuse, report.FirstBugKind);
        Assert.Contains("unlocked mutex 'm' which is not locked", report.FirstBugMessage);
    }

    [Fact]
    public void Refcount_get_unless_zero_never_resurrects_a_freed_object()
    {
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(10_000).WithDfsStrategy(int.MaxValue), ctx =>
        {
            var refs = new ControlledAtomic("refs", 1);
            bool freed = false;
            ctx.Spawn("put", () => { if (refs.Add(-1) == 0) freed = true; });
            ctx.Spawn("get", () =>
            {
                if (refs.IncrementIfNotZero())
                {
                    ControlledRuntime.Assert(!freed, "got a reference to a freed object");
                    if (refs.DecrementIfPositive() && refs.Value == 0) freed = true;
                }
            });
            ctx.AddFinalCheck(() => freed && refs.Value == 0 ? null : $"object leaked: refs={refs.Value}");
        }).Run();

        Assert.Null(report.FirstBug);
        Assert.True(report.IsExhausted);
    }

    [Fact]
    public void Controlled_primitives_work_sequentially_outside_the_engine()
    {
        var m = new ControlledMutex("m");
        var cell = new SharedCell<int>("cell", 0);
        var atomic = new ControlledAtomic("a", 5);
        m.Lock();
        cell.Write(cell.Read() + 1);
        m.Unlock();
        ControlledRuntime.SchedulingPoint("ignored");

        Assert.Equal(1, cell.Peek);
        Assert.Equal(4, atomic.Add(-1));
        Assert.True(atomic.DecrementIfPositive());
        Assert.False(ControlledRuntime.IsControlled);
        Assert.Throws<InvalidOperationException>(() => ControlledRuntime.WaitUntil(() => false, "never"));
    }
}
