namespace TceVerify.Scheduling;

/// <summary>Result of one iteration as seen by the engine.</summary>
internal readonly record struct IterationOutcome(
    BugKind? BugKind,
    string? Message,
    Exception? Exception,
    bool HitStepBound,
    int Decisions,
    int DataChoices,
    bool Abandoned)
{
    /// <summary>What the test said about the bug, as data.</summary>
    public object? Detail { get; init; }
}
