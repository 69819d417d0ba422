namespace TceVerify.Scheduling;

/// <summary>
/// Idle workers reused across iterations; a thread is created only when no idle one exists.
/// Accessed only by the single thread holding the scheduling token, so no locking is needed
/// (every hand-off goes through a gate, which is a full fence).
/// </summary>
internal sealed class WorkerPool
{
    private Worker[] _idle = new Worker[8];
    private int _idleCount;
    private int _created;

    internal int Created => _created;

    /// <summary>Most recently returned first: that thread is likely still spinning, hence hot.</summary>
    internal Worker Rent()
    {
        if (_idleCount > 0) return _idle[--_idleCount];
        return new Worker(++_created);
    }

    internal void Return(Worker worker)
    {
        if (_idleCount == _idle.Length) Array.Resize(ref _idle, _idle.Length * 2);
        _idle[_idleCount++] = worker;
    }

    /// <summary>Tells idle workers to exit; busy ones exit when they next finish a body.</summary>
    internal void Shutdown()
    {
        for (int i = 0; i < _idleCount; i++)
        {
            _idle[i].Assigned = null;
            _idle[i].Gate.Signal();
        }
        _idleCount = 0;
    }
}
