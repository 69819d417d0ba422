using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Mm;

/// <summary>
/// A process (STATE-3): pid, mm, fd table. Every call made on its behalf holds <see cref="ExitLock"/> for
/// reading from its PROC-1 check to its return; <c>exit</c>, and every call that adds, removes or copies the
/// process's fds, holds it for writing for its whole run (LOCK-8, <see cref="CallLifetime"/>), so (like
/// exit_group, which waits for the other threads to leave the kernel) a call either completes before the exit
/// or is refused with -ESRCH, and no call sees a close or an exit half done. Outermost lock of every call; two
/// are taken only by fd passing, in ascending pid order.
/// </summary>
internal sealed class Process
{
    internal readonly int Pid;
    internal readonly MmStruct Mm;
    internal readonly FdTable Files;
    internal readonly IKRwSemaphore ExitLock;
    readonly ISharedCell _stateCell;
    bool _exited;

    internal Process(int pid, MmStruct mm, FdTable files, ISyncLayer sync)
    {
        Pid = pid;
        Mm = mm;
        Files = files;
        ExitLock = sync.CreateRwSemaphore(LockId.ProcessExit(pid));
        _stateCell = sync.CreateCell($"proc {pid} state");
    }

    /// <summary>PROC-1: has exited. Read under <see cref="ExitLock"/>.</summary>
    internal bool Exited
    {
        get
        {
            _stateCell.Read();
            return _exited;
        }
    }

    /// <summary>PROC-5: marks the process exited; the caller holds <see cref="ExitLock"/> for writing.</summary>
    internal void MarkExited()
    {
        _stateCell.Write();
        _exited = true;
    }

    /// <summary>Raw read for the snapshot (quiescent).</summary>
    internal bool ExitedForDump => _exited;
}
