namespace TceVerify.Scheduling;

/// <summary>Forces the decisions of a recorded trace and explains the first point of divergence.</summary>
internal sealed class ReplayStrategy(ReproducibleTrace trace) : ISchedulingStrategy
{
    private int _cursor;

    public string Description => "replay";

    public bool IsExhausted => false;

    public BugKind FailureKind => BugKind.ReplayDivergence;

    public string? Failure { get; private set; }

    /// <summary>Decisions of the trace not yet consumed.</summary>
    internal int Remaining => trace.Count - _cursor;

    internal int Consumed => _cursor;

    public bool PrepareIteration(int iteration)
    {
        _cursor = 0;
        Failure = null;
        return true;
    }

    public int NextThread(ReadOnlySpan<int> enabled, int current, bool isYield)
    {
        int step = _cursor + 1;
        if (_cursor >= trace.Count)
        {
            return Diverge($"replay diverged at step {step}: the trace ended after {trace.Count} steps but the program reached another scheduling decision");
        }
        TraceStep s = trace[_cursor];
        if (s.IsDataChoice)
        {
            return Diverge($"replay diverged at step {step}: the trace records a data choice ({s.Value}) but the program reached a scheduling decision");
        }
        if (enabled.IndexOf(s.Value) < 0)
        {
            return Diverge($"replay diverged at step {step}: the trace schedules thread {s.Value} but it is not enabled (enabled: {string.Join(", ", enabled.ToArray())})");
        }
        _cursor++;
        return s.Value;
    }

    public int NextInt(int maxExclusive)
    {
        int step = _cursor + 1;
        if (_cursor >= trace.Count)
        {
            return Diverge($"replay diverged at step {step}: the trace ended after {trace.Count} steps but the program asked for a data choice");
        }
        TraceStep s = trace[_cursor];
        if (!s.IsDataChoice)
        {
            return Diverge($"replay diverged at step {step}: the trace schedules thread {s.Value} but the program asked for a data choice");
        }
        if (s.Value >= maxExclusive)
        {
            return Diverge($"replay diverged at step {step}: the recorded data choice {s.Value} is out of range [0, {maxExclusive})");
        }
        _cursor++;
        return s.Value;
    }

    public void IterationEnded() { }

    private int Diverge(string why)
    {
        Failure ??= why;
        return -1;
    }
}
