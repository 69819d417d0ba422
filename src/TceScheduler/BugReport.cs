namespace TceVerify.Scheduling;

/// <summary>A bug found in one iteration, with everything needed to reproduce and read it.</summary>
public sealed class BugReport
{
    internal BugReport(BugKind kind, string message, int iteration, string strategy, Exception? exception)
    {
        Kind = kind;
        Message = message;
        Iteration = iteration;
        Strategy = strategy;
        Exception = exception;
    }

    public BugKind Kind { get; }

    /// <summary>Deterministic one-paragraph description (no timings, no hash codes).</summary>
    public string Message { get; }

    /// <summary>Zero-based iteration in which the bug appeared.</summary>
    public int Iteration { get; }

    public string Strategy { get; }

    /// <summary>The exception behind the bug, if any (with its stack trace).</summary>
    public Exception? Exception { get; }

    /// <summary>Compact string for <see cref="Configuration.WithReproducibleTrace"/>.</summary>
    public string ReproducibleTrace { get; internal set; } = "";

    /// <summary>Per-thread column table of the failing schedule with the described state per step.</summary>
    public string ReadableTrace { get; internal set; } = "";

    /// <summary>What the test said about the failure where it detected it, as data (an assertion's or a check's
    /// detail; null for the engine's own bugs: deadlock, livelock, data race, ...).</summary>
    public object? Detail { get; internal set; }

    /// <summary>Number of scheduling decisions in the failing iteration.</summary>
    public int Steps { get; internal set; }

    /// <summary>The seed of the failing schedule's strategy.</summary>
    public ulong Seed { get; internal set; }

    /// <summary>The logical threads of the failing schedule, by index.</summary>
    public IReadOnlyList<string> ThreadNames { get; internal set; } = [];

    /// <summary>What <see cref="ReadableTrace"/> shows, as data: every event of the failing schedule in order, with the
    /// described state after it when states were described.</summary>
    public IReadOnlyList<ScheduleEvent> Schedule { get; internal set; } = [];

    /// <summary>Why the schedule is incomplete or its states are missing (null: it is complete).</summary>
    public string? ScheduleNote { get; internal set; }

    public override string ToString() => $"{Kind}: {Message}";
}
