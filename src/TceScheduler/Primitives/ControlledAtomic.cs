namespace TceVerify.Scheduling;

/// <summary>
/// Atomic 64-bit counter (kernel atomic_t / refcount shape). Every operation is a scheduling
/// point placed before the access, then the access happens atomically. Happens-before: reads
/// acquire, writes release, read-modify-writes do both (a failed conditional op only acquires).
/// </summary>
public sealed class ControlledAtomic : ControlledObject
{
    private long _value;
    private long _initial;
    private int[]? _released;

    public ControlledAtomic(string name, long initial = 0)
        : base(name) => _value = _initial = initial;

    /// <summary>Current value without a scheduling point (for invariants and state describers).</summary>
    public long Value => _value;

    public long Read()
    {
        LogicalThread? t = Begin("atomic_read");
        long v = _value;
        if (t is not null) t.Runtime.Acquire(t, _released);
        return v;
    }

    public void Set(long value)
    {
        LogicalThread? t = Begin("atomic_set");
        _value = value;
        if (t is not null) t.Runtime.Release(t, ref _released);
    }

    /// <summary>Adds <paramref name="delta"/> and returns the new value.</summary>
    public long Add(long delta)
    {
        LogicalThread? t = Begin("atomic_add");
        _value += delta;
        AcquireRelease(t);
        return _value;
    }

    /// <summary>Stores <paramref name="value"/> if the current value equals <paramref name="comparand"/>; returns the original value.</summary>
    public long CompareExchange(long value, long comparand)
    {
        LogicalThread? t = Begin("atomic_cmpxchg");
        long original = _value;
        if (original == comparand)
        {
            _value = value;
            AcquireRelease(t);
        }
        else if (t is not null)
        {
            t.Runtime.Acquire(t, _released);
        }
        return original;
    }

    /// <summary>Decrements only if the value is positive; true when it decremented.</summary>
    public bool DecrementIfPositive() => Conditional("atomic_dec_if_positive", -1);

    /// <summary>Increments only if the value is not zero (refcount get); true when it incremented.</summary>
    public bool IncrementIfNotZero() => Conditional("atomic_inc_not_zero", +1);

    private bool Conditional(string operation, long delta)
    {
        LogicalThread? t = Begin(operation);
        bool ok = delta < 0 ? _value > 0 : _value != 0; // evaluated after the scheduling point
        if (ok)
        {
            _value += delta;
            AcquireRelease(t);
        }
        else if (t is not null)
        {
            t.Runtime.Acquire(t, _released);
        }
        return ok;
    }

    private LogicalThread? Begin(string operation)
    {
        LogicalThread? t = Enter();
        t?.Runtime.SchedulePoint(t, operation, Name, isYield: false);
        return t;
    }

    private void AcquireRelease(LogicalThread? t)
    {
        if (t is null) return;
        t.Runtime.Acquire(t, _released);
        t.Runtime.Release(t, ref _released);
    }

    private protected override void ResetForIteration()
    {
        _value = _initial;
        ClearClock(_released);
    }
}
