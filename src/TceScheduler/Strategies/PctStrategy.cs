namespace TceVerify.Scheduling;

/// <summary>
/// PCT (Burckhardt et al., ASPLOS 2010). The threads get distinct random initial priorities d .. d+n-1 (a thread seen
/// for the first time takes a random rank among the initial priorities); d-1 distinct change points k_1 .. k_{d-1} are
/// drawn uniformly over the schedule length learned from earlier iterations; when step k_i is reached, the thread about
/// to run gets priority i, below every initial priority. The k_i are drawn, not sorted, so whether a thread lowered later
/// ranks above or below one lowered earlier is random; ranking later-lowered threads always above (sorting the points)
/// loses every bug that needs the thread lowered last to wait for one lowered before it. Only decisions with at least two
/// enabled threads count as steps (as in Coyote), so forced moves do not dilute them. A yield hint (a spinning thread)
/// sends the thread below every priority, change points included, each yield below the ones before it (as in Shuttle).
/// </summary>
internal sealed class PctStrategy : ISchedulingStrategy
{
    private readonly SplitMix64 _rng;
    private readonly int _depth;
    private readonly int[] _order = new int[ControlledRuntime.MaxThreads]; // highest priority first
    private readonly int[] _loweredPriority = new int[ControlledRuntime.MaxThreads]; // of threads past _highCount in _order
    private readonly bool[] _known = new bool[ControlledRuntime.MaxThreads];
    private readonly int[] _changePoints;       // the steps k_i, in ascending order
    private readonly int[] _changePriorities;   // the i of each k_i, in the same order
    private int _orderCount;
    private int _highCount;     // threads still holding an initial priority; lowered ones follow them, by priority
    private int _changeCount;
    private int _nextChange;
    private int _nextYieldPriority;
    private int _counted;       // decisions with >= 2 enabled threads in this iteration
    private int _scheduleLength;

    internal PctStrategy(SplitMix64 rng, int bugDepth)
    {
        if (bugDepth < 1) throw new ArgumentOutOfRangeException(nameof(bugDepth), "PCT bug depth must be >= 1.");
        _rng = rng;
        _depth = bugDepth;
        _changePoints = new int[bugDepth - 1];
        _changePriorities = new int[bugDepth - 1];
        Description = $"pct(d={bugDepth})";
    }

    public string Description { get; }

    public bool PrepareIteration(int iteration)
    {
        Array.Clear(_known);
        _orderCount = _highCount = _counted = _nextChange = 0;
        _nextYieldPriority = 0; // below every change-point priority (1 .. d-1)
        _changeCount = Math.Min(_depth - 1, _scheduleLength);
        for (int i = 0; i < _changeCount; i++)
        {
            int point;
            do point = 1 + _rng.NextInt(_scheduleLength);
            while (Array.IndexOf(_changePoints, point, 0, i) >= 0);
            _changePoints[i] = point;
            _changePriorities[i] = i + 1;   // k_i gives priority i: the order of drawing, not of time
        }
        Array.Sort(_changePoints, _changePriorities, 0, _changeCount);
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
        if (isYield && current >= 0) Lower(current, _nextYieldPriority--);
        if (enabled.Length >= 2)
        {
            _counted++;
            if (_nextChange < _changeCount && _changePoints[_nextChange] == _counted)
            {
                Lower(Highest(mask), _changePriorities[_nextChange]);
                _nextChange++;
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
    /// Gives <paramref name="id"/> the low priority <paramref name="priority"/> (a change point's i, or a yield's
    /// non-positive one): it leaves the initial priorities, or its place among the lowered threads, and goes to its
    /// place in the lowered tail, which is ordered by priority, highest first.
    /// </summary>
    private void Lower(int id, int priority)
    {
        int pos = Array.IndexOf(_order, id, 0, _orderCount);
        if (pos < _highCount) _highCount--;
        Array.Copy(_order, pos + 1, _order, pos, _orderCount - pos - 1);
        int target = _highCount;
        while (target < _orderCount - 1 && _loweredPriority[_order[target]] > priority) target++;
        Array.Copy(_order, target, _order, target + 1, _orderCount - 1 - target);
        _order[target] = id;
        _loweredPriority[id] = priority;
    }
}
