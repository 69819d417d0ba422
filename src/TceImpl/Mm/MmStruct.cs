using TceVerify.Contract;
using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Mm;

/// <summary>
/// A process's mm (STATE-3): <c>locked_vm</c>, the memlock limit, CAP_IPC_LOCK, and the address space
/// (virtual page -> frame, writable), all under <see cref="MmapSem"/>. The user-memory primitives here
/// take mmap_sem themselves (for reading), the way a page fault or get_user_pages would.
/// </summary>
internal sealed class MmStruct
{
    /// <summary>mmap_sem (LOCK-1): address space changes and charges (LOCK-5) hold it for writing.</summary>
    internal readonly IKRwSemaphore MmapSem;
    /// <summary>The <see cref="LockedVm"/> field; accessed only under <see cref="MmapSem"/> held for writing.</summary>
    internal readonly ISharedCell LockedVmCell;
    readonly ISharedCell _vmCell;

    /// <summary>Charged system pages (EN-5, DIS-2). Signed: a literal variant can drive it below zero (FIND-4).</summary>
    internal long LockedVm;
    internal readonly ulong RlimitMemlock;
    internal readonly bool CapIpcLock;

    readonly Dictionary<ulong, long> _vm = new();   // vpage -> (pfn << 1) | writable
    readonly PhysicalMemory _mem;
    readonly int _pageShift;
    readonly ulong _pageOffsetMask;

    /// <summary>The frame of a packed <see cref="_vm"/> value.</summary>
    // Stryker disable once Bitwise
    internal static long FrameOf(long v) => v >> 1;

    /// <summary>The virtual page holding a user address.</summary>
    // Stryker disable once Bitwise
    ulong VpageOf(ulong addr) => addr >> _pageShift;

    internal MmStruct(int pid, ulong rlimitMemlock, bool capIpcLock, PhysicalMemory mem, int pageShift, ISyncLayer sync)
    {
        RlimitMemlock = rlimitMemlock;
        CapIpcLock = capIpcLock;
        _mem = mem;
        _pageShift = pageShift;
        _pageOffsetMask = (1UL << pageShift) - 1;
        MmapSem = sync.CreateRwSemaphore(LockId.MmapSem(pid));
        LockedVmCell = sync.CreateCell($"proc {pid} locked_vm");
        _vmCell = sync.CreateCell($"proc {pid} vm");
    }

    // ---------------------------------------------------------------- address space (PROC-3, PROC-5, PROC-7)

    /// <summary>Boot mapping: no lock, the mm is not shared yet.</summary>
    internal void MapAtBoot(ulong vpage, long pfn, bool writable)
    {
        if (_vm.TryGetValue(vpage, out long old)) _mem.UnmapFrame(FrameOf(old));
        _mem.MapFrame(pfn);
        _vm[vpage] = (pfn << 1) | (writable ? 1L : 0L);
    }

    /// <summary>PROC-7 mmap: replaces any mapping of the page; -EBUSY for a frame the host holds (PAGE-4). The caller
    /// checked that <paramref name="pfn"/> is a frame.</summary>
    internal int MapPage(ulong vpage, long pfn, bool writable)
    {
        MmapSem.DownWrite();
        _vmCell.Write();
        int ret = _mem.MapFrame(pfn);                                   // PAGE-4
        if (ret == 0)
        {
            if (_vm.TryGetValue(vpage, out long old)) _mem.UnmapFrame(FrameOf(old)); // PROC-7: the mapping replaced
            _vm[vpage] = (pfn << 1) | (writable ? 1L : 0L);             // PROC-7
        }
        MmapSem.UpWrite();
        return ret;
    }

    /// <summary>PROC-7 munmap: -EINVAL when not mapped. Pins taken through the page stay (STATE-2).</summary>
    internal int UnmapPage(ulong vpage)
    {
        MmapSem.DownWrite();
        _vmCell.Write();
        bool removed = _vm.Remove(vpage, out long old);
        if (removed) _mem.UnmapFrame(FrameOf(old));                     // PAGE-1: the frame may become free
        MmapSem.UpWrite();
        return removed ? 0 : -Errno.EINVAL; // PROC-7
    }

    /// <summary>PROC-5 exit_mmap: the address space is emptied; locked_vm stays (STATE-3).</summary>
    internal void ExitMmap()
    {
        MmapSem.DownWrite();
        _vmCell.Write();
        foreach (var v in _vm.Values) _mem.UnmapFrame(FrameOf(v));     // PAGE-1
        _vm.Clear();
        MmapSem.UpWrite();
    }

    /// <summary>PROC-3 dup_mm: a new mm with the parent's mappings and limits, <c>locked_vm = 0</c>.</summary>
    internal MmStruct Dup(int childPid, ISyncLayer sync)
    {
        var child = new MmStruct(childPid, RlimitMemlock, CapIpcLock, _mem, _pageShift, sync);
        MmapSem.DownRead();
        _vmCell.Read();
        foreach (var (vpage, v) in _vm)
        {
            _mem.MapFrame(FrameOf(v));                                   // PROC-3: shared with the parent
            child._vm[vpage] = v;
        }
        MmapSem.UpRead();
        return child;
    }

    // ---------------------------------------------------------------- get_user_pages (TBL-6)

    /// <summary>
    /// Pins the system page holding <paramref name="uaddr"/> (TBL-6): unmapped, or <paramref name="write"/> on a
    /// read-only page -> -EFAULT and nothing pinned; else the frame's count + 1 and its number returned. Takes
    /// <see cref="MmapSem"/> for reading unless the caller holds it (<paramref name="mmapSemHeld"/>, MAP-10).
    /// </summary>
    internal int GetUserPage(ulong uaddr, bool write, out long pfn, bool mmapSemHeld = false)
    {
        if (!mmapSemHeld) MmapSem.DownRead();
        _vmCell.Read();
        if (!_vm.TryGetValue(VpageOf(uaddr), out long v))
        {
            if (!mmapSemHeld) MmapSem.UpRead();
            // Stryker disable once Unary
            pfn = -1;
            return -Errno.EFAULT; // TBL-6: unmapped
        }
        if (write && (v & 1) == 0)
        {
            if (!mmapSemHeld) MmapSem.UpRead();
            // Stryker disable once Unary
            pfn = -1;
            return -Errno.EFAULT; // TBL-6: the device would write a read-only page
        }
        pfn = FrameOf(v);
        _mem.Get(pfn);
        if (!mmapSemHeld) MmapSem.UpRead();
        return 0;
    }

    // ---------------------------------------------------------------- user memory (ABI-5, ABI-6, ABI-10, PROC-8)

    /// <summary>
    /// ABI-5 / PROC-8 read: every byte of <c>[addr, addr + n)</c> must lie in a mapped page and the range must
    /// not run past 2^64, else -EFAULT with nothing read. Protection does not matter for reads.
    /// </summary>
    internal int Read(ulong addr, Span<byte> dst)
    {
        if (dst.Length == 0) return 0;
        if ((ulong)(dst.Length - 1) > ulong.MaxValue - addr) return -Errno.EFAULT; // ABI-5: wraps past 2^64
        MmapSem.DownRead();
        _vmCell.Read();
        if (!AllMapped(addr, dst.Length))
        {
            MmapSem.UpRead();
            return -Errno.EFAULT; // ABI-5: a byte in an unmapped page
        }
        int done = 0;
        ulong a = addr;
        while (done < dst.Length)
        {
            int off = (int)(a & _pageOffsetMask);
            int chunk = Math.Min(dst.Length - done, _mem.PageSize - off);
            _mem.Read(FrameOf(_vm[VpageOf(a)]), off, dst.Slice(done, chunk));
            done += chunk;
            a += (ulong)chunk;
        }
        MmapSem.UpRead();
        return 0;
    }

    /// <summary>
    /// ABI-6 copy_to_user: bytes in ascending order, stopping at the first byte whose page is unmapped or
    /// read-only (or that would lie past 2^64); the bytes before the stop stay written. -EFAULT if it stopped.
    /// </summary>
    internal int WriteUser(ulong addr, ReadOnlySpan<byte> src)
    {
        if (src.Length == 0) return 0;
        MmapSem.DownRead();
        _vmCell.Read();
        int done = 0;
        ulong a = addr;
        while (done < src.Length)
        {
            if (!_vm.TryGetValue(VpageOf(a), out long v) || (v & 1) == 0) break; // ABI-6: unmapped or read-only
            int off = (int)(a & _pageOffsetMask);
            int chunk = Math.Min(src.Length - done, _mem.PageSize - off);
            _mem.Write(FrameOf(v), off, src.Slice(done, chunk));
            done += chunk;
            a += (ulong)chunk;
            if (a == 0) break; // the next byte would lie past 2^64
        }
        MmapSem.UpRead();
        return done == src.Length ? 0 : -Errno.EFAULT;
    }

    /// <summary>PROC-8 poke: all bytes mapped (protection ignored) and no wrap, else -EFAULT and nothing written.</summary>
    internal int Poke(ulong addr, ReadOnlySpan<byte> src)
    {
        if (src.Length == 0) return 0;
        if ((ulong)(src.Length - 1) > ulong.MaxValue - addr) return -Errno.EFAULT; // PROC-8: wraps
        MmapSem.DownRead();
        _vmCell.Read();
        if (!AllMapped(addr, src.Length))
        {
            MmapSem.UpRead();
            return -Errno.EFAULT; // PROC-8: a byte in an unmapped page
        }
        int done = 0;
        ulong a = addr;
        while (done < src.Length)
        {
            int off = (int)(a & _pageOffsetMask);
            int chunk = Math.Min(src.Length - done, _mem.PageSize - off);
            _mem.Write(FrameOf(_vm[VpageOf(a)]), off, src.Slice(done, chunk));
            done += chunk;
            a += (ulong)chunk;
        }
        MmapSem.UpRead();
        return 0;
    }

    /// <summary>
    /// ABI-10 strndup_user: the bytes at <paramref name="addr"/> up to the first NUL, at most
    /// <paramref name="max"/> of them. A byte in an unmapped page (or past 2^64) before the NUL -> -EFAULT;
    /// no NUL within <paramref name="max"/> bytes -> -EINVAL.
    /// </summary>
    internal int ReadString(ulong addr, int max, out byte[]? result)
    {
        result = null;
        MmapSem.DownRead();
        _vmCell.Read();
        int length = -1;
        int scanned = 0;
        ulong a = addr;
        while (scanned < max)
        {
            if (scanned > 0 && a == 0) break; // ran past 2^64: treated as unmapped
            if (!_vm.TryGetValue(VpageOf(a), out long v))
            {
                MmapSem.UpRead();
                return -Errno.EFAULT; // ABI-10: unmapped before the NUL
            }
            int off = (int)(a & _pageOffsetMask);
            int chunk = Math.Min(max - scanned, _mem.PageSize - off);
            int nul = _mem.PageBytes(FrameOf(v)).Slice(off, chunk).IndexOf((byte)0);
            if (nul >= 0)
            {
                length = scanned + nul;
                break;
            }
            scanned += chunk;
            a += (ulong)chunk;
        }
        if (length < 0)
        {
            MmapSem.UpRead();
            // ABI-10: a wrap before the NUL is a fault; no NUL within the page-size limit is -EINVAL
            return scanned < max ? -Errno.EFAULT : -Errno.EINVAL;
        }
        var s = new byte[length];
        int done = 0;
        a = addr;
        while (done < length)
        {
            int off = (int)(a & _pageOffsetMask);
            int chunk = Math.Min(length - done, _mem.PageSize - off);
            _mem.Read(FrameOf(_vm[VpageOf(a)]), off, s.AsSpan(done, chunk));
            done += chunk;
            a += (ulong)chunk;
        }
        MmapSem.UpRead();
        result = s;
        return 0;
    }

    bool AllMapped(ulong addr, int length)
    {
        ulong first = VpageOf(addr);
        ulong last = VpageOf(addr + (ulong)(length - 1));
        for (ulong vp = first; ; vp++)
        {
            if (!_vm.ContainsKey(vp)) return false;
            if (vp == last) return true;
        }
    }

    // ---------------------------------------------------------------- observation (quiescent)

    /// <summary>The address space for the snapshot: raw read, callers ensure no call is in progress.</summary>
    internal IEnumerable<KeyValuePair<ulong, long>> MappingsForDump() => _vm;
}
