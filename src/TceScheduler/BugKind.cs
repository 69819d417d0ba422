namespace TceVerify.Scheduling;

public enum BugKind
{
    /// <summary><see cref="ControlledRuntime.Assert"/> failed in a logical thread or check.</summary>
    AssertionFailure,
    /// <summary>A logical thread or the test body threw.</summary>
    UnhandledException,
    /// <summary>An invariant callback returned a message or threw.</summary>
    InvariantViolation,
    /// <summary>An end-of-iteration check returned a message or threw.</summary>
    FinalCheckFailure,
    /// <summary>Every unfinished thread is blocked, or a thread relocked a non-recursive lock it holds.</summary>
    Deadlock,
    /// <summary>The iteration exceeded the maximum number of scheduling steps.</summary>
    Livelock,
    /// <summary>A logical thread did not reach its next scheduling point within the watchdog timeout.</summary>
    UncontrolledBlocking,
    /// <summary>Two accesses to a <see cref="SharedCell"/>, one a write, not ordered by happens-before.</summary>
    DataRace,
    /// <summary>A primitive was misused (unlock by a non-owner, up without down, ...).</summary>
    PrimitiveMisuse,
    /// <summary>Replay could not follow the recorded trace.</summary>
    ReplayDivergence,
    /// <summary>Systematic re-execution saw different choices for the same decision prefix.</summary>
    Nondeterminism,
}
