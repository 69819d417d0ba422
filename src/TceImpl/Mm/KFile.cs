using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Mm;

/// <summary>
/// An open file (STATE-4, struct file): referred to by fd table entries, possibly of several processes.
/// <see cref="Entries"/> counts those entries (LOCK-1: an atomic); when the last one goes (PROC-6) the file is
/// released in the context of the caller that removed it.
/// </summary>
/// <remarks>
/// A call in flight on the file holds <see cref="_users"/> for reading (fget/fput); the final release takes it
/// for writing once, which waits for those calls and marks the file released, so a call that looked the fd up
/// just before its last close either finishes first or sees -EBADF. This keeps every call atomic (LOCK-7)
/// where the kernel would defer the release to the last fput. The semaphore is held for writing only for that
/// instant, never while any other lock is taken.
/// </remarks>
internal abstract class KFile
{
    internal readonly IKAtomic Entries;
    readonly IKRwSemaphore _users;
    readonly ISharedCell _stateCell;
    bool _released;

    /// <param name="id">The file's number (STATE-4), for its lock and names.</param>
    /// <param name="what">What the file is ("container 1", "group 2", "device 1:0000:01:00.0"), for names.</param>
    protected KFile(ISyncLayer sync, int id, string what)
    {
        string name = $"file {id} ({what})";
        Entries = sync.CreateAtomic(name + " entries", 1);
        _users = sync.CreateRwSemaphore(LockId.FileUsers(id, what));
        _stateCell = sync.CreateCell(name + " state");
    }

    /// <summary>fget: false when the file was released meanwhile (the caller answers -EBADF, PROC-2).</summary>
    internal bool TryGet()
    {
        _users.DownRead();
        _stateCell.Read();
        if (_released)
        {
            _users.UpRead();
            return false;
        }
        return true;
    }

    /// <summary>fput of a reference taken by <see cref="TryGet"/>.</summary>
    internal void Put() => _users.UpRead();

    /// <summary>Drops one fd table entry (PROC-6); the last one releases the file in <paramref name="cur"/>'s context.</summary>
    internal void DropEntry(in Current cur)
    {
        if (Entries.Add(-1) != 0) return;
        _users.DownWrite();
        _stateCell.Write();
        _released = true;
        _users.UpWrite();
        Release(cur);
    }

    /// <summary>file_operations.unlocked_ioctl.</summary>
    internal abstract long Ioctl(in Current cur, uint cmd, ulong arg);

    /// <summary>file_operations.release (CORE-5, CORE-26, CORE-30).</summary>
    protected abstract void Release(in Current cur);
}
