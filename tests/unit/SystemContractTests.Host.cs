using TceVerify.Harness.Invariants;
using TceVerify.Harness.Programs;
using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/process.md, the host platform: HOST-1, HOST-4 .. HOST-7.
public abstract partial class SystemContractTests
{
    [Fact, Spec("HOST-1")]
    public void HostActions_OnAnUnknownGroup_EnoentBeforeAnyOtherCheck()
    {
        AssertFailsAtomically(Errno.ENOENT, () => Sys.HostAlloc(99, 1), what: "host_alloc");
        AssertFailsAtomically(Errno.ENOENT, () => Sys.HostAlloc(0, 0), what: "host_alloc, bad count");
        AssertFailsAtomically(Errno.ENOENT, () => Sys.HostFree(99, 0, 0), what: "host_free");
        AssertFailsAtomically(Errno.ENOENT, () => Sys.HostWriteStale(99, -1, 3), what: "host_write_stale");
        AssertFailsAtomically(Errno.ENOENT, () => Sys.InjectTceWriteFailure(99, 0), what: "inject");
        AssertFailsAtomically(Errno.ENOENT, () => Sys.InjectTceWriteFailure(-1, 1), what: "inject");
    }

    [Theory, Spec("HOST-4")]
    [InlineData(1, 0L)]
    [InlineData(1, -1L)]
    [InlineData(1, 65L)]
    [InlineData(2, 33L)]
    [InlineData(2, long.MinValue)]
    [InlineData(2, long.MaxValue)]
    public void HostAlloc_CountBelowOneOrAboveTheWindowSize_Einval(int group, long n)
    {
        AssertFailsAtomically(Errno.EINVAL, () => Sys.HostAlloc(group, n), what: $"host_alloc({group}, {n})");
    }

    [Fact, Spec("HOST-4", "TBL-1")]
    public void HostAlloc_ReturnsTheLowestFreeRun_NeverEntryZero()
    {
        AssertResult(1, Sys.HostAlloc(1, 1));
        AssertResult(2, Sys.HostAlloc(1, 2));     // 2..3
        AssertResult(4, Sys.HostAlloc(1, 1));
        AssertResult(0, Sys.HostFree(1, 1, 1));
        AssertResult(5, Sys.HostAlloc(1, 2), "the hole at 1 is too short");
        AssertResult(1, Sys.HostAlloc(1, 1), "the hole at 1 fits");
        AssertResult(0x800, Sys.HostAlloc(2, 1), "a window at 0x800 starts at 0x800");
        AssertResult(0x801, Sys.HostAlloc(2, 31));
        AssertFailsAtomically(Errno.ENOSPC, () => Sys.HostAlloc(2, 1), what: "full window");
    }

    [Fact, Spec("HOST-4", "TBL-8")]
    public void HostAlloc_SetsBitsWritesHostTcesAndFlushes()
    {
        AssertResult(1, Sys.HostAlloc(1, 3));
        var o = Obs();
        const ulong hostDmaBase = 1UL << 44;               // HostTce(e) = (HostDmaBase + e * 4096) | READ | WRITE
        Assert.Equal(new Dictionary<long, ulong> { [1] = hostDmaBase + 0x1000 | 3, [2] = hostDmaBase + 0x2000 | 3, [3] = hostDmaBase + 0x3000 | 3 },
            o.TcesOf(1).ToDictionary(kv => kv.Key, kv => kv.Value));
        Assert.Equal("0-3", o.Table(1).ItMap);
        Assert.False(o.Table(1).FlushPending);
        Assert.Null(o.Table(1).Owner);
    }

    [Fact, Spec("HOST-4", "TBL-1")]
    public void HostAlloc_WithNoFreeRunLongEnough_Enospc()
    {
        AssertFailsAtomically(Errno.ENOSPC, () => Sys.HostAlloc(1, 64), what: "64 entries but bit 0 is reserved");
        AssertResult(1, Sys.HostAlloc(1, 63));
        AssertFailsAtomically(Errno.ENOSPC, () => Sys.HostAlloc(1, 1), what: "full");
    }

    [Fact, Spec("HOST-4", "TBL-9")]
    public void HostAlloc_OnAContainerOwnedTable_Enospc()
    {
        S.Setup(P1, 2);
        AssertFailsAtomically(Errno.ENOSPC, () => Sys.HostAlloc(2, 1), what: "owned table");
    }

    [Fact, Spec("HOST-4", "HOST-7")]
    public void HostAlloc_IsNotSubjectToWriteFailureInjection()
    {
        AssertResult(0, Sys.InjectTceWriteFailure(1, 1));
        AssertResult(1, Sys.HostAlloc(1, 2));
        var o = Obs();
        Assert.Equal(1, o.Table(1).Inject);
        Assert.Equal(Memory.HostTce(1), o.Tce(1, 1));
        Assert.Equal(Memory.HostTce(2), o.Tce(1, 2));
    }

    [Fact, Spec("HOST-5")]
    public void HostFree_OfAnythingButWhatTheAllocatorHandedOut_Einval()
    {
        AssertResult(1, Sys.HostAlloc(1, 2));                          // entries 1, 2
        AssertResult(0, Sys.HostWriteStale(1, 10, Memory.HostTce(10)));  // HostTce but no bit
        AssertFailsAtomically(Errno.EINVAL, () => Sys.HostFree(1, 1, 0), what: "n = 0");
        AssertFailsAtomically(Errno.EINVAL, () => Sys.HostFree(1, 1, -1), what: "n < 0");
        AssertFailsAtomically(Errno.EINVAL, () => Sys.HostFree(1, 1, 3), what: "entry 3 has no bit");
        AssertFailsAtomically(Errno.EINVAL, () => Sys.HostFree(1, 0, 1), what: "reserved bit 0 does not hold HostTce(0)");
        AssertFailsAtomically(Errno.EINVAL, () => Sys.HostFree(1, 10, 1), what: "stale entry without a bit");
        AssertFailsAtomically(Errno.EINVAL, () => Sys.HostFree(1, -1, 2), what: "entry below the window");
        AssertFailsAtomically(Errno.EINVAL, () => Sys.HostFree(1, 63, 2), what: "entry past the window");
        AssertFailsAtomically(Errno.EINVAL, () => Sys.HostFree(2, 0x7fc, 1), what: "guard entry holding HostTce");
        S.Setup(P1, 2);                                                  // every bit set, no HostTce
        AssertFailsAtomically(Errno.EINVAL, () => Sys.HostFree(2, 0x800, 1), what: "container-owned entry");
    }

    [Fact, Spec("HOST-5", "TBL-8")]
    public void HostFree_ClearsTheTcesAndBitsAndFlushes()
    {
        AssertResult(1, Sys.HostAlloc(1, 3));
        AssertResult(0, Sys.HostFree(1, 2, 2));
        var o = Obs();
        Assert.Equal(new Dictionary<long, ulong> { [1] = Memory.HostTce(1) }, o.TcesOf(1).ToDictionary(kv => kv.Key, kv => kv.Value));
        Assert.Equal("0-1", o.Table(1).ItMap);
        Assert.False(o.Table(1).FlushPending);
        AssertResult(0x800, Sys.HostAlloc(2, 32));
        AssertResult(0, Sys.HostFree(2, 0x800, 32));
        Assert.Equal("", Obs().Table(2).ItMap);
        Assert.Equal(4, Obs().TcesOf(2).Count);                        // the guard band only
    }

    [Fact, Spec("HOST-6", "TBL-2")]
    public void HostWriteStale_OutsideTheWindow_EinvalEvenOnAnOwnedTable()
    {
        foreach (var (g, e) in new[] { (1, 64L), (1, -1L), (1, 67L), (2, 0x7ffL), (2, 0x7fcL), (2, 0x820L), (2, 0L) })
            AssertFailsAtomically(Errno.EINVAL, () => Sys.HostWriteStale(g, e, 0x1234), what: $"stale({g}, 0x{e:x})");
        S.Setup(P1, 1);
        AssertFailsAtomically(Errno.EINVAL, () => Sys.HostWriteStale(1, 64, 0x1234), what: "outside, owned");
    }

    [Fact, Spec("HOST-6")]
    public void HostWriteStale_OnAContainerOwnedTable_Ebusy()
    {
        S.Setup(P1, 1);
        AssertFailsAtomically(Errno.EBUSY, () => Sys.HostWriteStale(1, 5, Memory.HostTce(5)), what: "owned table");
    }

    [Fact, Spec("HOST-6", "TBL-8")]
    public void HostWriteStale_WritesTheRawValueWithoutPinOrBit_ThenFlushes()
    {
        ulong tce = ((ulong)3 << PageShift) | Abi.TcePermMask;
        AssertResult(0, Sys.HostWriteStale(1, 5, tce));
        AssertResult(0, Sys.HostWriteStale(2, 0x81f, 0xdead));
        var o = Obs();
        Assert.Equal(tce, o.Tce(1, 5));
        Assert.Equal(0xdeadUL, o.Tce(2, 0x81f));
        Assert.Equal("0", o.Table(1).ItMap);
        Assert.Equal("", o.Table(2).ItMap);
        Assert.False(o.Table(1).FlushPending);
        Assert.False(o.Table(2).FlushPending);
        Assert.Equal(Base(3), o.PageRef(3));
        AssertResult(0, Sys.HostWriteStale(1, 5, 0), "overwrite with 0");
        AssertTce(1, 5, 0);
    }

    [Theory, Spec("HOST-7")]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Inject_CountBelowOne_Einval(int n)
    {
        AssertFailsAtomically(Errno.EINVAL, () => Sys.InjectTceWriteFailure(1, n), what: $"inject {n}");
    }

    [Fact, Spec("HOST-7")]
    public void Inject_SetsTheCountdownOfThatTable()
    {
        AssertResult(0, Sys.InjectTceWriteFailure(1, 3));
        Assert.Equal(3, Obs().Table(1).Inject);
        AssertResult(0, Sys.InjectTceWriteFailure(1, 1));
        Assert.Equal(1, Obs().Table(1).Inject);                         // set, not added
        Assert.Equal(0, Obs().Table(2).Inject);
    }

    [Fact, Spec("HOST-7", "TBL-5", "MAP-11", "INV-5")]
    public void Inject_TheBuildThatBringsTheCountdownToZeroFailsEio_TheMapIsUndone()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, Sys.InjectTceWriteFailure(1, 2));
        long firstFrame = FrameOf(P1, V(P1, 0));
        AssertFailsAtomically(Errno.EIO, () => S.Map(P1, c, RW, V(P1, 0), 0, 3 * K4),
            ArgAllowance.For(Ioctls.MapDma), "MAP of 3 entries, the 2nd write fails");
        var o = Obs();
        Assert.Equal(0, o.Table(1).Inject);
        Assert.False(o.Table(1).FlushPending);
        AssertWindowClear(1);
        for (long p = 0; p < SmallConfig.PhysicalPages; p++)
        {
            Assert.Equal(Base(p), o.PageRef(p));
            Assert.Equal(p == firstFrame, o.PageDirty(p));               // only entry 0 was built (WRITE) and undone
        }
    }

    [Fact, Spec("HOST-7", "TBL-5")]
    public void Inject_EverySuccessfulBuildCountsDown()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, Sys.InjectTceWriteFailure(1, 3));
        AssertResult(0, S.Map(P1, c, R, V(P1, 0), Iova(0), K4));
        Assert.Equal(2, Obs().Table(1).Inject);
        AssertResult(0, S.Map(P1, c, R, V(P1, 1), Iova(1), K4));
        Assert.Equal(1, Obs().Table(1).Inject);
        AssertErr(Errno.EIO, S.Map(P1, c, R, V(P1, 2), Iova(2), K4));
        Assert.Equal(0, Obs().Table(1).Inject);
        AssertTce(1, 2, 0);
        AssertResult(0, S.Map(P1, c, R, V(P1, 2), Iova(2), K4), "countdown 0: no more failures");
        AssertTce(1, 2, ExpectedTce(P1, V(P1, 2), R));
    }

    [Fact, Spec("HOST-7", "TBL-5", "TBL-6")]
    public void Inject_FailuresBeforeThePlatformWrite_DoNotConsumeTheCountdown()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, R, V(P1, 0), 0, K4));
        AssertResult(0, Sys.InjectTceWriteFailure(1, 1));
        AssertFailsAtomically(Errno.EBUSY, () => S.Map(P1, c, R, V(P1, 1), 0, K4), FailureAllowance.None, "entry in use");
        AssertFailsAtomically(Errno.EFAULT, () => S.Map(P1, c, R, End(P1), Iova(1), K4), FailureAllowance.None, "unmapped user page");
        AssertFailsAtomically(Errno.EFAULT, () => S.Map(P1, c, W, V(P1, RoIndex), Iova(1), K4), FailureAllowance.None, "WRITE to a read-only page");
        Assert.Equal(1, Obs().Table(1).Inject);
        AssertErr(Errno.EIO, S.Map(P1, c, R, V(P1, 1), Iova(1), K4), "the next platform write fails");
    }

    [Fact, Spec("HOST-7", "TBL-7", "DIS-2")]
    public void Inject_ClearsNeverFail()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, 2 * K4));
        AssertResult(0, S.Map(P1, c, RW, V(P1, 3), Iova(5), K4));
        AssertResult(0, Sys.InjectTceWriteFailure(1, 1));
        AssertResult(0, S.Unmap(P1, c, 0, 2 * K4), "UNMAP under injection");
        AssertResult(0, S.Disable(P1, c), "DISABLE under injection");
        AssertWindowClear(1);
        Assert.Equal(1, Obs().Table(1).Inject);
    }

    [Fact, Spec("HOST-7")]
    public void Inject_OnAnotherTable_DoesNotAffectThisOne()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, Sys.InjectTceWriteFailure(2, 1));
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        Assert.Equal(1, Obs().Table(2).Inject);
    }
}
