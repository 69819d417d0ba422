using TceVerify.Contract;

namespace TceVerify.Impl.Mm;

/// <summary>
/// LOCK-8, call lifetime: how a call holds its process's exit lock, and the two calls that end a life, close
/// (PROC-6) and exit (PROC-5). A call of a process holds the exit lock for reading from its PROC-1 check to its
/// return; a call that adds or removes one of the process's fds, or copies its table, holds it for writing, so it
/// runs alone in its process and every other call of the process sees it whole (the fd gone only once its release
/// has completed; the process exited only once its files are closed).
/// </summary>
/// <remarks>Catalog hooks: <see cref="Close"/> and <see cref="Exit"/> are virtual (FIND-13, FIND-16, FIND-18). FIND-22's literal code,
/// which numbers and installs in separate steps beside the process's other calls, omits
/// <see cref="Omit.InstallAlone"/>.</remarks>
internal class CallLifetime(TaskList tasks, Omit omits = Omit.None)
{
    protected TaskList Tasks => tasks;

    /// <summary>PROC-1: the live process making a call, its exit lock held for reading; null for -ESRCH.</summary>
    internal Process? Enter(int pid) => Enter(pid, exclusive: false);

    /// <summary>PROC-1 for a call that adds, removes or copies fds (LOCK-8): the exit lock held for writing.</summary>
    internal Process? EnterExclusive(int pid) => Enter(pid, exclusive: true);

    internal static void Leave(Process p) => p.ExitLock.UpRead();

    internal static void LeaveExclusive(Process p) => p.ExitLock.UpWrite();

    /// <summary>Whether a call that installs fds in a process or copies it (open_container, open_group, pass_fd into it,
    /// fork) runs alone in that process (LOCK-8, FIND-22).</summary>
    bool InstallsAlone => (omits & Omit.InstallAlone) == 0;

    /// <summary>PROC-1 for a call that installs fds or copies the process (<see cref="InstallsAlone"/>).</summary>
    internal Process? EnterInstalling(int pid) => Enter(pid, InstallsAlone);

    internal void LeaveInstalling(Process p)
    {
        if (InstallsAlone) p.ExitLock.UpWrite();
        else p.ExitLock.UpRead();
    }

    /// <summary>The receiving process's exit lock for fd passing (PROC-4): for writing, as it gets an fd.</summary>
    internal void LockReceiver(Process p)
    {
        if (InstallsAlone) p.ExitLock.DownWrite();
        else p.ExitLock.DownRead();
    }

    internal void UnlockReceiver(Process p) => LeaveInstalling(p);

    /// <summary>fork's lock, from the child's pid to its publication: children appear in pid order (LOCK-8, FIND-22).</summary>
    internal void LockFork()
    {
        if (InstallsAlone) tasks.ForkLock.Lock();
    }

    internal void UnlockFork()
    {
        if (InstallsAlone) tasks.ForkLock.Unlock();
    }

    protected Process? Enter(int pid, bool exclusive)
    {
        var p = tasks.Find(pid);
        if (p is null) return null;                         // PROC-1: no such pid
        if (exclusive) p.ExitLock.DownWrite();
        else p.ExitLock.DownRead();
        if (!p.Exited) return p;
        if (exclusive) p.ExitLock.UpWrite();
        else p.ExitLock.UpRead();
        return null;                                        // PROC-1: exited
    }

    /// <summary>PROC-6 close, alone in its process (LOCK-8): the entry is removed and, if it was the file's last, the
    /// file released, before any other call of the process runs.</summary>
    internal virtual long Close(int pid, int fd)
    {
        var p = EnterExclusive(pid);
        if (p is null) return -Errno.ESRCH;                 // PROC-1
        long ret = 0;
        var f = p.Files.Remove(fd);
        if (f is null) ret = -Errno.EBADF;                  // PROC-2
        else f.DropEntry(new Current(p, p.Mm));             // PROC-6: the last entry releases the file here
        LeaveExclusive(p);
        return ret;
    }

    /// <summary>PROC-5 exit, as one step of the process (LOCK-8): marked exited, address space emptied, every fd
    /// closed, before the exit lock is given up; calls of the process in flight finish first.</summary>
    internal virtual long Exit(int pid)
    {
        var p = EnterExclusive(pid);
        if (p is null) return -Errno.ESRCH;                 // PROC-1
        p.MarkExited();                                     // PROC-5
        CloseAll(p);
        LeaveExclusive(p);
        return 0;
    }

    /// <summary>PROC-5 after the mark: every fd closed in ascending order with no mm (STATE-9), then the address space
    /// emptied (pins stay). The kernel empties the address space first; emptying it last (adopted, FIND-31) makes the
    /// frames the exit frees become free at one step, after the releases have put their pins (PAGE-1, PAGE-3).</summary>
    protected static void CloseAll(Process p)
    {
        var cur = new Current(p, null);                     // PROC-5, STATE-9: no mm from here on
        foreach (var f in p.Files.DetachAll())              // PROC-5: ascending fd order
            f.DropEntry(cur);                               // PROC-6
        p.Mm.ExitMmap();                                    // PROC-5 (adopted, FIND-31): address space emptied, pins stay
    }
}
