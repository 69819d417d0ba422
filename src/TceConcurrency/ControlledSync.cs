using TceVerify.Impl.Sync;
using TceVerify.Scheduling;

namespace TceVerify.Concurrency;

/// <summary>
/// Puts the controlled scheduler underneath TceImpl: every lock, atomic and shared-cell access of the driver
/// becomes a scheduling point of <see cref="ControlledRuntime"/>, with its name in the trace. The driver code
/// does not change; only the <see cref="ISyncLayer"/> it is built with does.
/// </summary>
public sealed class ControlledSync : ISyncLayer
{
    public static readonly ControlledSync Instance = new();

    public IKMutex CreateMutex(string name) => new Mutex(new ControlledMutex(name));
    public IKMutex CreateSpinLock(string name) => new Mutex(new ControlledMutex(name));
    public IKRwSemaphore CreateRwSemaphore(string name) => new RwSemaphore(new ControlledRwSemaphore(name));
    public IKAtomic CreateAtomic(string name, long initial) => new Atomic(new ControlledAtomic(name, initial));
    public ISharedCell CreateCell(string name) => new Cell(new SharedCell(name));

    sealed class Mutex(ControlledMutex m) : IKMutex
    {
        public void Lock() => m.Lock();
        public void Unlock() => m.Unlock();
    }

    sealed class RwSemaphore(ControlledRwSemaphore s) : IKRwSemaphore
    {
        public void DownRead() => s.DownRead();
        public void UpRead() => s.UpRead();
        public void DownWrite() => s.DownWrite();
        public void UpWrite() => s.UpWrite();
    }

    sealed class Atomic(ControlledAtomic a) : IKAtomic
    {
        public long Read() => a.Read();
        public void Set(long value) => a.Set(value);
        public long Add(long delta) => a.Add(delta);
        public long CompareExchange(long expected, long value) => a.CompareExchange(value, expected);

        // The engine's conditional operations are single atomic steps; report the value the kernel helpers return.
        public long DecrementIfPositive() => a.DecrementIfPositive() ? a.Value : a.Value - 1;
        public bool IncrementUnlessZero() => a.IncrementIfNotZero();
    }

    sealed class Cell(SharedCell c) : ISharedCell
    {
        public void Read() => c.OnRead();
        public void Write() => c.OnWrite();
    }
}
