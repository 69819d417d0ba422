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

    internal PhysicalMemory(long frames, int pageShift)
    {
        _frames = frames;
        _pageSize = 1 << pageShift;
        _pins = new int[frames];
        _dirty = new ulong[Bitmap.Words(frames)];
        // Stryker disable once Bitwise,Arithmetic
        _bytes = new byte[]?[]?[(frames + ChunkSize - 1) >> ChunkShift];
        _zeroPage = new byte[_pageSize];
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
