namespace TceVerify.Scheduling;

/// <summary>
/// Default strategy: rotates random walk and PCT with bug depth 1, 2 and 3, one per iteration
/// (Coyote's round-robin portfolio). Each member keeps its own state, e.g. PCT's learned length.
/// </summary>
internal sealed class PortfolioStrategy : ISchedulingStrategy
{
    private readonly ISchedulingStrategy[] _members;
    private ISchedulingStrategy _active;

    internal PortfolioStrategy(SplitMix64 rng)
    {
        _members = [new RandomStrategy(rng), new PctStrategy(rng, 1), new PctStrategy(rng, 2), new PctStrategy(rng, 3)];
        _active = _members[0];
    }

    public string Description => "portfolio/" + _active.Description;

    public bool PrepareIteration(int iteration)
    {
        _active = _members[iteration % _members.Length];
        return _active.PrepareIteration(iteration);
    }

    public int NextThread(ReadOnlySpan<int> enabled, int current, bool isYield) => _active.NextThread(enabled, current, isYield);

    public int NextInt(int maxExclusive) => _active.NextInt(maxExclusive);

    public void IterationEnded() => _active.IterationEnded();

    public bool IsExhausted => false;

    public BugKind FailureKind => _active.FailureKind;

    public string? Failure => _active.Failure;
}
