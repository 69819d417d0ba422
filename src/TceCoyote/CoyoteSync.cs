using Microsoft.Coyote.Runtime;
using TceVerify.Impl.Sync;

namespace TceVerify.Coyote;

/// <summary>
/// Puts Microsoft Coyote underneath TceImpl, as <see cref="Concurrency.ControlledSync"/> puts our engine there: every
/// lock acquisition, atomic operation and shared-cell access is one scheduling point
/// (<see cref="SchedulingPoint.Interleave"/>), and a thread that must wait for a lock blocks on a
/// <see cref="SemaphoreSlim"/>, which the build's rewrite turns into one Coyote controls (so a cycle of waiting threads
/// is a deadlock Coyote reports, INV-8). Coyote runs one logical thread at a time, so the lock states are plain fields.
/// </summary>
/// <remarks>
/// Make one per schedule. While <see cref="Quiet"/> is set (the sequential prefix and the final checks, which run
/// alone) nothing is a scheduling point, as in our engine, where both run outside any logical thread.
/// </remarks>
public sealed class CoyoteSync : ISyncLayer
{
    /// <summary>No scheduling points: the caller runs alone (prefix, final checks).</summary>
    public bool Quiet { get; set; } = true;

    /// <summary>Scheduling points placed so far (the engine's steps include its own, e.g. task start and end).</summary>
    public long SchedulingPoints { get; private set; }

    public IKMutex CreateMutex(LockId id) => new Mutex(this, id.Name);
    public IKMutex CreateSpinLock(LockId id) => new Mutex(this, id.Name);
    public IKRwSemaphore CreateRwSemaphore(LockId id) => new RwSemaphore(this, id.Name);
    public IKAtomic CreateAtomic(string name, long initial) => new Atomic(this, initial);
    public ISharedCell CreateCell(string name) => new Cell(this);

    /// <summary>Shared bitmap words (LOCK-9): each load and each store is a scheduling point, as under our engine, so a
    /// read-modify-write is two steps and a lost update is explorable.</summary>
    public ISharedWords? CreateWords(string name, int count, Func<long, (long First, long End)> covers) => new Words(this);

    sealed class Words(CoyoteSync sync) : ISharedWords
    {
        public void Read(long word) => sync.Point();
        public void Write(long word) => sync.Point();
    }

    void Point()
    {
        if (Quiet) return;
        SchedulingPoints++;
        SchedulingPoint.Interleave();
    }

    /// <summary>Threads blocked until a lock's state changes. A waiter counts itself, then waits for a permit; a
    /// release hands one permit to each waiter, and each re-checks (another thread may have taken the lock first).</summary>
    sealed class WaitQueue(CoyoteSync sync, string name)
    {
        readonly SemaphoreSlim _permits = new(0);
        int _waiting;

        public void WaitUntil(Func<bool> ready)
        {
            while (!ready())
            {
                if (sync.Quiet) throw new InvalidOperationException($"'{name}' is held while the scenario runs alone (prefix or final checks)");
                _waiting++;
                _permits.Wait();
            }
        }

        public void WakeAll()
        {
            if (_waiting == 0) return;
            int n = _waiting;
            _waiting = 0;
            _permits.Release(n);
        }
    }

    sealed class Mutex : IKMutex
    {
        readonly CoyoteSync _sync;
        readonly WaitQueue _queue;
        readonly Func<bool> _free;
        bool _held;

        public Mutex(CoyoteSync sync, string name)
        {
            _sync = sync;
            _queue = new WaitQueue(sync, name);
            _free = () => !_held;
        }

        public void Lock()
        {
            _sync.Point();
            _queue.WaitUntil(_free);
            _held = true;
        }

        public void Unlock()
        {
            if (!_held) throw new InvalidOperationException("unlock of a lock that is not held");
            _held = false;
            _queue.WakeAll();
        }
    }

    /// <summary>A kernel rw_semaphore: readers share it, a writer holds it alone.</summary>
    sealed class RwSemaphore : IKRwSemaphore
    {
        readonly CoyoteSync _sync;
        readonly WaitQueue _queue;
        readonly Func<bool> _canRead, _canWrite;
        int _readers;
        bool _writer;

        public RwSemaphore(CoyoteSync sync, string name)
        {
            _sync = sync;
            _queue = new WaitQueue(sync, name);
            _canRead = () => !_writer;
            _canWrite = () => !_writer && _readers == 0;
        }

        public void DownRead()
        {
            _sync.Point();
            _queue.WaitUntil(_canRead);
            _readers++;
        }

        public void UpRead()
        {
            if (_readers == 0) throw new InvalidOperationException("up_read of an rw-semaphore that is not read-held");
            if (--_readers == 0) _queue.WakeAll();
        }

        public void DownWrite()
        {
            _sync.Point();
            _queue.WaitUntil(_canWrite);
            _writer = true;
        }

        public void UpWrite()
        {
            if (!_writer) throw new InvalidOperationException("up_write of an rw-semaphore that is not write-held");
            _writer = false;
            _queue.WakeAll();
        }
    }

    /// <summary>One scheduling point, then the operation as one step (nothing else runs in between).</summary>
    sealed class Atomic(CoyoteSync sync, long initial) : IKAtomic
    {
        long _value = initial;

        public long Read()
        {
            sync.Point();
            return _value;
        }

        public void Set(long value)
        {
            sync.Point();
            _value = value;
        }

        public long Add(long delta)
        {
            sync.Point();
            return _value += delta;
        }

        public long CompareExchange(long expected, long value)
        {
            sync.Point();
            long old = _value;
            if (old == expected) _value = value;
            return old;
        }

        public long DecrementIfPositive()
        {
            sync.Point();
            long next = _value - 1;
            if (next >= 0) _value = next;
            return next;
        }

        public bool IncrementUnlessZero()
        {
            sync.Point();
            if (_value == 0) return false;
            _value++;
            return true;
        }
    }

    sealed class Cell(CoyoteSync sync) : ISharedCell
    {
        public void Read() => sync.Point();
        public void Write() => sync.Point();
    }
}
