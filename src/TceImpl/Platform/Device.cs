using TceVerify.Contract;
using TceVerify.Impl.Mm;

namespace TceVerify.Impl.Platform;

/// <summary>
/// The machine's DMA engine (DEV-1): a device of a group reads or writes memory through the group's table and that
/// table's translation cache (DEV-2), the way the hardware does: no kernel lock, only the cache's, from its first
/// lookup to its last byte (DEV-3). It also keeps the one record no hardware keeps: every access that reached a frame
/// it may not reach (INV-12(b)), for the harness to read through <see cref="ImplSystem.DeviceState"/>.
/// </summary>
internal sealed class Device(PhysicalMemory memory, int pageShift)
{
    readonly List<DmaBreach> _breaches = [];
    readonly Lock _breachLock = new();

    /// <summary>DEV-1 on <paramref name="table"/>: 0, -EINVAL or -EFAULT (the caller answered -ENOENT).</summary>
    internal int Dma(IommuTable table, ulong iova, DmaDirection dir, Span<byte> data)
    {
        if (data.Length < 1 || data.Length > Memory.DmaMaxBytes) return -Errno.EINVAL;           // DEV-1: length
        ulong last = iova + (ulong)data.Length - 1;
        if (last < iova) return -Errno.EFAULT;                                                  // DEV-1: past 2^64
        ulong need = dir == DmaDirection.Write ? Abi.TcePciWrite : Abi.TcePciRead;
        ulong firstPage = EntryOf(iova);
        var used = new (long Entry, TranslationCache.Entry Translation)[(int)(EntryOf(last) - firstPage + 1)];

        var cache = table.Iotlb();
        cache.Lock();                                                                           // DEV-3
        try
        {
            for (int i = 0; i < used.Length; i++)                                               // DEV-1: every page first
            {
                long entry = (long)(firstPage + (ulong)i);
                if ((ulong)entry < (ulong)table.ItOffset || entry >= table.WindowEnd) return -Errno.EFAULT; // DEV-1: window
                if (!cache.TryGet(entry, out var t))
                {
                    ulong tce = table.TceForDevice(entry);                                      // DEV-2: a miss reads the TCE
                    if (!Abi.InUse(tce)) return -Errno.EFAULT;                                  // DEV-1: no translation
                    t = new TranslationCache.Entry(tce, table.OwnedByContainerForDevice);
                    cache.Fill(entry, t);                                                       // DEV-2: the cache keeps it
                }
                if ((t.Tce & need) == 0) return -Errno.EFAULT;                                  // DEV-1: no permission
                ulong phys = t.Tce & Abi.IommuPageMask;
                if (!IsUserMemory(phys) && phys < Memory.HostDmaBase) return -Errno.EFAULT;    // DEV-1: no such memory
                used[i] = (entry, t);
            }

            int done = 0;
            foreach (var (entry, t) in used)
            {
                ulong addr = iova + (ulong)done;
                int offset = (int)(addr & ~Abi.IommuPageMask);
                int chunk = Math.Min(data.Length - done, (int)Abi.IommuPageSize - offset);
                ulong phys = (t.Tce & Abi.IommuPageMask) + (ulong)offset;
                if (t.OwnedAtFill) CheckReach(table, entry, t, phys);                           // INV-12(b)
                var bytes = data.Slice(done, chunk);
                if (!IsUserMemory(phys))
                {
                    if (dir == DmaDirection.Read) bytes.Clear();                                // DEV-1: host memory reads 0
                }
                else
                {
                    long pfn = FrameOf(phys);
                    int inPage = (int)(phys & ((1UL << pageShift) - 1));
                    if (dir == DmaDirection.Read) memory.Read(pfn, inPage, bytes);              // DEV-1
                    else memory.Write(pfn, inPage, bytes);                                      // DEV-1: bytes only, no dirty bit
                }
                done += chunk;
            }
            return 0;
        }
        finally
        {
            cache.Unlock();
        }
    }

    bool IsUserMemory(ulong phys) => phys < (ulong)memory.Frames << pageShift;

    /// <summary>The IOMMU page (the table entry) of a bus address.</summary>
    // Stryker disable once Bitwise
    static ulong EntryOf(ulong addr) => addr >> Abi.IommuPageShift;

    /// <summary>The frame holding a physical address.</summary>
    // Stryker disable once Bitwise
    long FrameOf(ulong phys) => (long)(phys >> pageShift);

    /// <summary>INV-12(b): an access through a translation made while a container owned the table must reach a frame
    /// still pinned for it: not host memory, not a free or host-held (reused) frame.</summary>
    void CheckReach(IommuTable table, long entry, TranslationCache.Entry t, ulong phys)
    {
        string? why = !IsUserMemory(phys)
            ? "host memory"
            : memory.WhyUnreachable(FrameOf(phys));
        if (why is null) return;
        lock (_breachLock) _breaches.Add(new DmaBreach(table.GroupId, entry, t.Tce, FrameOf(phys), why));
    }

    /// <summary>Every INV-12(b) breach so far (quiescent).</summary>
    internal IReadOnlyList<DmaBreach> BreachesForDump()
    {
        lock (_breachLock) return _breaches.Count == 0 ? [] : _breaches.ToList();
    }
}
