namespace TceVerify.Scheduling;

/// <summary>
/// PCT (Burckhardt et al., ASPLOS 2010): distinct random thread priorities, d-1 change points
/// placed uniformly over the schedule length learned from earlier iterations. Only decisions with
/// at least two enabled threads count as steps (as in Coyote), so forced moves do not dilute them.
/// </summary>
internal sealed class PctStrategy : ISchedulingStrategy
{
    private readonly SplitMix64 _rng;
    private readonly int _depth;
    private readonly int[] _order = new int[ControlledRuntime.MaxThreads]; // highest priority first
    private readonly bool[] _known = new bool[ControlledRuntime.MaxThreads];
    private readonly int[] _changePoints;
    private int _orderCount;
    private int _highCount;     // threads still holding an initial priority; lowered ones follow them
    private int _changeCount;
    private int _nextChange;
    private int _counted;       // decisions with >= 2 enabled threads in this iteration
    private int _scheduleLength;

    internal PctStrategy(SplitMix64 rng, int bugDepth)
    {
        if (bugDepth < 1) throw new ArgumentOutOfRangeException(nameof(bugDepth), "PCT bug depth must be >= 1.");
        _rng = rng;
        _depth = bugDepth;
        _changePoints = new int[bugDepth - 1];
        Description = $"pct(d={bugDepth})";
    }

    public string Description { get; }

    public bool PrepareIteration(int iteration)
    {
        Array.Clear(_known);
        _orderCount = _highCount = _counted = _nextChange = 0;
        _changeCount = Math.Min(_depth - 1, _scheduleLength);
        for (int i = 0; i < _changeCount; i++)
        {
            int point;
            do point = 1 + _rng.NextInt(_scheduleLength);
            while (Array.IndexOf(_changePoints, point, 0, i) >= 0);
            _changePoints[i] = point;
        }
        Array.Sort(_changePoints, 0, _changeCount);
        return true;
    }

    public int NextThread(ReadOnlySpan<int> enabled, int current, bool isYield)
    {
        ulong mask = 0;
        foreach (int id in enabled)
        {
            mask |= 1UL << id;
            if (!_known[id]) Admit(id);
        }
        if (isYield && current >= 0) Lower(current, toBottom: true);
        if (enabled.Length >= 2)
        {
            _counted++;
            if (_nextChange < _changeCount && _changePoints[_nextChange] == _counted)
            {
                _nextChange++;
                Lower(Highest(mask), toBottom: false);
            }
        }
        return Highest(mask);
    }

    public int NextInt(int maxExclusive) => _rng.NextInt(maxExclusive);

    public void IterationEnded() => _scheduleLength = Math.Max(_scheduleLength, _counted);

    public bool IsExhausted => false;

    public BugKind FailureKind => BugKind.ReplayDivergence;

    public string? Failure => null;

    /// <summary>A newly seen thread gets a random initial priority among the initial ones.</summary>
    private void Admit(int id)
    {
        _known[id] = true;
        int pos = _rng.NextInt(_highCount + 1);
        Array.Copy(_order, pos, _order, pos + 1, _orderCount - pos);
        _order[pos] = id;
        _orderCount++;
        _highCount++;
    }

    private int Highest(ulong enabledMask)
    {
        for (int i = 0; i < _orderCount; i++)
        {
            if ((enabledMask & (1UL << _order[i])) != 0) return _order[i];
        }
        throw new InvalidOperationException("PCT: no enabled thread has a priority.");
    }

    /// <summary>
    /// Change point i gives priority i, below every initial priority but above earlier change points,
    /// i.e. the top of the lowered tail. A yield hint sends the thread to the very bottom.
    /// </summary>
    private void Lower(int id, bool toBottom)
    {
        int pos = Array.IndexOf(_order, id, 0, _orderCount);
        if (pos < _highCount) _highCount--;
        Array.Copy(_order, pos + 1, _order, pos, _orderCount - pos - 1);
        int target = toBottom ? _orderCount - 1 : _highCount;
        Array.Copy(_order, target, _order, target + 1, _orderCount - 1 - target);
        _order[target] = id;
    }
}
