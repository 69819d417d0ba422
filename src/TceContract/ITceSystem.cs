namespace TceVerify.Contract;

/// <summary>
/// The whole simulated world as a user and the host see it: system calls of processes, host-side actions,
/// and the observable state. TceModel and TceImpl both implement it; every differential check drives two
/// instances with the same calls. All results are non-negative on success or a negated errno (ABI-2).
/// </summary>
public interface ITceSystem
{
    PlatformConfig Config { get; }

    // ---- system calls of a process (PROC-1: a call by an unknown or exited pid returns -ESRCH) ----

    /// <summary>open("/dev/vfio/vfio"): a new container file (CORE-1). Returns the fd.</summary>
    long OpenContainer(int pid);

    /// <summary>open("/dev/vfio/GROUP") (CORE-20). Returns the fd.</summary>
    long OpenGroup(int pid, int groupId);

    /// <summary>ioctl(fd, cmd, arg); arg is a user address or a plain value, per command (ABI-4).</summary>
    long Ioctl(int pid, int fd, uint cmd, ulong arg);

    /// <summary>close(fd) (PROC-6).</summary>
    long Close(int pid, int fd);

    // ---- processes and memory (host side of the user world) ----

    /// <summary>fork(): a child with the same address space mappings and copies of every fd (PROC-3). Returns the child pid.</summary>
    long Fork(int pid);

    /// <summary>Passes fd from one process to another (SCM_RIGHTS) (PROC-4). Returns the new fd in the receiver.</summary>
    long PassFd(int fromPid, int fd, int toPid);

    /// <summary>The process exits: its mm goes away, then its fds are closed in ascending order (PROC-5).</summary>
    long Exit(int pid);

    /// <summary>mmap of one system page at virtual page vpage onto frame pfn (PROC-7).</summary>
    long MapUserPage(int pid, ulong vpage, long pfn, bool writable);

    /// <summary>munmap of one system page (PROC-7). Pins taken through it stay (STATE-2).</summary>
    long UnmapUserPage(int pid, ulong vpage);

    /// <summary>The harness writes user memory (like a debugger): every byte must be mapped, protection ignored (PROC-8).</summary>
    long PokeUser(int pid, ulong vaddr, ReadOnlySpan<byte> data);

    /// <summary>The harness reads user memory (PROC-8).</summary>
    long PeekUser(int pid, ulong vaddr, Span<byte> data);

    // ---- the host platform ----

    /// <summary>A host driver maps npages in the group's table through the host DMA allocator (HOST-4). Returns the first entry.</summary>
    long HostAlloc(int groupId, long npages);

    /// <summary>The host driver unmaps what HostAlloc returned (HOST-5).</summary>
    long HostFree(int groupId, long entry, long npages);

    /// <summary>A buggy host path leaves a TCE without an allocator bit (HOST-6).</summary>
    long HostWriteStale(int groupId, long entry, ulong tce);

    /// <summary>The nth next platform TCE build on the group's table fails with -EIO (HOST-7).</summary>
    long InjectTceWriteFailure(int groupId, int nth);

    /// <summary>The host kernel reuses a free frame (PAGE-3).</summary>
    long HostReuse(long pfn);

    // ---- the device (DEV) ----

    /// <summary>A device of the group DMAs <c>data.Length</c> bytes at bus address <paramref name="iova"/> (DEV-1): a
    /// read fills <paramref name="data"/> from memory, a write copies it to memory. 0, or -ENOENT/-EINVAL/-EFAULT.</summary>
    long DeviceDma(int groupId, ulong iova, DmaDirection direction, Span<byte> data);

    /// <summary>What the hardware holds beyond STATE-10 (DEV-2): the translations each table's cache holds, and every
    /// DMA access that broke INV-12(b). The model has no cache and never breaks it: empty.</summary>
    DeviceState DeviceState();

    /// <summary>The full observable state (STATE-10), canonical and comparable.</summary>
    Snapshot Snapshot();
}
