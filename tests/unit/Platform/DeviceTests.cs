using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Sync;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

/// <summary>The hardware beside the table (DEV-1 .. DEV-4): the DMA engine, the translation cache, and the record of
/// accesses that broke INV-12(b), on one table of its own.</summary>
public sealed class DeviceTests
{
    static (IommuTable Table, PhysicalMemory Memory, Device Device) Machine(KernelParts? parts = null)
    {
        var g = new GroupConfig(1, 0x40, 64, 4, true, ["0000:01:00.0"]);
        var config = PlatformConfig.Small(12) with { Groups = [g] };
        var mem = new PhysicalMemory(config.PhysicalPages, 12);
        var ctx = new KernelContext(config, RealSync.Instance, mem, parts?.Omits ?? Omit.None);
        var table = (parts ?? KernelParts.Default).Table(g, ctx);
        return (table, mem, new Device(mem, 12));
    }

    static ulong Iova(long entry, int offset = 0) => ((ulong)entry << 12) + (ulong)offset;

    /// <summary>A TCE for frame <paramref name="pfn"/> built as MAP does it: the page pinned first.</summary>
    static void Build(IommuTable t, PhysicalMemory mem, long entry, long pfn, ulong perms = Abi.TcePermMask)
    {
        mem.Get(pfn);
        Assert.Equal(0, t.Build(entry, ((ulong)pfn << 12) | perms));
        t.Flush();
    }

    [Fact]
    [Spec("DEV-2", "DEV-3", "DEV-4", "TBL-8")]
    public void The_cache_exists_from_the_first_DMA_and_only_the_flush_empties_it()
    {
        var (t, mem, dev) = Machine(KernelParts.Default with { Omits = Omit.UnmapFlush }); // the clear below does not flush
        t.Flush();
        Assert.Empty(t.CachedForDump());                                   // DEV-4: a flush makes no cache
        Build(t, mem, 0x41, 3);
        var data = new byte[8];
        Assert.Equal(0, dev.Dma(t, Iova(0x41), DmaDirection.Read, data));
        Assert.Equal([new CachedTranslation(1, 0x41, (3UL << 12) | Abi.TcePermMask)], t.CachedForDump());
        Assert.Equal(0, t.ClearAndPut(0x41, 1, Omit.None, Omit.UnmapFlush)); // a clear alone ...
        Assert.NotEmpty(t.CachedForDump());                                // ... leaves the cache (DEV-2)
        t.Flush();
        Assert.Empty(t.CachedForDump());                                   // DEV-3
    }

    [Fact]
    [Spec("DEV-1")]
    public void A_dma_checks_every_page_before_it_touches_one()
    {
        var (t, mem, dev) = Machine();
        Build(t, mem, 0x41, 3);
        Build(t, mem, 0x42, 4, Abi.TcePciRead);                            // the device may read 4, not write it
        var data = Enumerable.Repeat((byte)0xD1, 0x1800).ToArray();
        Assert.Equal(-Errno.EFAULT, dev.Dma(t, Iova(0x41, 0x800), DmaDirection.Write, data));
        Assert.Equal(0, mem.PageBytes(3)[0xfff]);                          // nothing written on page one either
        Assert.Equal(0, dev.Dma(t, Iova(0x41, 0x800), DmaDirection.Write, data.AsSpan(0, 0x800)));
        Assert.Equal(0xD1, mem.PageBytes(3)[0xfff]);
        Assert.False(mem.IsDirty(3));                                      // DEV-1: bytes only, the dirty bit is TBL-7's
        Assert.Equal(-Errno.EINVAL, dev.Dma(t, Iova(0x41), DmaDirection.Read, []));
        Assert.Equal(-Errno.EINVAL, dev.Dma(t, Iova(0x41), DmaDirection.Read, new byte[Memory.DmaMaxBytes + 1]));
        Assert.Equal(-Errno.EFAULT, dev.Dma(t, ulong.MaxValue - 3, DmaDirection.Read, new byte[8]));
        Assert.Equal(-Errno.EFAULT, dev.Dma(t, Iova(0x3f), DmaDirection.Read, new byte[8]));   // below the window
        Assert.Equal(-Errno.EFAULT, dev.Dma(t, Iova(0x80), DmaDirection.Read, new byte[8]));   // past it
    }

    [Fact]
    [Spec("INV-12", "TBL-7", "FIND-26", "PAGE-1", "PAGE-3")]
    public void A_dma_through_a_stale_translation_is_recorded_with_why()
    {
        // The literal order (FIND-26): the clear puts the page before the flush; the device reads through its cache.
        var (t, mem, dev) = Machine(KernelParts.Default with { Omits = Omit.FlushBeforePutOnUnmap | Omit.UnmapFlush });
        var data = new byte[16];
        Build(t, mem, 0x41, 3);                                            // a host-owned table's translation ...
        Assert.Equal(0, dev.Dma(t, Iova(0x41), DmaDirection.Read, data));
        Assert.Equal(0, t.ClearAndPut(0x41, 1, Omit.FlushBeforePutOnUnmap, Omit.UnmapFlush));
        Assert.Equal(0, dev.Dma(t, Iova(0x41), DmaDirection.Read, data));
        Assert.Empty(dev.BreachesForDump());                               // ... is the host's business, not INV-12(b)'s
        t.Flush();

        Assert.Equal(0, t.TakeOwnership(1));
        Build(t, mem, 0x42, 4);
        Assert.Equal(0, dev.Dma(t, Iova(0x42), DmaDirection.Read, data));  // cached while a container owns the table
        Assert.Equal(0, t.ClearAndPut(0x42, 1, Omit.FlushBeforePutOnUnmap, Omit.UnmapFlush)); // put, no flush yet
        Assert.Equal(0, dev.Dma(t, Iova(0x42), DmaDirection.Read, data));  // still translates: the cache
        var breach = Assert.Single(dev.BreachesForDump());
        Assert.Equal((1, 0x42L, 4L), (breach.Group, breach.Entry, breach.Pfn));
        Assert.Contains("a free frame nobody pins", breach.Why);
        Assert.Equal(0, mem.HostReuse(4));
        Assert.Equal(0, dev.Dma(t, Iova(0x42), DmaDirection.Read, data));
        Assert.Equal(Memory.HostReuseByte, data[0]);                       // the host's data, read by the device
        Assert.Contains("a frame the host holds", dev.BreachesForDump()[^1].Why);
    }

    /// <summary>Writes a raw TCE into an entry (storage, guard band included), as a host path or a broken variant could.</summary>
    static void Raw(IommuTable t, long entry, ulong tce)
    {
        Assert.Equal(0, t.Build(entry, tce));
        t.Flush();
    }

    [Fact]
    [Spec("DEV-1")]
    public void Translations_reach_user_frames_and_host_memory_and_nothing_else()
    {
        var (t, mem, dev) = Machine();
        long userEnd = 24;                                                 // PlatformConfig.Small: 24 frames
        Raw(t, 0x41, ((ulong)userEnd << 12) | Abi.TcePciRead);            // just past the last user frame
        Raw(t, 0x42, Memory.HostDmaBase | Abi.TcePciRead);                 // the first byte of host memory
        Raw(t, 0x43, ((ulong)(userEnd - 1) << 12) | Abi.TcePermMask);     // the last user frame
        Raw(t, t.WindowEnd, (3UL << 12) | Abi.TcePermMask);                // a live TCE in the guard band above the window
        var data = Enumerable.Repeat((byte)0x5A, 16).ToArray();
        Assert.Equal(-Errno.EFAULT, dev.Dma(t, Iova(0x41), DmaDirection.Read, data));   // no such memory
        Assert.Equal(0, dev.Dma(t, Iova(0x42), DmaDirection.Read, data));               // host memory reads as zeros
        Assert.All(data, b => Assert.Equal(0, b));
        Assert.Equal(0, dev.Dma(t, Iova(0x43, 0xff0), DmaDirection.Write, Enumerable.Repeat((byte)7, 16).ToArray()));
        Assert.Equal(7, mem.PageBytes(userEnd - 1)[0xfff]);
        Assert.Equal(-Errno.EFAULT, dev.Dma(t, Iova(t.WindowEnd), DmaDirection.Read, data)); // the window ends where it ends
        Assert.Equal(0, dev.Dma(t, Iova(0x43, 0xfff), DmaDirection.Read, data.AsSpan(0, 1))); // one byte: first == last
        Assert.Equal(7, data[0]);
    }

    [Fact]
    [Spec("DEV-1")]
    public void A_dma_across_pages_moves_each_byte_to_its_own_frame()
    {
        var (t, mem, dev) = Machine();
        Build(t, mem, 0x41, 3);
        Build(t, mem, 0x42, 5);
        var written = Enumerable.Range(0, 0x1000).Select(i => (byte)(i * 7 + 1)).ToArray();
        Assert.Equal(0, dev.Dma(t, Iova(0x41, 0x900), DmaDirection.Write, written));
        Assert.Equal(written.AsSpan(0, 0x700).ToArray(), mem.PageBytes(3)[0x900..].ToArray());
        Assert.Equal(written.AsSpan(0x700).ToArray(), mem.PageBytes(5)[..0x900].ToArray());
        var read = new byte[0x1000];
        Assert.Equal(0, dev.Dma(t, Iova(0x41, 0x900), DmaDirection.Read, read));
        Assert.Equal(written, read);
    }

    [Fact]
    [Spec("INV-12", "PAGE-4")]
    public void A_frame_mapped_by_another_process_is_no_breach_but_host_memory_is()
    {
        var (t, mem, dev) = Machine();
        Assert.Equal(0, t.TakeOwnership(1));
        Assert.Equal(0, mem.MapFrame(6));                                  // shared with another address space
        Build(t, mem, 0x41, 6);
        Assert.Equal(0, dev.Dma(t, Iova(0x41), DmaDirection.Read, new byte[8]));
        Assert.Empty(dev.BreachesForDump());                               // pinned and mapped: reachable
        Raw(t, 0x42, Memory.HostDmaBase | Abi.TcePciRead);                 // a broken variant's TCE into host memory
        Assert.Equal(0, dev.Dma(t, Iova(0x42), DmaDirection.Read, new byte[8]));
        var breach = Assert.Single(dev.BreachesForDump());
        Assert.Equal("host memory", breach.Why);
    }

    [Fact]
    [Spec("DEV-2", "DEV-3", "TBL-7")]
    public void The_cache_lists_its_translations_in_entry_order_and_can_lose_some()
    {
        var (t, mem, dev) = Machine();
        Assert.False(t.TryGetIotlb(out _));
        Build(t, mem, 0x50, 4);
        Build(t, mem, 0x41, 3);
        Assert.Equal(0, dev.Dma(t, Iova(0x50), DmaDirection.Read, new byte[8]));
        Assert.Equal(0, dev.Dma(t, Iova(0x41), DmaDirection.Read, new byte[8]));
        Assert.Equal([0x41L, 0x50L], t.CachedForDump().Select(c => c.Entry));
        Assert.True(t.TryGetIotlb(out var cache));
        cache.Lock();
        cache.InvalidateRange(0x42, 0x51);                                 // [0x42, 0x51): 0x50 goes, 0x41 stays
        cache.Unlock();
        Assert.Equal([0x41L], t.CachedForDump().Select(c => c.Entry));
        cache.Lock();
        cache.InvalidateRange(0x40, 0x41);                                 // the end is not included
        cache.Unlock();
        Assert.Equal([0x41L], t.CachedForDump().Select(c => c.Entry));
        cache.Lock();
        cache.InvalidateRange(0x41, 0x42);                                 // the first is
        cache.Unlock();
        Assert.Empty(t.CachedForDump());
    }

    /// <summary>TBL-7 (adopted): when the flush runs, the pages of the cleared entries are still pinned.</summary>
    [Fact]
    [Spec("TBL-7", "TBL-10", "FIND-26", "FIND-29")]
    public void The_flush_comes_before_the_puts()
    {
        var g = new GroupConfig(1, 0x40, 64, 4, true, ["0000:01:00.0"]);
        var config = PlatformConfig.Small(12) with { Groups = [g] };
        var mem = new PhysicalMemory(config.PhysicalPages, 12);
        var t = new PinsAtFlush(g, new KernelContext(config, RealSync.Instance, mem), mem);
        for (long e = 0; e < 20; e++) Build(t, mem, 0x40 + e, 2 + e % 3);    // 20 entries, more than one pooled buffer
        t.Seen.Clear();
        Assert.Equal(0, t.ClearAndPut(0x40, 20));
        Assert.Equal([Memory.BaseRefCount(2) + 7, Memory.BaseRefCount(3) + 7, Memory.BaseRefCount(4) + 6], t.Seen.Single());
        Assert.Equal([Memory.BaseRefCount(2), Memory.BaseRefCount(3), Memory.BaseRefCount(4)], [mem.RefCount(2), mem.RefCount(3), mem.RefCount(4)]);

        Assert.Equal(0, t.TakeOwnership(1));
        Build(t, mem, 0x41, 2);
        t.Seen.Clear();
        t.ReleaseOwnership();
        Assert.Equal(Memory.BaseRefCount(2) + 1, t.Seen.Single()[0]);       // TBL-10: the same order
        Assert.Equal(Memory.BaseRefCount(2), mem.RefCount(2));
    }

    /// <summary>Records frames 2, 3 and 4's counts at each invalidation.</summary>
    sealed class PinsAtFlush(GroupConfig g, KernelContext ctx, PhysicalMemory mem) : IommuTable(g, ctx)
    {
        public readonly List<long[]> Seen = [];

        protected internal override void InvalidateTranslations()
        {
            Seen.Add([mem.RefCount(2), mem.RefCount(3), mem.RefCount(4)]);
            base.InvalidateTranslations();
        }
    }
}
