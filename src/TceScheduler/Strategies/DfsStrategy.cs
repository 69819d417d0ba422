namespace TceVerify.Scheduling;

/// <summary>
/// Exhaustive depth-first search over decisions by stateless re-execution, with an optional
/// preemption bound (CHESS): switching away from a thread that is still enabled costs one
/// preemption, except at a yield point; switches at blocking or finishing points are free.
/// Each iteration replays the stack prefix and extends it with first choices; backtracking
/// advances the deepest frame that still has an affordable alternative.
/// </summary>
internal sealed class DfsStrategy : ISchedulingStrategy
{
    private struct Frame
    {
        internal int OptionsOffset;
        internal int OptionsCount;
        internal int Chosen;
        internal int PreemptionsBefore;
        internal int Current;
        internal ulong EnabledMask;
        internal bool IsData;
        internal bool IsYield;
    }

    private readonly int _bound;
    private Frame[] _frames = new Frame[256];
    private int[] _options = new int[1024];
    private int _frameCount;
    private int _optionsCount;
    private int _cursor;
    private int _preemptions;
    private bool _exhausted;

    internal DfsStrategy(int preemptionBound)
    {
        if (preemptionBound < 0) throw new ArgumentOutOfRangeException(nameof(preemptionBound));
        _bound = preemptionBound;
        Description = preemptionBound == int.MaxValue ? "dfs(pb=inf)" : $"dfs(pb={preemptionBound})";
    }

    public string Description { get; }

    public bool IsExhausted => _exhausted;

    public BugKind FailureKind => BugKind.Nondeterminism;

    public string? Failure { get; private set; }

    public bool PrepareIteration(int iteration)
    {
        _cursor = 0;
        _preemptions = 0;
        Failure = null;
        return !_exhausted;
    }

    public int NextThread(ReadOnlySpan<int> enabled, int current, bool isYield)
    {
        ulong mask = 0;
        foreach (int id in enabled) mask |= 1UL << id;
        if (_cursor < _frameCount)
        {
            ref Frame f = ref _frames[_cursor];
            if (f.IsData || f.EnabledMask != mask || f.Current != current)
            {
                return Diverged($"step {_cursor + 1}: re-execution reached a different set of enabled threads than before; the test is nondeterministic outside the scheduler's control");
            }
            _cursor++;
            _preemptions = f.PreemptionsBefore + Cost(in f, f.Chosen);
            return _options[f.OptionsOffset + f.Chosen];
        }

        bool currentEnabled = current >= 0 && (mask & (1UL << current)) != 0;
        ref Frame n = ref Push(enabled.Length + 1);
        n.Current = current;
        n.EnabledMask = mask;
        n.IsYield = isYield;
        n.PreemptionsBefore = _preemptions;
        int k = n.OptionsOffset;
        // Staying on the current thread first keeps the first schedules preemption-free;
        // at a yield the current thread goes last so spin loops make progress.
        if (currentEnabled && !isYield) _options[k++] = current;
        foreach (int id in enabled)
        {
            if (id != current || !currentEnabled) _options[k++] = id;
        }
        if (currentEnabled && isYield) _options[k++] = current;
        n.OptionsCount = k - n.OptionsOffset;
        _optionsCount = k;
        _cursor++;
        return _options[n.OptionsOffset];
    }

    public int NextInt(int maxExclusive)
    {
        if (_cursor < _frameCount)
        {
            ref Frame f = ref _frames[_cursor];
            if (!f.IsData || f.OptionsCount != maxExclusive)
            {
                return Diverged($"step {_cursor + 1}: re-execution reached a different choice than before; the test is nondeterministic outside the scheduler's control");
            }
            _cursor++;
            return f.Chosen;
        }
        ref Frame n = ref Push(0);
        n.IsData = true;
        n.OptionsCount = maxExclusive;
        n.Current = -1;
        _cursor++;
        return 0;
    }

    public void IterationEnded()
    {
        if (_cursor < _frameCount)
        {
            _optionsCount = _frames[_cursor].OptionsOffset;
            _frameCount = _cursor;
        }
        while (_frameCount > 0)
        {
            ref Frame top = ref _frames[_frameCount - 1];
            for (int j = top.Chosen + 1; j < top.OptionsCount; j++)
            {
                if (top.PreemptionsBefore + Cost(in top, j) <= _bound)
                {
                    top.Chosen = j;
                    return;
                }
            }
            _optionsCount = top.OptionsOffset;
            _frameCount--;
        }
        _exhausted = true;
    }

    private int Cost(in Frame f, int option)
    {
        if (f.IsData || f.IsYield || f.Current < 0 || (f.EnabledMask & (1UL << f.Current)) == 0) return 0;
        return _options[f.OptionsOffset + option] == f.Current ? 0 : 1;
    }

    private ref Frame Push(int optionSlots)
    {
        if (_frameCount == _frames.Length) Array.Resize(ref _frames, _frames.Length * 2);
        if (_optionsCount + optionSlots > _options.Length) Array.Resize(ref _options, Math.Max(_options.Length * 2, _optionsCount + optionSlots));
        ref Frame f = ref _frames[_frameCount++];
        f = default;
        f.OptionsOffset = _optionsCount;
        return ref f;
    }

    private int Diverged(string why)
    {
        Failure = why;
        return -1;
    }
}
