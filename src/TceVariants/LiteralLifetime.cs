using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;

namespace TceVerify.Variants;

/// <summary>Close and exit with the literal behaviours selected by <paramref name="literal"/>: as in Linux, they run
/// beside the process's other calls.</summary>
internal sealed class LiteralLifetime(Literal literal, TaskList tasks, Omit omits) : CallLifetime(tasks, omits)
{
    bool Has(Literal l) => (literal & l) != 0;

    // FIND-13, FIND-16, FIND-18: the fd is removed first, the file released after, while other calls of the
    // process run: a call in flight on it outlives it, and its number is free before its release is done.
    internal override long Close(int pid, int fd)
    {
        if (!Has(Literal.CloseBesideCalls)) return base.Close(pid, fd);
        var p = Enter(pid);
        if (p is null) return -Errno.ESRCH;
        long ret = 0;
        var f = p.Files.Remove(fd);
        if (f is null) ret = -Errno.EBADF;
        else f.DropEntry(new Current(p, p.Mm));
        Leave(p);
        return ret;
    }

    // FIND-16: exit marks the process exited and lets go of its exit lock before closing its fds.
    internal override long Exit(int pid)
    {
        if (!Has(Literal.ExitMarksFirst)) return base.Exit(pid);
        var p = Tasks.Find(pid);
        if (p is null) return -Errno.ESRCH;
        p.ExitLock.DownWrite();
        if (p.Exited)
        {
            p.ExitLock.UpWrite();
            return -Errno.ESRCH;
        }
        p.MarkExited();
        p.ExitLock.UpWrite();
        CloseAll(p);
        return 0;
    }
}
