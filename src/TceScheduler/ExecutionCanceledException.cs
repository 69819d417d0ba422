namespace TceVerify.Scheduling;

/// <summary>
/// Thrown inside logical threads to unwind them when an iteration is abandoned (bug, step bound).
/// Code under test must not swallow it; if it does, the next controlled operation throws again.
/// </summary>
public sealed class ExecutionCanceledException : Exception
{
    public ExecutionCanceledException()
        : base("The controlled iteration was canceled; this unwinds the logical thread.") { }
}
