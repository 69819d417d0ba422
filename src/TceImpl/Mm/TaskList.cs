using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Mm;

/// <summary>
/// The pid table: every process that ever existed, exited ones included (STATE-3). Its lock is a leaf,
/// taken alone around lookups and insertions.
/// </summary>
internal sealed class TaskList
{
    readonly IKMutex _lock;
    readonly ISharedCell _cell;

    /// <summary>Held by fork from <see cref="AllocPid"/> to <see cref="Add"/>, so children appear in pid order
    /// (a later pid is never seen before an earlier one: LOCK-7). Taken under the parent's exit lock, before
    /// anything else.</summary>
    internal readonly IKMutex ForkLock;
    readonly Dictionary<int, Process> _byPid = new();
    int _maxPid;

    internal TaskList(ISyncLayer sync)
    {
        _lock = sync.CreateMutex(LockId.TaskList);
        ForkLock = sync.CreateMutex(LockId.Fork);
        _cell = sync.CreateCell("tasklist pids");
    }

    /// <summary>Boot processes: no lock, nothing runs yet.</summary>
    internal void AddAtBoot(Process p)
    {
        _byPid.Add(p.Pid, p);
        // Stryker disable once Equality
        if (p.Pid > _maxPid) _maxPid = p.Pid;
    }

    internal Process? Find(int pid)
    {
        _lock.Lock();
        _cell.Read();
        _byPid.TryGetValue(pid, out var p);
        _lock.Unlock();
        return p;
    }

    /// <summary>STATE-3: a new pid is the largest that ever existed + 1.</summary>
    internal int AllocPid()
    {
        _lock.Lock();
        _cell.Write();
        int pid = ++_maxPid;
        _lock.Unlock();
        return pid;
    }

    /// <summary>Publishes a fully built child under the pid <see cref="AllocPid"/> gave it.</summary>
    internal void Add(Process p)
    {
        _lock.Lock();
        _cell.Write();
        _byPid.Add(p.Pid, p);
        _lock.Unlock();
    }

    /// <summary>Raw read for the snapshot (quiescent).</summary>
    internal IEnumerable<Process> AllForDump() => _byPid.Values;
}
