namespace TceVerify.Scheduling;

/// <summary>Random walk: uniform choice among enabled threads at every decision.</summary>
internal sealed class RandomStrategy(SplitMix64 rng) : ISchedulingStrategy
{
    public string Description => "random";

    public bool PrepareIteration(int iteration) => true;

    public int NextThread(ReadOnlySpan<int> enabled, int current, bool isYield) =>
        enabled.Length == 1 ? enabled[0] : enabled[rng.NextInt(enabled.Length)];

    public int NextInt(int maxExclusive) => rng.NextInt(maxExclusive);

    public void IterationEnded() { }

    public bool IsExhausted => false;

    public BugKind FailureKind => BugKind.ReplayDivergence;

    public string? Failure => null;
}
