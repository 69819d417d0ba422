using TceVerify.Scheduling;

namespace TceVerify.Tests.Scheduler;

/// <summary>Small programs with known concurrency behaviour, used by the engine self-tests.</summary>
internal static class Scenarios
{
    /// <summary>Two threads increment a shared counter by read-modify-write, optionally under a mutex.</summary>
    internal static Action<IterationContext> Counter(bool withMutex) => ctx =>
    {
        var counter = new SharedCell<int>("counter", 0);
        ControlledMutex? mutex = withMutex ? new ControlledMutex("m") : null;
        for (int i = 0; i < 2; i++)
        {
            ctx.Spawn($"inc{i}", () =>
            {
                mutex?.Lock();
                int v = counter.Read();
                counter.Write(v + 1);
                mutex?.Unlock();
            });
        }
        ctx.DescribeState(() => $"counter={counter.Peek} m={mutex?.OwnerName ?? "-"}");
        ctx.AddFinalCheck(() => counter.Peek == 2 ? null : $"lost update: counter = {counter.Peek}, expected 2");
    };

    /// <summary>Classic lock-order inversion.</summary>
    internal static void AbBa(IterationContext ctx)
    {
        var a = new ControlledMutex("A");
        var b = new ControlledMutex("B");
        ctx.Spawn("ab", () => { a.Lock(); b.Lock(); b.Unlock(); a.Unlock(); });
        ctx.Spawn("ba", () => { b.Lock(); a.Lock(); a.Unlock(); b.Unlock(); });
    }

    /// <summary>The first thread forgets to unlock.</summary>
    internal static void MissingRelease(IterationContext ctx)
    {
        var m = new ControlledMutex("m");
        ctx.Spawn("leaker", () => { m.Lock(); });
        ctx.Spawn("waiter", () => { m.Lock(); m.Unlock(); });
    }

    /// <summary>A thread spins on a flag nobody sets.</summary>
    internal static void EndlessSpin(IterationContext ctx)
    {
        var flag = new ControlledAtomic("flag");
        ctx.Spawn("spinner", () => { while (flag.Read() == 0) { } });
        ctx.Spawn("idle", () => ControlledRuntime.SchedulingPoint("idle"));
    }

    /// <summary>Both threads store the same value without synchronisation: the value is always right, the race is real.</summary>
    internal static void BenignLookingRace(IterationContext ctx)
    {
        var ready = new SharedCell<bool>("ready", false);
        ctx.Spawn("w0", () => ready.Write(true, "w0: ready = true"));
        ctx.Spawn("w1", () => ready.Write(true, "w1: ready = true"));
        ctx.AddFinalCheck(() => ready.Peek ? null : "ready not set");
    }
}
