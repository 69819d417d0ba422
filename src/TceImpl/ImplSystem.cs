using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Sync;
using TceVerify.Impl.Vfio;

namespace TceVerify.Impl;

/// <summary>
/// The kernel-shaped implementation of the whole machine: the system-call layer of every process (PROC),
/// the host actions (HOST), and the observable state (STATE-10). The driver lives in Spapr/, the VFIO core in
/// Vfio/, tables in Platform/, processes and memory in Mm/.
/// </summary>
/// <remarks>
/// Safe under real threads: every lock, atomic and guarded field goes through the <see cref="ISyncLayer"/>
/// objects each component creates once (the one documented exception is the frames' counters, see
/// <see cref="Mm.PhysicalMemory"/>). Complete lock order, outermost first; LOCK-2's chain is the middle part:
/// <list type="number">
/// <item>the calling process's exit lock, read, or written by the calls that add, remove or copy its fds (two, in
/// ascending pid order, only for fd passing; LOCK-8, <see cref="CallLifetime"/>);</item>
/// <item>the fork lock, held by fork from the child's pid to its publication;</item>
/// <item>the file's in-flight reference (its "users" semaphore, read) for a call on a file;</item>
/// <item>group.lock -> (SET_CONTAINER: the container file's in-flight reference) -> container group_lock ->
/// container mutex -> table inject lock -> mmap_sem -> pool locks in ascending order (LOCK-2);</item>
/// <item>leaves, taken alone and never held across another acquisition: the pid table, a process's
/// <c>files</c> (LOCK-2), the container registry.</item>
/// </list>
/// A file's final release takes its users semaphore for writing with nothing else held.
/// <see cref="Snapshot"/> reads raw state: call it when no call is in progress (the only time STATE-10 is
/// meaningful, INV-9).
/// </remarks>
public sealed partial class ImplSystem : ITceSystem
{
    readonly KernelContext _ctx;
    readonly TaskList _tasks;
    readonly CallLifetime _life;
    readonly VfioCore _core;
    readonly VfioGroup[] _groups;
    readonly Device _device;
    readonly IKMutex _pageAllocator;

    public PlatformConfig Config { get; }

    public ImplSystem(PlatformConfig config, ISyncLayer? sync = null, KernelParts? parts = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var error = config.Validate();
        if (error is not null) throw new ArgumentException("invalid platform: " + error, nameof(config));
        foreach (var g in config.Groups)
        {
            // STATE-1: windows lie below 4 GiB; Validate's shifted sum can wrap for absurd sizes.
            // Stryker disable once Equality,Arithmetic
            if (g.ItSize > (1L << 20) || g.ItOffset + g.ItSize > (1L << 20))
                throw new ArgumentException($"invalid platform: group {g.Id}: window above 4 GiB", nameof(config));
        }
        sync ??= RealSync.Instance;
        parts ??= KernelParts.Default;
        Config = config;

        _ctx = new KernelContext(config, sync, new PhysicalMemory(config.PhysicalPages, config.PageShift), parts.Omits);
        _device = new Device(_ctx.Memory, config.PageShift);
        _pageAllocator = sync.CreateMutex(LockId.PageAllocator);

        _groups = new VfioGroup[config.Groups.Length];
        for (int i = 0; i < _groups.Length; i++)
        {
            var g = config.Groups[i];
            _groups[i] = new VfioGroup(g, parts.Table(g, _ctx), sync);
        }
        var driver = parts.Driver(_ctx);              // STATE-8: the one registered IOMMU driver
        _core = parts.Core(_ctx, driver, _groups);

        _tasks = new TaskList(sync);
        _life = parts.Lifetime(_tasks, parts.Omits);
        foreach (var p in config.Processes)
        {
            var mm = new MmStruct(p.Pid, p.RlimitMemlock, p.CapIpcLock, _ctx.Memory, config.PageShift, sync);
            foreach (var m in p.Mappings) mm.MapAtBoot(m.Vpage, m.Pfn, m.Writable);
            _tasks.AddAtBoot(new Process(p.Pid, mm, new FdTable(p.Pid, sync), sync));
        }
    }

    // ================================================================ entry and exit of a call (PROC-1, PROC-2)

    /// <summary>PROC-1: the live process making a call, its exit lock held for reading; null for -ESRCH.</summary>
    Process? EnterCall(int pid) => _life.Enter(pid);

    static void LeaveCall(Process p) => CallLifetime.Leave(p);

    /// <summary>PROC-2 fget: the file an fd refers to, with an in-flight reference; null for -EBADF.</summary>
    static KFile? Fget(Process p, int fd)
    {
        var f = p.Files.Lookup(fd);
        if (f is null || !f.TryGet()) return null;          // PROC-2
        return f;
    }

    // ================================================================ system calls

    public long OpenContainer(int pid)
    {
        var p = _life.EnterInstalling(pid);                 // LOCK-8: adds an fd
        if (p is null) return -Errno.ESRCH;                 // PROC-1
        long ret = _core.OpenContainer(new Current(p, p.Mm)); // CORE-1
        _life.LeaveInstalling(p);
        return ret;
    }

    public long OpenGroup(int pid, int groupId)
    {
        var p = _life.EnterInstalling(pid);                 // LOCK-8: adds an fd
        if (p is null) return -Errno.ESRCH;                 // PROC-1
        long ret = _core.OpenGroup(new Current(p, p.Mm), groupId); // CORE-20
        _life.LeaveInstalling(p);
        return ret;
    }

    public long Ioctl(int pid, int fd, uint cmd, ulong arg)
    {
        var p = EnterCall(pid);
        if (p is null) return -Errno.ESRCH;                 // PROC-1
        long ret;
        var f = Fget(p, fd);
        if (f is null) ret = -Errno.EBADF;                  // PROC-2
        else
        {
            ret = f.Ioctl(new Current(p, p.Mm), cmd, arg);  // CORE-2, CORE-21, CORE-31
            f.Put();
        }
        LeaveCall(p);
        return ret;
    }

    public long Close(int pid, int fd) => _life.Close(pid, fd); // PROC-6, LOCK-8

    public long Fork(int pid)
    {
        var p = _life.EnterInstalling(pid);                 // LOCK-8: copies the fd table and the address space whole
        if (p is null) return -Errno.ESRCH;                 // PROC-1
        var sync = _ctx.Sync;
        _life.LockFork();                                   // pids are published in the order they are given
        int childPid = _tasks.AllocPid();                   // STATE-3, PROC-3
        var mm = p.Mm.Dup(childPid, sync);                  // PROC-3: mappings, limits, locked_vm 0
        var files = p.Files.Dup(childPid, sync);            // PROC-3: same numbers, same files
        _tasks.Add(new Process(childPid, mm, files, sync));
        _life.UnlockFork();
        _life.LeaveInstalling(p);
        return childPid;
    }

    public long PassFd(int fromPid, int fd, int toPid)
    {
        var from = _tasks.Find(fromPid);
        if (from is null) return -Errno.ESRCH;              // PROC-4: from must be live
        var to = _tasks.Find(toPid);
        // Exit locks of both, in ascending pid order (LOCK-8): the sender's for reading, the receiver's for writing
        // (the call adds one of its fds); one process passing to itself takes its own for writing.
        var first = to is not null && to.Pid < from.Pid ? to : from;
        var second = to is not null && to != from ? (first == from ? to : from) : null;
        LockForPass(first, first == to);
        if (second is not null) LockForPass(second, second == to);

        long ret;
        if (from.Exited) ret = -Errno.ESRCH;                // PROC-4 (PROC-1)
        else
        {
            bool toLive = to is not null && !to.Exited;
            var f = from.Files.Lookup(fd, takeEntry: toLive);
            if (f is null) ret = -Errno.EBADF;              // PROC-4: fd valid in from
            else if (!toLive) ret = -Errno.ESRCH;           // PROC-4: to must exist and be live
            else ret = to!.Files.Install(f);                // PROC-4: a new fd for the same file
        }

        if (second is not null) UnlockForPass(second, second == to);
        UnlockForPass(first, first == to);
        return ret;
    }

    void LockForPass(Process p, bool receiver)
    {
        if (receiver) _life.LockReceiver(p);
        else p.ExitLock.DownRead();
    }

    void UnlockForPass(Process p, bool receiver)
    {
        if (receiver) _life.UnlockReceiver(p);
        else p.ExitLock.UpRead();
    }

    public long Exit(int pid) => _life.Exit(pid);             // PROC-5, LOCK-8

    public long MapUserPage(int pid, ulong vpage, long pfn, bool writable)
    {
        var p = EnterCall(pid);
        if (p is null) return -Errno.ESRCH;                 // PROC-1
        long ret = 0;
        if (!_ctx.Memory.IsFrame(pfn)) ret = -Errno.EINVAL; // PROC-7
        else ret = p.Mm.MapPage(vpage, pfn, writable);      // PROC-7, PAGE-4
        LeaveCall(p);
        return ret;
    }

    public long UnmapUserPage(int pid, ulong vpage)
    {
        var p = EnterCall(pid);
        if (p is null) return -Errno.ESRCH;                 // PROC-1
        long ret = p.Mm.UnmapPage(vpage);                   // PROC-7
        LeaveCall(p);
        return ret;
    }

    public long PokeUser(int pid, ulong vaddr, ReadOnlySpan<byte> data)
    {
        var p = EnterCall(pid);
        if (p is null) return -Errno.ESRCH;                 // PROC-1
        long ret = p.Mm.Poke(vaddr, data);                  // PROC-8
        LeaveCall(p);
        return ret;
    }

    public long PeekUser(int pid, ulong vaddr, Span<byte> data)
    {
        var p = EnterCall(pid);
        if (p is null) return -Errno.ESRCH;                 // PROC-1
        long ret = p.Mm.Read(vaddr, data);                  // PROC-8
        LeaveCall(p);
        return ret;
    }

    // ================================================================ host actions (HOST-1 .. HOST-7)

    public long HostAlloc(int groupId, long npages)
    {
        var g = _core.FindGroup(groupId);
        if (g is null) return -Errno.ENOENT;                // HOST-1
        return g.Table.HostAlloc(npages);                   // HOST-4
    }

    public long HostFree(int groupId, long entry, long npages)
    {
        var g = _core.FindGroup(groupId);
        if (g is null) return -Errno.ENOENT;                // HOST-1
        return g.Table.HostFree(entry, npages);             // HOST-5
    }

    public long HostWriteStale(int groupId, long entry, ulong tce)
    {
        var g = _core.FindGroup(groupId);
        if (g is null) return -Errno.ENOENT;                // HOST-1
        return g.Table.HostWriteStale(entry, tce);          // HOST-6
    }

    public long HostReuse(long pfn)
    {
        _pageAllocator.Lock();                              // PAGE-3: the host's allocator, a leaf (LOCK-3)
        long ret = _ctx.Memory.HostReuse(pfn);              // PAGE-3
        _pageAllocator.Unlock();
        return ret;
    }

    // ================================================================ the device (DEV-1)

    public long DeviceDma(int groupId, ulong iova, DmaDirection direction, Span<byte> data)
    {
        var g = _core.FindGroup(groupId);
        if (g is null) return -Errno.ENOENT;                // DEV-1, HOST-1
        return _device.Dma(g.Table, iova, direction, data); // DEV-1
    }

    /// <summary>DEV-2: every table's cached translations, and INV-12(b)'s breaches. Quiescent, like the snapshot. The
    /// differential checker asks after every command: with no device activity it allocates nothing.</summary>
    public DeviceState DeviceState()
    {
        List<CachedTranslation>? cached = null;
        foreach (var g in _groups)
            foreach (var c in g.Table.CachedForDump()) (cached ??= []).Add(c);
        var breaches = _device.BreachesForDump();
        return cached is null && breaches.Count == 0 ? Contract.DeviceState.None : new(cached ?? [], breaches);
    }

    public long InjectTceWriteFailure(int groupId, int nth)
    {
        var g = _core.FindGroup(groupId);
        if (g is null) return -Errno.ENOENT;                // HOST-1
        return g.Table.InjectWriteFailure(nth);             // HOST-7
    }
}
