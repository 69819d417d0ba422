namespace TceVerify.Scheduling;

/// <summary>
/// Non-recursive, owner-checked mutex (also a model for a spinlock). Lock is a scheduling point
/// that blocks on a predicate, never on a real lock; Unlock is not a preemption point (a switch
/// right after it is equivalent to one at the caller's next scheduling point).
/// </summary>
public sealed class ControlledMutex : ControlledObject, IWaitTarget
{
    private readonly Func<bool> _isFree;
    private readonly string _lockLabel;
    private readonly string _unlockLabel;
    private readonly string _tryLockLabel;
    private LogicalThread? _owner;
    private bool _heldUncontrolled;
    private int[]? _released;

    /// <param name="lockLabel">Trace label of Lock, e.g. "spin_lock" when modelling a spinlock.</param>
    /// <param name="unlockLabel">Trace label of Unlock.</param>
    public ControlledMutex(string name, string lockLabel = "lock", string unlockLabel = "unlock")
        : base(name)
    {
        _isFree = () => _owner is null;
        _lockLabel = lockLabel;
        _unlockLabel = unlockLabel;
        _tryLockLabel = "try" + lockLabel;
    }

    public bool IsHeld => _owner is not null || _heldUncontrolled;

    /// <summary>Name of the owning logical thread, or null.</summary>
    public string? OwnerName => _owner?.Name;

    public void Lock()
    {
        LogicalThread? t = Enter();
        if (t is null)
        {
            if (_heldUncontrolled) throw new InvalidOperationException($"mutex '{Name}' is already held (uncontrolled use is single-threaded).");
            _heldUncontrolled = true;
            return;
        }
        ControlledRuntime rt = t.Runtime;
        if (ReferenceEquals(_owner, t))
        {
            rt.Fail(BugKind.Deadlock, $"deadlock: {t} tried to lock mutex '{Name}' which it already holds (mutexes are not recursive)");
        }
        rt.WaitUntil(t, _isFree, _lockLabel, Name, this);
        _owner = t;
        rt.Acquire(t, _released);
    }

    /// <summary>A scheduling point; takes the mutex only if it is free.</summary>
    public bool TryLock()
    {
        LogicalThread? t = Enter();
        if (t is null)
        {
            if (_heldUncontrolled) return false;
            return _heldUncontrolled = true;
        }
        ControlledRuntime rt = t.Runtime;
        rt.SchedulePoint(t, _tryLockLabel, Name, isYield: false);
        if (_owner is not null) return false;
        _owner = t;
        rt.Acquire(t, _released);
        return true;
    }

    public void Unlock()
    {
        LogicalThread? t = Enter();
        if (t is null)
        {
            if (!_heldUncontrolled) throw new InvalidOperationException($"mutex '{Name}' is not held.");
            _heldUncontrolled = false;
            return;
        }
        ControlledRuntime rt = t.Runtime;
        if (!ReferenceEquals(_owner, t))
        {
            rt.Fail(BugKind.PrimitiveMisuse, $"{t} unlocked mutex '{Name}' which is {(_owner is null ? "not locked" : "held by " + _owner)}");
        }
        _owner = null;
        rt.Release(t, ref _released);
        rt.RecordOperation(t, _unlockLabel, Name);
    }

    string? IWaitTarget.DescribeHolders() => _owner is null ? null : $"held by {_owner}";

    private protected override void ResetForIteration()
    {
        _owner = null;
        _heldUncontrolled = false;
        ClearClock(_released);
    }
}
