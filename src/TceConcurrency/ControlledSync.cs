using TceVerify.Impl.Sync;
using TceVerify.Scheduling;

namespace TceVerify.Concurrency;

/// <summary>
/// Puts the controlled scheduler underneath TceImpl: every lock, atomic and shared-cell access of the driver
/// becomes a scheduling point of the engine's runtime, with its name in the trace. The driver code does not
/// change; only the <see cref="ISyncLayer"/> it is built with does.
/// </summary>
/// <remarks>
/// An instance made with a <see cref="LockDiscipline"/> also checks, at every lock (by its <see cref="LockId"/>) and
/// cell access, the lock order of LOCK-2 and the lock sets of LOCK-3/4/5 (see <see cref="LockDiscipline"/>); make one per iteration
/// (the discipline keeps per-thread state). Made with <c>sharedWords: false</c>, bitmap words are not reported (the
/// harness before issue 11, for measuring what the word cells find). <see cref="Quiet"/> lets a state describer read the system without
/// touching the scheduler (no scheduling point, no happens-before edge, no abort check).
/// </remarks>
public sealed class ControlledSync(LockDiscipline? discipline = null, bool sharedWords = true) : ISyncLayer
{
    /// <summary>No discipline checks: the plain mapping onto the engine's primitives.</summary>
    public static readonly ControlledSync Instance = new();

    public LockDiscipline? Discipline => discipline;

    /// <summary>While true, atomics read their value directly and cells are not reported (for describers).</summary>
    public bool Quiet { get; set; }

    public IKMutex CreateMutex(LockId id) => new Mutex(this, new ControlledMutex(id.Name), discipline?.Classify(id));
    public IKMutex CreateSpinLock(LockId id) => new Mutex(this, new ControlledMutex(id.Name, "spin_lock", "spin_unlock"), discipline?.Classify(id));
    public IKRwSemaphore CreateRwSemaphore(LockId id) => new RwSemaphore(this, new ControlledRwSemaphore(id.Name), discipline?.Classify(id));
    public IKAtomic CreateAtomic(string name, long initial) => new Atomic(this, new ControlledAtomic(name, initial));
    public ISharedCell CreateCell(string name) => new Cell(this, new SharedCell(name), discipline?.CellRule(name));

    /// <summary>One cell per word, "name word w", each with the lock rule of the entries it covers (LOCK-9): a
    /// read-modify-write of a word becomes two scheduling points, so a lost update is a schedule the engine explores.</summary>
    public ISharedWords? CreateWords(string name, int count, Func<long, (long First, long End)> covers)
    {
        if (!sharedWords) return null; // a read-modify-write of a word is then one atomic step, as before issue 11
        var cells = new Cell[count];
        for (int w = 0; w < count; w++)
        {
            string cell = $"{name} word {w}";
            var (first, end) = covers(w);
            cells[w] = new Cell(this, new SharedCell(cell), discipline?.WordRule(cell, first, end));
        }
        return new Words(cells);
    }

    sealed class Words(Cell[] cells) : ISharedWords
    {
        public void Read(long word) => cells[word].Read();
        public void Write(long word) => cells[word].Write();
    }

    sealed class Mutex(ControlledSync sync, ControlledMutex m, LockDiscipline.LockInfo? info) : IKMutex
    {
        public void Lock()
        {
            if (info is not null) sync.Discipline!.BeforeAcquire(info, write: true);
            m.Lock();
            if (info is not null) sync.Discipline!.Acquired(info, write: true);
        }

        public void Unlock()
        {
            m.Unlock();
            if (info is not null) sync.Discipline!.Released(info);
        }
    }

    sealed class RwSemaphore(ControlledSync sync, ControlledRwSemaphore s, LockDiscipline.LockInfo? info) : IKRwSemaphore
    {
        public void DownRead()
        {
            if (info is not null) sync.Discipline!.BeforeAcquire(info, write: false);
            s.DownRead();
            if (info is not null) sync.Discipline!.Acquired(info, write: false);
        }

        public void UpRead()
        {
            s.UpRead();
            if (info is not null) sync.Discipline!.Released(info);
        }

        public void DownWrite()
        {
            if (info is not null) sync.Discipline!.BeforeAcquire(info, write: true);
            s.DownWrite();
            if (info is not null) sync.Discipline!.Acquired(info, write: true);
        }

        public void UpWrite()
        {
            s.UpWrite();
            if (info is not null) sync.Discipline!.Released(info);
        }
    }

    sealed class Atomic(ControlledSync sync, ControlledAtomic a) : IKAtomic
    {
        public long Read() => sync.Quiet ? a.Value : a.Read();
        public void Set(long value) => a.Set(value);
        public long Add(long delta) => a.Add(delta);
        public long CompareExchange(long expected, long value) => a.CompareExchange(value, expected);

        // The engine's conditional operations are single atomic steps; report the value the kernel helpers return
        // (reading Value after the step is no scheduling point, so nothing ran in between).
        public long DecrementIfPositive() => a.DecrementIfPositive() ? a.Value : a.Value - 1;
        public bool IncrementUnlessZero() => a.IncrementIfNotZero();
    }

    sealed class Cell(ControlledSync sync, SharedCell c, LockDiscipline.CellInfo? rule) : ISharedCell
    {
        public void Read()
        {
            if (sync.Quiet) return;
            c.OnRead();
            if (rule is not null) sync.Discipline!.Accessed(rule, write: false);
        }

        public void Write()
        {
            if (sync.Quiet) return;
            c.OnWrite();
            if (rule is not null) sync.Discipline!.Accessed(rule, write: true);
        }
    }
}
