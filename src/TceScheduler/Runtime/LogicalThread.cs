namespace TceVerify.Scheduling;

/// <summary>
/// A controlled thread of one iteration (or the setup pseudo-thread, Id -1, which runs the test
/// body and end checks on the caller's thread). Instances are reused across iterations.
/// </summary>
internal sealed class LogicalThread
{
    [ThreadStatic]
    private static LogicalThread? t_current;

    internal LogicalThread(ControlledRuntime runtime, int id)
    {
        Runtime = runtime;
        Id = id;
        Slot = id + 1;
    }

    internal static LogicalThread? Current
    {
        get => t_current;
        set => t_current = value;
    }

    internal ControlledRuntime Runtime { get; }

    /// <summary>Spawn-order index; -1 for the setup pseudo-thread.</summary>
    internal int Id { get; }

    /// <summary>Index in vector clocks (setup uses 0).</summary>
    internal int Slot { get; }

    internal bool IsSetup => Id < 0;

    internal readonly int[] Clock = new int[ControlledRuntime.MaxThreads + 1];

    internal string Name = "setup";
    internal Action? Body;
    internal Worker? Worker;
    internal bool Started;
    internal bool Finished;

    /// <summary>Non-null while the thread waits; it is enabled only when this returns true.</summary>
    internal Func<bool>? WaitPredicate;
    internal IWaitTarget? WaitTarget;

    /// <summary>Operation the thread performs when next scheduled (for traces and deadlock reports).</summary>
    internal string PendingOperation = "start";
    internal string? PendingTarget;

    internal string PendingLabel => PendingTarget is null ? PendingOperation : PendingOperation + " " + PendingTarget;

    internal void Reset(string name, Action? body)
    {
        Name = name;
        Body = body;
        Worker = null;
        Started = Finished = false;
        WaitPredicate = null;
        WaitTarget = null;
        PendingOperation = "start";
        PendingTarget = null;
    }

    public override string ToString() => IsSetup ? "setup" : $"T{Id} '{Name}'";
}
