namespace TceVerify.Impl.Sync;

/// <summary>
/// The one seam between the kernel-shaped code and the threads it runs on. Every lock and every access to
/// shared state goes through objects made here: <see cref="RealSync"/> maps them onto plain .NET primitives;
/// the concurrency tests map them onto the controlled scheduler, where each call is a scheduling point.
/// Locks are identified by a <see cref="LockId"/> (what they guard, as data); the other primitives by names, for
/// traces ("container 1 enabled", "table 1 pool 0 tces").
/// </summary>
public interface ISyncLayer
{
    IKMutex CreateMutex(LockId id);
    IKRwSemaphore CreateRwSemaphore(LockId id);
    /// <summary>A spinlock: same contract as a mutex, kept apart so traces and variants can tell them apart.</summary>
    IKMutex CreateSpinLock(LockId id);
    IKAtomic CreateAtomic(string name, long initial);
    /// <summary>A piece of shared state (a field or a range) whose accesses are scheduling points and are
    /// checked for data races.</summary>
    ISharedCell CreateCell(string name);

    /// <summary>
    /// An array of <paramref name="count"/> 64-bit words (a table's bitmap), one cell per word, named
    /// "<paramref name="name"/> word w". <paramref name="covers"/> says what word w stands for: the half-open range
    /// of the owner's indices (a table's entries) whose bits it holds, from which a checker derives the locks that
    /// guard it (LOCK-9). Null (the default, and <see cref="RealSync"/>'s answer) when the layer neither schedules
    /// nor checks word accesses: the caller then touches the words directly, so production pays one null test per
    /// word access and nothing else.
    /// </summary>
    ISharedWords? CreateWords(string name, int count, Func<long, (long First, long End)> covers) => null;
}

/// <summary>A sleeping, non-recursive, owner-released mutex (kernel struct mutex).</summary>
public interface IKMutex
{
    void Lock();
    void Unlock();
}

/// <summary>A read/write semaphore (kernel struct rw_semaphore); not recursive.</summary>
public interface IKRwSemaphore
{
    void DownRead();
    void UpRead();
    void DownWrite();
    void UpWrite();
}

/// <summary>An atomic counter (kernel atomic_t).</summary>
public interface IKAtomic
{
    long Read();
    void Set(long value);
    /// <summary>Adds and returns the new value.</summary>
    long Add(long delta);
    /// <summary>Stores <paramref name="value"/> if the counter equals <paramref name="expected"/>; returns the old value.</summary>
    long CompareExchange(long expected, long value);
    /// <summary>atomic_dec_if_positive: returns old - 1, and stores it only when it is not negative.</summary>
    long DecrementIfPositive();
    /// <summary>atomic_inc_not_zero: increments unless 0; returns whether it did.</summary>
    bool IncrementUnlessZero();
}

/// <summary>
/// Marks accesses to the words of a <see cref="ISyncLayer.CreateWords"/> array: <see cref="Read"/> right before a
/// word is loaded, <see cref="Write"/> right before it is stored. A read-modify-write of a word (set or clear a bit)
/// is a Read and then a Write, and stores what it computed from the value it loaded: under the controlled scheduler
/// both are scheduling points, so another thread may store the word in between and the update that lands last wins
/// (a lost update), as on real hardware when two CPUs update one word under different locks.
/// </summary>
public interface ISharedWords
{
    void Read(long word);
    void Write(long word);
}

/// <summary>Marks an access to shared state guarded by some lock (or by nothing, for a racy variant).</summary>
public interface ISharedCell
{
    void Read();
    void Write();
}
