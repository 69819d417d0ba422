using TceVerify.Contract;
using TceVerify.Impl.Platform;

namespace TceVerify.Impl.Mm;

/// <summary>
/// The machine's physical frames (STATE-2): a reference count, a dirty bit and the bytes of each frame.
/// </summary>
/// <remarks>
/// Documented exception to "everything through ISyncLayer": frames are hardware-like memory shared by every
/// process and table, and a machine may have 2^24 of them, so an ISyncLayer object per frame is out of the
/// question. Reference counts and dirty bits are updated with single atomic instructions (Interlocked), the
/// same as the kernel's atomic page counts; they are never guarded by a lock, so there is nothing for a
/// race detector to check, and the scheduling points around them (mmap_sem, pool locks) already order them.
/// Page bytes are user memory, racy by nature (two processes may write one frame); only their lazy
/// allocation is published atomically.
/// A frame's life (PAGE-1 .. PAGE-4: how many address spaces map it, its generation and owner) changes only on the
/// rare calls that map, unmap or reuse frames, under one plain lock of the machine's: a frame is free when nobody pins
/// it, nothing maps it and the host does not hold it, and that must be decided and acted on in one step. No
/// scheduling point lies inside, so under the controlled scheduler the lock is never contended. Pins need no part in
/// it: a frame no address space maps cannot gain a pin (TBL-6 pins through a mapping), so "unmapped and unpinned"
/// stays true until a map under this lock.
/// </remarks>
internal sealed class PhysicalMemory
{
    const int ChunkShift = 10;               // frames per lazily allocated block of page pointers
    const int ChunkSize = 1 << ChunkShift;

    readonly long _frames;
    readonly int _pageSize;
    readonly int[] _pins;                    // refcount(pfn) - BaseRefCount(pfn)
    readonly ulong[] _dirty;                 // one bit per frame
    readonly byte[]?[]?[] _bytes;            // [pfn >> ChunkShift][pfn & (ChunkSize - 1)], allocated on first write
    readonly byte[] _zeroPage;
    readonly int[] _maps;                    // PAGE-1: address-space mappings of the frame
    readonly long[] _generation;             // PAGE-2
    readonly int[] _owner;                   // PAGE-2: FrameOwner.None, FrameOwner.Host or a pid
    readonly Lock _life = new();

    internal PhysicalMemory(long frames, int pageShift)
    {
        _frames = frames;
        _pageSize = 1 << pageShift;
        _pins = new int[frames];
        _dirty = new ulong[Bitmap.Words(frames)];
        // Stryker disable once Bitwise,Arithmetic
        _bytes = new byte[]?[]?[(frames + ChunkSize - 1) >> ChunkShift];
        _zeroPage = new byte[_pageSize];
        _maps = new int[frames];
        _generation = new long[frames];
        _owner = new int[frames];
    }

    /// <summary>The chunk of page pointers holding frame <paramref name="pfn"/>.</summary>
    // Stryker disable once Bitwise
    static long ChunkOf(long pfn) => pfn >> ChunkShift;

    internal long Frames => _frames;
    internal int PageSize => _pageSize;

    /// <summary>STATE-2: frames 0 .. PhysicalPages-1; host memory (HostDmaBase and up) is not a frame.</summary>
    internal bool IsFrame(long pfn) => (ulong)pfn < (ulong)_frames;

    /// <summary>get_page: a pin adds 1 (STATE-2). Callers pass a frame found in an address space.</summary>
    internal void Get(long pfn) => Interlocked.Increment(ref _pins[pfn]);

    /// <summary>put_page: removes 1. A value that names no frame (host memory, HOST-5) has no count: ignored.</summary>
    internal void Put(long pfn)
    {
        if (!IsFrame(pfn)) return;
        Interlocked.Decrement(ref _pins[pfn]);
    }

    /// <summary>SetPageDirty (TBL-7); ignored for a value that names no frame.</summary>
    internal void SetDirty(long pfn)
    {
        if (!IsFrame(pfn)) return;
        Interlocked.Or(ref _dirty[Bitmap.WordOf(pfn)], 1UL << (int)(pfn & 63));
    }

    internal long RefCount(long pfn) => Memory.BaseRefCount(pfn) + Volatile.Read(ref _pins[pfn]);

    internal bool IsDirty(long pfn) => (Volatile.Read(ref _dirty[Bitmap.WordOf(pfn)]) & (1UL << (int)(pfn & 63))) != 0;

    // ---------------------------------------------------------------- the life of a frame (PAGE-1 .. PAGE-4)

    /// <summary>PAGE-1 (caller holds <see cref="_life"/>, or the machine is quiescent).</summary>
    bool IsFreeLocked(long pfn) => Volatile.Read(ref _pins[pfn]) == 0 && _maps[pfn] == 0 && _owner[pfn] != FrameOwner.Host;

    /// <summary>PAGE-2: a free frame is given to <paramref name="owner"/>.</summary>
    void ReuseLocked(long pfn, int owner)
    {
        _generation[pfn]++;
        _owner[pfn] = owner;
    }

    /// <summary>PROC-7 / PAGE-4, for mmap, fork and boot: -EBUSY when the host holds the frame; else one more mapping
    /// (an mmap reuses nothing: only the host does, PAGE-3).</summary>
    internal int MapFrame(long pfn)
    {
        lock (_life)
        {
            if (_owner[pfn] == FrameOwner.Host) return -Errno.EBUSY;    // PAGE-4: the host holds it
            _maps[pfn]++;
            return 0;
        }
    }

    /// <summary>PROC-7 munmap, PROC-5 exit: one mapping fewer (the frame may become free, PAGE-1).</summary>
    internal void UnmapFrame(long pfn)
    {
        lock (_life) _maps[pfn]--;
    }

    /// <summary>PAGE-3 host_reuse: -EINVAL for a non-frame, -EBUSY unless free; else the host takes the frame and
    /// writes its data over the first <see cref="Memory.HostReuseBytes"/> bytes.</summary>
    internal int HostReuse(long pfn)
    {
        if (!IsFrame(pfn)) return -Errno.EINVAL;                         // PAGE-3
        lock (_life)
        {
            if (!IsFreeLocked(pfn)) return -Errno.EBUSY;                 // PAGE-3, PAGE-1
            ReuseLocked(pfn, FrameOwner.Host);                           // PAGE-3, PAGE-2
            WritablePage(pfn).AsSpan(0, Memory.HostReuseBytes).Fill(Memory.HostReuseByte); // PAGE-3: the host's data
            return 0;
        }
    }

    /// <summary>INV-12(b): why a DMA may not touch the frame now, or null when it may (the device's own check, at every
    /// access). Only the host reuses frames and never gives one back (PAGE-3), so a reused frame is a host-held one.</summary>
    internal string? WhyUnreachable(long pfn)
    {
        lock (_life)
        {
            if (_owner[pfn] == FrameOwner.Host) return $"a frame the host holds (PAGE-3, generation {_generation[pfn]})";
            if (IsFreeLocked(pfn)) return "a free frame nobody pins (PAGE-1)";
            return null;
        }
    }

    internal long Generation(long pfn) => Volatile.Read(ref _generation[pfn]);

    internal int Owner(long pfn) => Volatile.Read(ref _owner[pfn]);

    /// <summary>The bytes of a frame, or a shared zero page when it was never written. Read-only view.</summary>
    internal ReadOnlySpan<byte> PageBytes(long pfn) => Page(pfn) ?? _zeroPage;

    /// <summary>The frame's bytes when they were ever written, else null (for the snapshot).</summary>
    internal byte[]? Page(long pfn)
    {
        var chunk = Volatile.Read(ref _bytes[ChunkOf(pfn)]);
        return chunk is null ? null : Volatile.Read(ref chunk[pfn & (ChunkSize - 1)]);
    }

    internal void Read(long pfn, int offset, Span<byte> dst) => PageBytes(pfn).Slice(offset, dst.Length).CopyTo(dst);

    internal void Write(long pfn, int offset, ReadOnlySpan<byte> src) => src.CopyTo(WritablePage(pfn).AsSpan(offset));

    byte[] WritablePage(long pfn)
    {
        ref var chunkSlot = ref _bytes[ChunkOf(pfn)];
        var chunk = Volatile.Read(ref chunkSlot);
        if (chunk is null)
        {
            var fresh = new byte[]?[ChunkSize];
            chunk = Interlocked.CompareExchange(ref chunkSlot, fresh, null) ?? fresh;
        }
        ref var pageSlot = ref chunk[pfn & (ChunkSize - 1)];
        var page = Volatile.Read(ref pageSlot);
        if (page is null)
        {
            var fresh = new byte[_pageSize];
            page = Interlocked.CompareExchange(ref pageSlot, fresh, null) ?? fresh;
        }
        return page;
    }
}
