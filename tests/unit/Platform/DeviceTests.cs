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
}
