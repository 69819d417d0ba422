namespace TceVerify.Scheduling;

/// <summary>
/// Reader-writer semaphore (kernel rw_semaphore shape): many readers or one writer, no
/// writer preference. Down operations are blocking scheduling points; up operations are not
/// preemption points. Happens-before: a reader acquires what writers released; a writer
/// acquires what readers and writers released (two readers are not ordered with each other).
/// </summary>
public sealed class ControlledRwSemaphore : ControlledObject, IWaitTarget
{
    private readonly Func<bool> _canRead;
    private readonly Func<bool> _canWrite;
    private readonly int[] _readHolds = new int[ControlledRuntime.ClockLength]; // per clock slot
    private LogicalThread? _writer;
    private bool _writerUncontrolled;
    private int _readers;
    private int[]? _writersReleased;
    private int[]? _readersReleased;

    public ControlledRwSemaphore(string name)
        : base(name)
    {
        _canRead = () => _writer is null;
        _canWrite = () => _writer is null && _readers == 0;
    }

    public int Readers => _readers;

    public bool IsWriteHeld => _writer is not null || _writerUncontrolled;

    public void DownRead()
    {
        LogicalThread? t = Enter();
        if (t is null)
        {
            if (_writerUncontrolled) throw new InvalidOperationException($"rw-semaphore '{Name}' is write-held (uncontrolled use is single-threaded).");
            _readers++;
            return;
        }
        ControlledRuntime rt = t.Runtime;
        if (ReferenceEquals(_writer, t)) rt.Fail(BugKind.Deadlock, $"deadlock: {t} called down_read on '{Name}' while holding it for writing");
        rt.WaitUntil(t, _canRead, "down_read", Name, this);
        _readers++;
        _readHolds[t.Slot]++;
        rt.Acquire(t, _writersReleased);
    }

    public void UpRead()
    {
        LogicalThread? t = Enter();
        if (t is null)
        {
            if (_readers == 0) throw new InvalidOperationException($"rw-semaphore '{Name}' is not read-held.");
            _readers--;
            return;
        }
        ControlledRuntime rt = t.Runtime;
        if (_readHolds[t.Slot] == 0) rt.Fail(BugKind.PrimitiveMisuse, $"{t} called up_read on '{Name}' without holding it for reading");
        _readHolds[t.Slot]--;
        _readers--;
        rt.Release(t, ref _readersReleased);
        rt.RecordOperation(t, "up_read", Name);
    }

    public void DownWrite()
    {
        LogicalThread? t = Enter();
        if (t is null)
        {
            if (_writerUncontrolled || _readers > 0) throw new InvalidOperationException($"rw-semaphore '{Name}' is held (uncontrolled use is single-threaded).");
            _writerUncontrolled = true;
            return;
        }
        ControlledRuntime rt = t.Runtime;
        if (ReferenceEquals(_writer, t) || _readHolds[t.Slot] > 0)
        {
            rt.Fail(BugKind.Deadlock, $"deadlock: {t} called down_write on '{Name}' while already holding it");
        }
        rt.WaitUntil(t, _canWrite, "down_write", Name, this);
        _writer = t;
        rt.Acquire(t, _writersReleased);
        rt.Acquire(t, _readersReleased);
    }

    public void UpWrite()
    {
        LogicalThread? t = Enter();
        if (t is null)
        {
            if (!_writerUncontrolled) throw new InvalidOperationException($"rw-semaphore '{Name}' is not write-held.");
            _writerUncontrolled = false;
            return;
        }
        ControlledRuntime rt = t.Runtime;
        if (!ReferenceEquals(_writer, t))
        {
            rt.Fail(BugKind.PrimitiveMisuse, $"{t} called up_write on '{Name}' which is {(_writer is null ? "not write-held" : "write-held by " + _writer)}");
        }
        _writer = null;
        rt.Release(t, ref _writersReleased);
        rt.RecordOperation(t, "up_write", Name);
    }

    string? IWaitTarget.DescribeHolders() =>
        _writer is not null ? $"write-held by {_writer}" : _readers > 0 ? $"read-held by {_readers} reader(s)" : null;

    private protected override void ResetForIteration()
    {
        _writer = null;
        _writerUncontrolled = false;
        _readers = 0;
        Array.Clear(_readHolds);
        ClearClock(_writersReleased);
        ClearClock(_readersReleased);
    }
}
