using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Mm;

/// <summary>
/// A process's fd table (STATE-4) under its <c>files</c> lock (LOCK-1). The lock is a leaf (LOCK-2): nothing
/// else is taken while it is held, and it is dropped before any file is released.
/// </summary>
internal sealed class FdTable
{
    const int FirstFd = 3; // STATE-4: 0..2 are the standard streams

    readonly IKMutex _lock;
    readonly ISharedCell _cell;
    KFile?[] _fds = new KFile?[8];

    internal FdTable(int pid, ISyncLayer sync)
    {
        _lock = sync.CreateMutex(LockId.Files(pid));
        _cell = sync.CreateCell($"proc {pid} fds");
    }

    /// <summary>The file an fd refers to, or null (PROC-2). With <paramref name="takeEntry"/>, the file's entry
    /// count is raised while the entry is still known to exist (fd passing, PROC-4).</summary>
    internal KFile? Lookup(int fd, bool takeEntry = false)
    {
        _lock.Lock();
        _cell.Read();
        KFile? f = (uint)fd < (uint)_fds.Length ? _fds[fd] : null;
        if (f is not null && takeEntry) f.Entries.Add(1);
        _lock.Unlock();
        return f;
    }

    /// <summary>fd_install at the lowest free number >= 3 (STATE-4). The file's entry count already counts it.</summary>
    internal int Install(KFile file)
    {
        _lock.Lock();
        _cell.Write();
        int fd = FirstFd;
        while (fd < _fds.Length && _fds[fd] is not null) fd++;
        // Stryker disable once Equality,Boolean
        if (fd >= _fds.Length) Array.Resize(ref _fds, _fds.Length * 2);
        _fds[fd] = file;
        _lock.Unlock();
        return fd;
    }

    /// <summary>Removes an entry (PROC-6); null when the fd is not in the table (PROC-2).</summary>
    internal KFile? Remove(int fd)
    {
        _lock.Lock();
        _cell.Write();
        KFile? f = null;
        if ((uint)fd < (uint)_fds.Length)
        {
            f = _fds[fd];
            _fds[fd] = null;
        }
        _lock.Unlock();
        return f;
    }

    /// <summary>PROC-3: the child's table holds the same files under the same numbers.</summary>
    internal FdTable Dup(int childPid, ISyncLayer sync)
    {
        var child = new FdTable(childPid, sync);
        _lock.Lock();
        _cell.Read();
        child._fds = new KFile?[_fds.Length];
        for (int fd = 0; fd < _fds.Length; fd++)
        {
            var f = _fds[fd];
            if (f is null) continue;
            f.Entries.Add(1);
            child._fds[fd] = f;
        }
        _lock.Unlock();
        return child;
    }

    /// <summary>PROC-5: empties the table and returns its entries in ascending fd order, for closing.</summary>
    internal List<KFile> DetachAll()
    {
        var result = new List<KFile>();
        _lock.Lock();
        _cell.Write();
        for (int fd = 0; fd < _fds.Length; fd++)
        {
            var f = _fds[fd];
            if (f is null) continue;
            result.Add(f);
            _fds[fd] = null;
        }
        _lock.Unlock();
        return result;
    }

    /// <summary>The entries for the snapshot: raw read, callers ensure no call is in progress.</summary>
    internal IEnumerable<(int Fd, KFile File)> EntriesForDump()
    {
        var fds = _fds;
        for (int fd = 0; fd < fds.Length; fd++)
            if (fds[fd] is { } f) yield return (fd, f);
    }
}
