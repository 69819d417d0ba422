using TceVerify.Harness.Programs;
using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/findings.md: the ADOPTED outcome of every sequential finding (the literal variants are tested elsewhere).
// Sequences follow the spec; addresses written there for 4 KiB pages (vaddr 0x10000 = vpage 0x10) are taken
// through VaddrOf so they mean the same pages with 64 KiB pages.
public abstract partial class SystemContractTests
{
    [Fact, Spec("FIND-1", "MAP-9", "INV-2")]
    public void Find1_MapWhoseEndLeavesTheWindow_Einval_NothingWrittenPastIt()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        if (PageShift == 12) Assert.Equal(0x10000UL, V(P1, 0));
        AssertFailsAtomically(Errno.EINVAL, () => S.Map(P1, c, RW, V(P1, 0), 0x3f000, 0x2000), ArgAllowance.For(Ioctls.MapDma), "MAP iova 0x3f000 size 0x2000");
        var o = Obs();
        Assert.Equal(0UL, o.Tce(1, 0x3f));
        Assert.Equal(0UL, o.Tce(1, 0x40));
        Assert.Equal(Base(F(P1, 1)), o.PageRef(F(P1, 1)));
        AssertInvariants();
    }

    [Fact, Spec("FIND-2", "MAP-3", "INV-4")]
    public void Find2_MapWithoutEnable_Eperm_NothingPinnedNothingCharged()
    {
        var (c, _) = S.Setup(P1, 1);
        AssertFailsAtomically(Errno.EPERM, () => S.Map(P1, c, RW, V(P1, 0), 0, 0x1000), ArgAllowance.For(Ioctls.MapDma), "MAP without ENABLE");
        var o = Obs();
        Assert.Equal(Base(0), o.PageRef(0));
        Assert.Equal(0, o.LockedVm(P1));
        AssertInvariants();
    }

    [Fact, Spec("FIND-3", "DIS-2", "INV-4")]
    public void Find3_Disable_ClearsTheMappingsBeforeReturningTheCharge()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, 0x1000));
        AssertResult(0, S.Disable(P1, c));
        var o = Obs();
        Assert.Equal(Base(0), o.PageRef(0));                 // frame 0 no longer pinned
        Assert.Equal(0UL, o.Tce(1, 0));
        Assert.Equal(0, o.LockedVm(P1));
        Assert.True(o.PageDirty(0));
        Assert.False(o.Table(1).FlushPending);
        AssertInvariants();
    }

    [Fact, Spec("FIND-4", "DIS-2", "EN-5", "INV-4")]
    public void Find4_DisableByTheReceiverOfAPassedFd_ReturnsTheChargeToThePayer()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        Assert.Equal(64, Obs().LockedVm(P1));
        long c2 = S.PassFd(P1, c, P2);
        AssertOk(c2);
        AssertResult(0, S.Disable(P2, (int)c2));
        var o = Obs();
        Assert.Equal(0, o.LockedVm(P2));                     // not -64
        Assert.Equal(0, o.LockedVm(P1));                     // not 64
        AssertInvariants();
    }

    [Fact, Spec("FIND-4", "REL-1", "INV-4")]
    public void Find4_ReleaseByTheReceiverOfPassedFds_ReturnsTheChargeToThePayer()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        int c2 = (int)S.PassFd(P1, c, P2);
        int g2 = (int)S.PassFd(P1, g, P2);
        AssertResult(0, S.Close(P1, c));
        AssertResult(0, S.Close(P1, g));
        AssertResult(0, S.Close(P2, c2));
        AssertResult(0, S.Close(P2, g2), "the last close releases in pid 2's context");
        var o = Obs();
        Assert.Equal(0, o.LockedVm(P1));
        Assert.Equal(0, o.LockedVm(P2));
        AssertInvariants();
    }

    [Fact, Spec("FIND-5", "DIS-2", "PROC-5", "STATE-9", "INV-4")]
    public void Find5_ReleaseOnTheExitPath_ReturnsTheCharge()
    {
        S.SetupEnabled(P1, 1);
        AssertResult(0, S.Exit(P1));
        var o = Obs();
        Assert.Equal(0, o.LockedVm(P1));
        Assert.True(o.Exited(P1));
        AssertInvariants();
    }

    [Fact, Spec("FIND-5", "DIS-2", "PROC-5", "INV-4")]
    public void Find5_FdsPassedToALiveProcessThatExitsLast_ReturnTheChargeToTheLivePayer()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertOk(S.PassFd(P1, c, P2));
        AssertOk(S.PassFd(P1, g, P2));
        AssertResult(0, S.Close(P1, c));
        AssertResult(0, S.Close(P1, g));
        AssertResult(0, S.Exit(P2), "pid 2 exits last: release with no mm");
        var o = Obs();
        Assert.False(o.Exited(P1));
        Assert.Equal(0, o.LockedVm(P1));
        Assert.Equal(0, o.LockedVm(P2));
        AssertInvariants();
    }

    [Fact, Spec("FIND-6", "EN-5", "INV-4")]
    public void Find6_TheChargeIsOnePagePerEntry_CoveringEveryFramePinned()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        Assert.Equal(64, Obs().LockedVm(P1));                // not (64 << 12) >> PAGE_SHIFT = 4 with 64K pages
        for (int i = 0; i < 5; i++)
            AssertResult(0, S.Map(P1, c, RW, V(P1, i), (ulong)i * 0x1000, 0x1000), $"map {i}");
        if (PageShift == 16) Assert.Equal(0x140000UL, V(P1, 4));
        var o = Obs();
        for (int i = 0; i < 5; i++) Assert.Equal(Base(F(P1, i)) + 1, o.PageRef(F(P1, i)));
        Assert.True(5 <= o.LockedVm(P1));
        AssertInvariants();

        // a window under 16 entries is charged its size too
        Use(WithGroup(2, g => g with { ItSize = 8 }));
        var (c2, _) = S.Setup(P1, 2);
        AssertResult(0, S.Enable(P1, c2));
        Assert.Equal(8, Obs().LockedVm(P1));
    }

    [Fact, Spec("FIND-7", "TBL-9", "TBL-1", "INV-5")]
    public void Find7_FailedTakeOver_KeepsTheReservedBit_HostNeverGetsEntryZero()
    {
        AssertResult(1, Sys.HostAlloc(1, 1));
        int c = (int)S.OpenContainer(P1);
        int g = (int)S.OpenGroup(P1, 1);
        AssertResult(0, S.SetContainer(P1, g, c));
        AssertFailsAtomically(Errno.EBUSY, () => S.SetIommu(P1, c), what: "SET_IOMMU");
        Assert.Equal("0-1", Obs().Table(1).ItMap);
        AssertResult(0, Sys.HostFree(1, 1, 1));
        AssertResult(1, Sys.HostAlloc(1, 1), "host_alloc after the free");
    }

    [Fact, Spec("FIND-8", "TBL-9", "INV-3")]
    public void Find8_TakeOver_ClearsALeftoverWithoutPuttingItsPage()
    {
        ulong frame2 = ((ulong)2 << PageShift) | Abi.TcePciRead;  // 0x2000 | READ with 4K pages
        if (PageShift == 12) Assert.Equal(0x2001UL, frame2);
        AssertResult(0, Sys.HostWriteStale(1, 5, frame2));
        S.Setup(P1, 1);
        var o = Obs();
        Assert.Equal(Base(2), o.PageRef(2));                  // not base - 1
        Assert.Equal(0UL, o.Tce(1, 5));
        AssertInvariants();
    }

    [Fact, Spec("FIND-10", "TBL-9", "INV-9")]
    public void Find10_TakeOverOfATableWithALeftover_Flushes()
    {
        AssertResult(0, Sys.HostWriteStale(1, 5, Memory.HostTce(5)));
        S.Setup(P1, 1);
        var o = Obs();
        Assert.False(o.Table(1).FlushPending);
        Assert.Equal(0UL, o.Tce(1, 5));
    }

    [Fact, Spec("FIND-10", "TBL-10", "INV-9")]
    public void Find10_ReleaseOfATableTheUserMapped_Flushes()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        AssertResult(0, S.UnsetContainer(P1, g));
        Assert.False(Obs().Table(1).FlushPending);
        AssertInvariants();
    }
}
