namespace TceVerify.Scheduling;

/// <summary>
/// Chooses the next logical thread and data values. Thread ids are spawn-order indices.
/// A negative return value means "cannot follow" (replay divergence, DFS nondeterminism);
/// <see cref="Failure"/> then explains why.
/// </summary>
internal interface ISchedulingStrategy
{
    /// <summary>Short description recorded in traces, e.g. "pct(d=2)".</summary>
    string Description { get; }

    /// <summary>Prepares iteration <paramref name="iteration"/>; false when there is nothing left to explore.</summary>
    bool PrepareIteration(int iteration);

    /// <param name="enabled">Ids of enabled threads in ascending order (never empty).</param>
    /// <param name="current">Id of the thread that reached the point, or -1 (setup, finished thread).</param>
    /// <param name="isYield">The current thread declared it is spinning and wants others to run.</param>
    int NextThread(ReadOnlySpan<int> enabled, int current, bool isYield);

    int NextInt(int maxExclusive);

    /// <summary>Called once after each iteration (bug or not).</summary>
    void IterationEnded();

    /// <summary>True once a systematic strategy has explored its whole (bounded) space.</summary>
    bool IsExhausted { get; }

    BugKind FailureKind { get; }

    string? Failure { get; }
}
