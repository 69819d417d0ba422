using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/driver.md, ENABLE and DISABLE: EN-1 .. EN-5, DIS-1, DIS-2.
public abstract partial class SystemContractTests
{
    [Fact, Spec("EN-1", "EN-2", "EN-5", "FIND-6")]
    public void Enable_ChargesTheWindowSizeInPagesAndRecordsThePayer()
    {
        var (c1, _) = S.Setup(P1, 1);
        AssertResult(0, S.Enable(P1, c1));
        var o = Obs();
        Assert.Equal(64, o.LockedVm(P1));                   // npages = it_size, whatever the page size
        var ct = o.Container(1);
        Assert.True(ct.Enabled);
        Assert.Equal(P1, ct.Payer);
        var (c2, _) = S.Setup(P1, 2);
        AssertResult(0, S.Enable(P1, c2));
        Assert.Equal(64 + 32, Obs().LockedVm(P1));
        Assert.Equal(P1, Obs().Container(2).Payer);
    }

    [Fact, Spec("EN-4")]
    public void Enable_Twice_EbusyAndChargedOnce()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertFailsAtomically(Errno.EBUSY, () => S.Enable(P1, c), what: "second ENABLE");
        Assert.Equal(64, Obs().LockedVm(P1));
    }

    [Fact, Spec("EN-4", "EN-5")]
    public void Enable_AlreadyEnabled_EbusyBeforeTheLimitIsChecked()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        int c2 = (int)S.PassFd(P1, c, P2);                  // pid 2 may lock nothing
        AssertFailsAtomically(Errno.EBUSY, () => S.Enable(P2, c2), what: "ENABLE by pid 2");
    }

    [Fact, Spec("EN-5")]
    public void Enable_OverTheMemlockLimit_Enomem()
    {
        var (c, _) = S.Setup(P2, 1);
        AssertFailsAtomically(Errno.ENOMEM, () => S.Enable(P2, c), what: "rlimit 0");
        Assert.False(Obs().Container(1).Enabled);
    }

    [Theory, Spec("EN-5")]
    [InlineData(0L, true)]          // exactly the window: locked_vm + 64 == limit
    [InlineData(-1L, false)]        // one byte less: limit >> PAGE_SHIFT is 63
    [InlineData(1L, true)]
    public void Enable_AtTheMemlockLimitBoundary(long deltaBytes, bool succeeds)
    {
        ulong limit = (ulong)((64L << PageShift) + deltaBytes);
        Use(WithLimits(P2, limit, capIpcLock: false));
        var (c, _) = S.Setup(P2, 1);
        if (succeeds)
        {
            AssertResult(0, S.Enable(P2, c));
            Assert.Equal(64, Obs().LockedVm(P2));
        }
        else
            AssertFailsAtomically(Errno.ENOMEM, () => S.Enable(P2, c), what: $"limit 0x{limit:x}");
    }

    [Fact, Spec("EN-5")]
    public void Enable_WithCapIpcLock_SucceedsOverTheLimitAndIsStillCharged()
    {
        Use(WithLimits(P2, 0, capIpcLock: true));
        var (c, _) = S.Setup(P2, 1);
        AssertResult(0, S.Enable(P2, c));
        Assert.Equal(64, Obs().LockedVm(P2));
        Assert.Equal(P2, Obs().Container(1).Payer);
    }

    [Fact, Spec("EN-5", "LOCK-5", "INV-4")]
    public void Enable_ChargesAccumulateAcrossContainersOfOneMm()
    {
        Use(WithLimits(P2, 96UL << PageShift, capIpcLock: false));
        var (c1, _) = S.Setup(P2, 1);
        var (c2, _) = S.Setup(P2, 2);
        AssertResult(0, S.Enable(P2, c1));
        AssertResult(0, S.Enable(P2, c2));
        Assert.Equal(96, Obs().LockedVm(P2));

        Use(WithLimits(P2, (96UL << PageShift) - 1, capIpcLock: false));
        (c1, _) = S.Setup(P2, 1);
        (c2, _) = S.Setup(P2, 2);
        AssertResult(0, S.Enable(P2, c1));
        AssertFailsAtomically(Errno.ENOMEM, () => S.Enable(P2, c2), what: "95 pages allowed, 96 needed");
        Assert.Equal(64, Obs().LockedVm(P2));
    }

    [Fact, Spec("EN-5", "PROC-4")]
    public void Enable_ByAnotherProcessThroughAPassedFd_ChargesThatProcess()
    {
        Use(WithLimits(P2, 0, capIpcLock: true));
        var (c, _) = S.Setup(P1, 1);
        int c2 = (int)S.PassFd(P1, c, P2);
        AssertResult(0, S.Enable(P2, c2));
        var o = Obs();
        Assert.Equal(64, o.LockedVm(P2));
        Assert.Equal(0, o.LockedVm(P1));
        Assert.Equal(P2, o.Container(1).Payer);
    }

    [Fact, Spec("DIS-1")]
    public void Disable_NotEnabled_ReturnsZeroAndChangesNothing()
    {
        var (c, _) = S.Setup(P1, 1);
        S.CapturePreCall = true;
        AssertResult(0, S.Disable(P1, c));
        Assert.Equal(S.PreCall, Snap());
        AssertResult(0, S.Enable(P1, c));
        AssertResult(0, S.Disable(P1, c));
        AssertResult(0, S.Disable(P1, c), "second DISABLE");
        Assert.Equal(S.PreCall, Snap());
    }

    [Fact, Spec("DIS-1", "DIS-2", "FIND-3", "TBL-7", "TBL-8", "INV-4")]
    public void Disable_ClearsEveryMappingPutsPinsDirtiesWrittenPagesFlushesAndReturnsTheCharge()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), Iova(0), K4));
        AssertResult(0, S.Map(P1, c, R, V(P1, 1), Iova(30), K4));
        AssertResult(0, S.Map(P1, c, W, V(P1, 2), Iova(63), K4));
        AssertResult(0, S.Disable(P1, c));
        var o = Obs();
        AssertWindowClear(1);
        Assert.Empty(o.TcesOf(1));
        for (long p = 0; p < SmallConfig.PhysicalPages; p++) Assert.Equal(Base(p), o.PageRef(p));
        Assert.True(o.PageDirty(F(P1, 0)));
        Assert.False(o.PageDirty(F(P1, 1)));
        Assert.True(o.PageDirty(F(P1, 2)));
        Assert.Equal(0, o.LockedVm(P1));
        var ct = o.Container(1);
        Assert.False(ct.Enabled);
        Assert.Null(ct.Payer);
        Assert.Equal(1, ct.Tbl);                            // still attached
        Assert.Equal(1, o.Table(1).Owner);
        Assert.Equal("0-3f", o.Table(1).ItMap);
        Assert.False(o.Table(1).FlushPending);
    }

    [Fact, Spec("DIS-2", "FIND-4", "INV-4")]
    public void Disable_ByAProcessOtherThanThePayer_ReturnsTheChargeToThePayer()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        int c2 = (int)S.PassFd(P1, c, P2);
        AssertResult(0, S.Disable(P2, c2));
        var o = Obs();
        Assert.Equal(0, o.LockedVm(P1));
        Assert.Equal(0, o.LockedVm(P2));
        Assert.Null(o.Container(1).Payer);
    }

    [Fact, Spec("DIS-2", "EN-5", "MAP-3")]
    public void Enable_AfterDisable_ChargesAgainAndMapsAgain()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        AssertResult(0, S.Disable(P1, c));
        AssertErr(Errno.EPERM, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        AssertResult(0, S.Enable(P1, c));
        Assert.Equal(64, Obs().LockedVm(P1));
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4), "entry 0 is free again");
        AssertRef(F(P1, 0), Base(F(P1, 0)) + 1);
    }
}
