using TceVerify.Harness.Programs;
using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/table.md: TBL-1 .. TBL-10 (the per-entry helpers TBL-4 .. TBL-7 are also exercised through MAP and UNMAP).
public abstract partial class SystemContractTests
{
    [Fact, Spec("TBL-1", "TBL-10", "INV-6")]
    public void ReleaseOwnership_OfAWindowAtZero_SetsTheReservedBitAgain()
    {
        var (_, g1) = S.Setup(P1, 1);
        var (_, g2) = S.Setup(P1, 2);
        Assert.Equal("0-3f", Obs().Table(1).ItMap);
        Assert.Equal("800-81f", Obs().Table(2).ItMap);
        AssertResult(0, S.UnsetContainer(P1, g1));
        AssertResult(0, S.UnsetContainer(P1, g2));
        var o = Obs();
        Assert.Equal("0", o.Table(1).ItMap);
        Assert.Equal("", o.Table(2).ItMap);
        AssertResult(1, Sys.HostAlloc(1, 1), "the host allocator still skips entry 0");
    }

    [Fact, Spec("TBL-2", "MAP-9", "INV-2")]
    public void MapReachingPastTheWindowEnd_EinvalAndTheFreeGuardEntriesAboveStayFree()
    {
        var (c, _) = S.SetupEnabled(P1, 2);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), Iova(0x81f), K4), "last entry");
        AssertFailsAtomically(Errno.EINVAL, () => S.Map(P1, c, RW, V(P1, 1), Iova(0x81e), 2 * K4 + K4),
            ArgAllowance.For(Ioctls.MapDma), "3 entries from 0x81e");
        var o = Obs();
        for (long e = 0x820; e < 0x824; e++) Assert.Equal(0UL, o.Tce(2, e));
        for (long e = 0x7fc; e < 0x800; e++) Assert.Equal(Memory.HostTce(e), o.Tce(2, e));
        AssertInvariants();
    }

    [Fact, Spec("TBL-2", "UNMAP-7", "INV-2")]
    public void UnmapReachingBelowTheWindow_EinvalAndTheLiveHostEntriesBelowStay()
    {
        var (c, _) = S.SetupEnabled(P1, 2);
        AssertFailsAtomically(Errno.EINVAL, () => S.Unmap(P1, c, Iova(0x7fc), 8 * K4), what: "UNMAP from 0x7fc");
        AssertFailsAtomically(Errno.EINVAL, () => S.Unmap(P1, c, Iova(0x81c), 8 * K4), what: "UNMAP past the end");
        AssertResult(0, S.Unmap(P1, c, Iova(0x800), 32 * K4), "UNMAP of the whole window");
        var o = Obs();
        for (long e = 0x7fc; e < 0x800; e++) Assert.Equal(Memory.HostTce(e), o.Tce(2, e));
        AssertInvariants();
    }

    [Fact, Spec("TBL-3", "LOCK-4")]
    public void MapUnmapAndHostAlloc_AcrossPoolBoundaries_ActOnEveryEntry()
    {
        // group 1: 4 pools of 16 entries; a map of entries 14 .. 34 spans pools 0, 1 and 2
        var (c, _) = S.SetupEnabled(P1, 1);
        ulong vaddr = V(P1, 0);
        long n = Math.Min(21, 8L * Sub);                   // 8 (4K pages: 8 mapped pages) or 21 entries
        AssertResult(0, S.Map(P1, c, R, vaddr, Iova(14), (ulong)n * K4), "MAP across pools");
        var o = Obs();
        for (long i = 0; i < n; i++) Assert.Equal(ExpectedTce(P1, vaddr + (ulong)i * K4, R), o.Tce(1, 14 + i));
        AssertResult(0, S.Unmap(P1, c, Iova(15), (ulong)(n - 2) * K4), "UNMAP across pools");
        o = Obs();
        Assert.True(Abi.InUse(o.Tce(1, 14)));
        for (long i = 1; i < n - 1; i++) Assert.Equal(0UL, o.Tce(1, 14 + i));
        Assert.True(Abi.InUse(o.Tce(1, 14 + n - 1)));
        // group 2: 2 pools of 16 entries
        AssertResult(0x800, Sys.HostAlloc(2, 30), "host_alloc across pools");
        Assert.Equal("800-81d", Obs().Table(2).ItMap);
        AssertResult(0, Sys.HostFree(2, 0x80f, 2), "host_free across pools");
        Assert.Equal("800-80e,811-81d", Obs().Table(2).ItMap);
    }

    [Fact, Spec("TBL-9", "ATT-1", "INV-6", "TBL-8", "FIND-8", "FIND-10")]
    public void TakeOwnership_SetsEveryWindowBitZeroesLeftoversWithoutPutAndFlushes()
    {
        ulong toFrame2 = ((ulong)2 << PageShift) | Abi.TcePciRead;
        ulong notInUse = (ulong)4 << PageShift;
        AssertResult(0, Sys.HostWriteStale(1, 5, toFrame2));
        AssertResult(0, Sys.HostWriteStale(1, 9, Memory.HostTce(9)));
        AssertResult(0, Sys.HostWriteStale(1, 12, notInUse));
        S.Setup(P1, 1);
        var o = Obs();
        var t = o.Table(1);
        Assert.Equal(1, t.Owner);
        Assert.Equal("0-3f", t.ItMap);
        Assert.False(t.FlushPending);
        Assert.Equal(0UL, o.Tce(1, 5));
        Assert.Equal(0UL, o.Tce(1, 9));
        Assert.Equal(0UL, o.Tce(1, 12));               // zeroed too, though not in use
        Assert.Equal(Base(2), o.PageRef(2));              // no put of a page never pinned
        Assert.Equal(Base(4), o.PageRef(4));
        Assert.False(o.PageDirty(2));
    }

    [Fact, Spec("TBL-9", "INV-2", "INV-6")]
    public void TakeOwnership_OfAWindowAtAnOffset_SetsExactlyTheWindowBitsAndKeepsTheGuardBand()
    {
        AssertResult(0, Sys.HostWriteStale(2, 0x805, Memory.HostTce(0x805)));
        S.Setup(P1, 2);
        var o = Obs();
        Assert.Equal("800-81f", o.Table(2).ItMap);
        Assert.Equal(1, o.Table(2).Owner);
        Assert.Equal(0UL, o.Tce(2, 0x805));
        Assert.Equal(4, o.TcesOf(2).Count);
        for (long e = 0x7fc; e < 0x800; e++) Assert.Equal(Memory.HostTce(e), o.Tce(2, e));
    }

    [Fact, Spec("TBL-9", "FIND-7", "CORE-4", "INV-5")]
    public void TakeOwnership_WithAHostMappingPresent_EbusyAndTheTableUnchanged()
    {
        AssertResult(1, Sys.HostAlloc(1, 1));
        AssertResult(0x800, Sys.HostAlloc(2, 1));
        int c1 = (int)S.OpenContainer(P1);
        int g1 = (int)S.OpenGroup(P1, 1);
        AssertResult(0, S.SetContainer(P1, g1, c1));
        int c2 = (int)S.OpenContainer(P1);
        int g2 = (int)S.OpenGroup(P1, 2);
        AssertResult(0, S.SetContainer(P1, g2, c2));
        AssertFailsAtomically(Errno.EBUSY, () => S.SetIommu(P1, c1), what: "SET_IOMMU with host entry 1 mapped");
        AssertFailsAtomically(Errno.EBUSY, () => S.SetIommu(P1, c2), what: "SET_IOMMU with host entry 0x800 mapped");
        var o = Obs();
        Assert.Equal("0-1", o.Table(1).ItMap);             // bit 0 restored
        Assert.Equal("800", o.Table(2).ItMap);
        Assert.Null(o.Table(1).Owner);
        Assert.Equal(Memory.HostTce(1), o.Tce(1, 1));
        Assert.False(o.Container(1).DriverSet);
        Assert.False(o.Container(2).DriverSet);
    }

    [Fact, Spec("TBL-10", "DET-1", "INV-6", "TBL-8", "FIND-10")]
    public void ReleaseOwnership_ZeroesItMapFlushesAndReturnsTheTableToTheHost()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), Iova(7), K4));
        AssertResult(0, S.UnsetContainer(P1, g));
        var o = Obs();
        var t = o.Table(1);
        Assert.Null(t.Owner);
        Assert.Equal("0", t.ItMap);
        Assert.False(t.FlushPending);
        Assert.Empty(o.TcesOf(1));
        Assert.Equal(Base(F(P1, 0)), o.PageRef(F(P1, 0)));
        AssertResult(1, Sys.HostAlloc(1, 1), "the host can allocate again");
    }
}
