namespace TceVerify.Impl.Sync;

/// <summary>The production synchronization layer: plain .NET primitives, no hooks, safe under real threads.</summary>
public sealed class RealSync : ISyncLayer
{
    public static readonly RealSync Instance = new();

    public IKMutex CreateMutex(LockId id) => new Mutex();
    public IKMutex CreateSpinLock(LockId id) => new Mutex();
    public IKRwSemaphore CreateRwSemaphore(LockId id) => new RwSemaphore();
    public IKAtomic CreateAtomic(string name, long initial) => new Atomic(initial);
    public ISharedCell CreateCell(string name) => NoCell.Instance;
    /// <summary>No hooks: the words are plain array elements (see <see cref="ISyncLayer.CreateWords"/>).</summary>
    public ISharedWords? CreateWords(string name, int count, Func<long, (long First, long End)> covers) => null;

    sealed class Mutex : IKMutex
    {
        readonly Lock _lock = new();
        public void Lock() => _lock.Enter();
        public void Unlock() => _lock.Exit();
    }

    sealed class RwSemaphore : IKRwSemaphore
    {
        readonly ReaderWriterLockSlim _rw = new(LockRecursionPolicy.NoRecursion);
        public void DownRead() => _rw.EnterReadLock();
        public void UpRead() => _rw.ExitReadLock();
        public void DownWrite() => _rw.EnterWriteLock();
        public void UpWrite() => _rw.ExitWriteLock();
    }

    sealed class Atomic(long initial) : IKAtomic
    {
        long _value = initial;
        public long Read() => Volatile.Read(ref _value);
        public void Set(long value) => Volatile.Write(ref _value, value);
        public long Add(long delta) => Interlocked.Add(ref _value, delta);
        public long CompareExchange(long expected, long value) => Interlocked.CompareExchange(ref _value, value, expected);

        public long DecrementIfPositive()
        {
            while (true)
            {
                long old = Volatile.Read(ref _value);
                long next = old - 1;
                if (next < 0) return next;
                if (Interlocked.CompareExchange(ref _value, next, old) == old) return next;
            }
        }

        public bool IncrementUnlessZero()
        {
            while (true)
            {
                long old = Volatile.Read(ref _value);
                if (old == 0) return false;
                if (Interlocked.CompareExchange(ref _value, old + 1, old) == old) return true;
            }
        }
    }

    sealed class NoCell : ISharedCell
    {
        public static readonly NoCell Instance = new();
        public void Read() { }
        public void Write() { }
    }
}
