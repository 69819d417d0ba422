using TceVerify.Harness.Invariants;
using TceVerify.Harness.Programs;
using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/driver.md, MAP_DMA: MAP-1 .. MAP-13 (with TBL-4 .. TBL-7 underneath).
public abstract partial class SystemContractTests
{
    static readonly FailureAllowance MapFailure = ArgAllowance.For(Ioctls.MapDma);

    void AssertMapFails(int errno, int c, uint flags, ulong vaddr, ulong iova, ulong size, string what, uint argsz = 32, ulong? at = null) =>
        AssertFailsAtomically(errno, () => S.Map(P1, c, flags, vaddr, iova, size, argsz, at), MapFailure, what);

    [Fact, Spec("MAP-2", "MAP-3", "FIND-2", "INV-4")]
    public void Map_OnAnAttachedButDisabledContainer_EpermNotEnxio_NothingPinned()
    {
        var (c, _) = S.Setup(P1, 1);
        AssertMapFails(Errno.EPERM, c, RW, V(P1, 0), 0, K4, "MAP without ENABLE");
        var o = Obs();
        Assert.Equal(Base(F(P1, 0)), o.PageRef(F(P1, 0)));
        Assert.Equal(0, o.LockedVm(P1));
        Assert.Empty(o.TcesOf(1));
    }

    [Fact, Spec("MAP-3", "MAP-4", "MAP-5", "MAP-8")]
    public void Map_NotEnabled_EpermBeforeTheStructIsEvenRead()
    {
        var (c, _) = S.Setup(P1, 1);
        AssertMapFails(Errno.EPERM, c, RW, V(P1, 0), 0, K4, "struct straddling an unmapped page", at: End(P1) - 16);
        AssertMapFails(Errno.EPERM, c, RW, V(P1, 0), 0, K4, "struct at NULL", at: 0);
        AssertMapFails(Errno.EPERM, c, RW, V(P1, 0), 0, K4, "argsz 0", argsz: 0);
        AssertMapFails(Errno.EPERM, c, 0, V(P1, 0), 0, K4, "no permission");
        AssertResult(0, S.Enable(P1, c));
        AssertDisabledAgainAfter(c);
    }

    void AssertDisabledAgainAfter(int c)
    {
        AssertResult(0, S.Disable(P1, c));
        AssertMapFails(Errno.EPERM, c, RW, V(P1, 0), 0, K4, "MAP after DISABLE");
    }

    [Fact, Spec("MAP-4", "MAP-5", "ABI-5")]
    public void Map_StructInUnmappedMemory_EfaultBeforeTheFieldChecks()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertMapFails(Errno.EFAULT, c, RW, V(P1, 0), 0, K4, "struct at NULL", at: 0);
        AssertMapFails(Errno.EFAULT, c, 0xFF, V(P1, 0) + 1, 0x123, 7, "bad fields, struct straddling", argsz: 0, at: End(P1) - 8);
    }

    [Theory, Spec("MAP-6")]
    [InlineData(4u)]
    [InlineData(7u)]
    [InlineData(8u)]
    [InlineData(0x80000000u)]
    [InlineData(0xFFFFFFFFu)]
    public void Map_FlagsWithABitOtherThanReadOrWrite_Einval(uint flags)
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertMapFails(Errno.EINVAL, c, flags, V(P1, 0), 0, K4, $"flags 0x{flags:x}");
    }

    [Theory, Spec("MAP-7")]
    [InlineData(1UL, 0x1000UL)]
    [InlineData(0x800UL, 0x1000UL)]
    [InlineData(0xFFFUL, 0x1000UL)]
    [InlineData(0UL, 0x800UL)]
    [InlineData(0UL, 0x1001UL)]
    [InlineData(0UL, 1UL)]
    [InlineData(1UL, 0UL)]
    public void Map_SizeOrVaddrNot4KAligned_Einval(ulong vaddrOffset, ulong size)
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertMapFails(Errno.EINVAL, c, RW, V(P1, 0) + vaddrOffset, 0, size, $"vaddr +0x{vaddrOffset:x}, size 0x{size:x}");
    }

    [Fact, Spec("MAP-8", "TBL-4", "MAP-13")]
    public void Map_WithoutAnyPermission_EinvalEvenForSizeZero()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertMapFails(Errno.EINVAL, c, 0, V(P1, 0), 0, K4, "flags 0");
        AssertMapFails(Errno.EINVAL, c, 0, V(P1, 0), 0, 0, "flags 0, size 0");
    }

    [Theory, Spec("MAP-8", "TBL-4", "ABI-7")]
    [InlineData(0x800800UL, 0x1000UL)]             // not aligned
    [InlineData(0x800001UL, 0UL)]                  // not aligned, size 0
    [InlineData(0x7FF000UL, 0x1000UL)]             // below the window
    [InlineData(0x7FF000UL, 0x2000UL)]             // starts below, ends inside
    [InlineData(0UL, 0UL)]                         // below, size 0
    [InlineData(0x820000UL, 0x1000UL)]             // first entry past the window
    [InlineData(0x820000UL, 0UL)]                  // past the window, size 0
    [InlineData(0xFFFFFFFFFFFFF000UL, 0x1000UL)]   // far past
    public void Map_IovaUnalignedOrItsFirstEntryOutsideTheWindow_Einval(ulong iova, ulong size)
    {
        var (c, _) = S.SetupEnabled(P1, 2);            // window [0x800, 0x820)
        AssertMapFails(Errno.EINVAL, c, RW, V(P1, 0), iova, size, $"iova 0x{iova:x}, size 0x{size:x}");
    }

    [Theory, Spec("MAP-9", "FIND-1", "INV-2")]
    [InlineData(0x81F000UL, 0x2000UL)]             // one entry too many
    [InlineData(0x800000UL, 0x21000UL)]            // the window plus one
    [InlineData(0x800000UL, 0xFFFFFFFFFFFFF000UL)] // n = 2^52 - 1: no overflow to a small end
    [InlineData(0x81F000UL, 0x8000000000000000UL)]
    public void Map_EndPastTheWindow_EinvalNothingBuilt(ulong iova, ulong size)
    {
        var (c, _) = S.SetupEnabled(P1, 2);
        AssertMapFails(Errno.EINVAL, c, RW, V(P1, 0), iova, size, $"iova 0x{iova:x}, size 0x{size:x}");
        Assert.Equal(0UL, Obs().Tce(2, 0x820));
    }

    [Fact, Spec("MAP-9", "MAP-10")]
    public void Map_EndPastTheWindow_IsCheckedBeforeAnyPageIsLookedUp()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertMapFails(Errno.EINVAL, c, RW, End(P1), Iova(63), 2 * K4, "unmapped vaddr and end past the window");
    }

    [Fact, Spec("MAP-9", "MAP-10")]
    public void Map_EndingExactlyAtTheWindowEnd_Succeeds()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), Iova(62), 2 * K4));
        AssertTce(1, 62, ExpectedTce(P1, V(P1, 0), RW));
        AssertTce(1, 63, ExpectedTce(P1, V(P1, 0) + K4, RW));
        AssertTce(1, 64, 0);
    }

    [Fact, Spec("MAP-1", "MAP-10", "MAP-13", "TBL-5", "TBL-6", "TBL-8")]
    public void Map_Success_BuildsOneTcePerEntryFromConsecutiveUserAddressesAndPinsEach()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        ulong vaddr = V(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, vaddr, Iova(4), 3 * K4), "MAP of 3 entries");
        var o = Obs();
        var pins = new Dictionary<long, int>();
        for (int i = 0; i < 3; i++)
        {
            ulong va = vaddr + (ulong)i * K4;
            Assert.Equal(ExpectedTce(P1, va, RW), o.Tce(1, 4 + i));
            pins[FrameOf(P1, va)] = pins.GetValueOrDefault(FrameOf(P1, va)) + 1;
        }
        Assert.Equal(0UL, o.Tce(1, 3));
        Assert.Equal(0UL, o.Tce(1, 7));
        for (long p = 0; p < SmallConfig.PhysicalPages; p++)
        {
            Assert.Equal(Base(p) + pins.GetValueOrDefault(p), o.PageRef(p));
            Assert.False(o.PageDirty(p));                   // mapping does not dirty
        }
        Assert.False(o.Table(1).FlushPending);
        Assert.Equal(64, o.LockedVm(P1));                   // the charge was taken by ENABLE, not per map
    }

    [Fact, Spec("MAP-10", "TBL-6", "STATE-1")]
    public void Map_SubPageOffsets_TcesCarryTheOffsetOfThe4KPageWithinTheSystemPage()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        // literal values: 4K pages -> vpage 0x11 is frame 1; 64K pages -> offset 0x1000 of frame 0
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0) + 0x1000, Iova(0), K4));
        AssertTce(1, 0, 0x1003);
        // pid 2's vpage 0x10 is frame 7: 4K -> vpage 0x11 = frame 8; 64K -> frame 7 + 0x1000
        var (c2, _) = Setup2Enabled();
        AssertResult(0, S.Map(P2, c2, R, V(P2, 0) + 0x1000, Iova(0x800), K4));
        AssertTce(2, 0x800, PageShift == 12 ? 0x8001UL : 0x71001UL);
    }

    /// <summary>SETUP(2, 2) plus ENABLE, with pid 2 allowed to lock (its boot limit is 0).</summary>
    (int Container, int Group) Setup2Enabled()
    {
        var (c, g) = S.Setup(P2, 2);
        int c1 = (int)S.PassFd(P2, c, P1);
        Scenario.Must(S.Enable(P1, c1), "ENABLE by pid 1 of pid 2's container");
        return (c, g);
    }

    [Fact, Spec("MAP-10", "TBL-6", "STATE-1", "INV-3")]
    public void Map_OfMoreEntriesThanOnePage_PinsEachFrameOncePerEntry()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        int n = Sub + 2;                                    // 3 frames with 4K pages; 16 + 2 entries on 2 frames with 64K
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, (ulong)n * K4));
        var o = Obs();
        var pins = new Dictionary<long, int>();
        for (int i = 0; i < n; i++)
        {
            ulong va = V(P1, 0) + (ulong)i * K4;
            long f = FrameOf(P1, va);
            pins[f] = pins.GetValueOrDefault(f) + 1;
            Assert.Equal(((ulong)f << PageShift) + (va & (PS - 1)) | RW, o.Tce(1, i));
        }
        if (PageShift == 16) Assert.Equal(new Dictionary<long, int> { [0] = 16, [1] = 2 }, pins);
        foreach (var (f, k) in pins) Assert.Equal(Base(f) + k, o.PageRef(f));
    }

    [Fact, Spec("MAP-10", "TBL-6")]
    public void Map_FromAnUnmappedUserPage_EfaultNothingPinned()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertMapFails(Errno.EFAULT, c, R, End(P1), 0, K4, "vaddr in the hole after the last page");
        AssertMapFails(Errno.EFAULT, c, R, 0, 0, K4, "vaddr 0");
        AssertMapFails(Errno.EFAULT, c, R, 0xFFFFFFFFFFFFF000UL, 0, K4, "vaddr at the top");
    }

    [Fact, Spec("MAP-10", "TBL-6")]
    public void Map_WriteIntoAReadOnlyPage_EfaultButReadOnlySucceeds()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        ulong ro = V(P1, RoIndex);
        AssertMapFails(Errno.EFAULT, c, W, ro, 0, K4, "WRITE");
        AssertMapFails(Errno.EFAULT, c, RW, ro, 0, K4, "READ|WRITE");
        AssertResult(0, S.Map(P1, c, R, ro, 0, K4), "READ");
        AssertTce(1, 0, ExpectedTce(P1, ro, R));
        AssertRef(F(P1, RoIndex), Base(F(P1, RoIndex)) + 1);
    }

    [Fact, Spec("MAP-10", "MAP-13", "TBL-5")]
    public void Map_OverAnEntryInUse_EbusyAndTheMappingIsNotReplaced()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, R, V(P1, 1), Iova(3), K4));
        AssertMapFails(Errno.EBUSY, c, RW, V(P1, 2), Iova(3), K4, "same entry");
        AssertMapFails(Errno.EBUSY, c, R, V(P1, 1), Iova(3), K4, "same entry, same page");
        AssertTce(1, 3, ExpectedTce(P1, V(P1, 1), R));
        AssertRef(FrameOf(P1, V(P1, 1)), Base(FrameOf(P1, V(P1, 1))) + 1);
        AssertRef(F(P1, 2), Base(F(P1, 2)));
    }

    [Fact, Spec("MAP-10", "TBL-6", "TBL-5")]
    public void Map_OntoAnEntryInUseFromAnUnmappedPage_EfaultBecauseThePageIsLookedUpBeforeTheBuild()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, R, V(P1, 0), Iova(3), K4));
        AssertMapFails(Errno.EFAULT, c, R, End(P1), Iova(3), K4, "entry 3 in use, vaddr unmapped");
        AssertMapFails(Errno.EFAULT, c, W, V(P1, RoIndex), Iova(3), K4, "entry 3 in use, WRITE to a read-only page");
        AssertMapFails(Errno.EBUSY, c, R, V(P1, RoIndex), Iova(3), K4, "entry 3 in use, page fine");
    }

    [Fact, Spec("MAP-11", "TBL-7", "INV-5", "INV-3")]
    public void Map_FailingPartWay_UndoesExactlyTheEntriesItBuilt_EarlierMappingsStay()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, R, V(P1, 3), Iova(5), 2 * K4), "entries 5, 6");
        var kept = new[] { (5L, ExpectedTce(P1, V(P1, 3), R)), (6L, ExpectedTce(P1, V(P1, 3) + K4, R)) };
        var pinsBefore = Obs().Pages.ToDictionary(kv => kv.Key, kv => kv.Value.Ref);
        // entries 2, 3, 4 are built, 5 is in use: EBUSY, 2..4 undone (their pages get dirty: WRITE)
        AssertFailsAtomically(Errno.EBUSY, () => S.Map(P1, c, RW, V(P1, 0), Iova(2), 5 * K4), MapFailure, "MAP 2..6");
        var o = Obs();
        foreach (var (e, tce) in kept) Assert.Equal(tce, o.Tce(1, e));
        for (long e = 2; e <= 4; e++) Assert.Equal(0UL, o.Tce(1, e));
        Assert.Equal(0UL, o.Tce(1, 7));
        var undone = Enumerable.Range(0, 3).Select(i => FrameOf(P1, V(P1, 0) + (ulong)i * K4)).ToHashSet();
        for (long p = 0; p < SmallConfig.PhysicalPages; p++)
        {
            Assert.Equal(pinsBefore[p], o.PageRef(p));
            Assert.Equal(undone.Contains(p), o.PageDirty(p));
        }
        Assert.False(o.Table(1).FlushPending);
    }

    [Fact, Spec("MAP-11", "MAP-12", "TBL-6", "INV-5")]
    public void Map_FailingPartWayWithReadOnlyPermission_SetsNoDirtyBit()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        // two entries in mapped memory, the third in the hole after the last page
        AssertFailsAtomically(Errno.EFAULT, () => S.Map(P1, c, R, End(P1) - 2 * K4, Iova(20), 3 * K4), FailureAllowance.None, "READ map into the hole");
        var o = Obs();
        Assert.All(o.Pages.Values, p => Assert.False(p.Dirty));
        Assert.False(o.Table(1).FlushPending);
        AssertWindowClear(1);
    }

    [Fact, Spec("MAP-11", "TBL-6", "INV-5")]
    public void Map_FailingPartWayWithWrite_DirtiesExactlyTheBuiltPages()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        ulong start = End(P1) - K4;                        // the last 4 KiB of the last (writable) page
        AssertFailsAtomically(Errno.EFAULT, () => S.Map(P1, c, W, start, Iova(20), 2 * K4), MapFailure, "WRITE map into the hole");
        var o = Obs();
        for (long p = 0; p < SmallConfig.PhysicalPages; p++) Assert.Equal(p == F(P1, 7), o.PageDirty(p));
        Assert.Equal(Base(F(P1, 7)), o.PageRef(F(P1, 7)));
        AssertWindowClear(1);
    }

    [Fact, Spec("MAP-12", "TBL-8", "INV-9")]
    public void Map_FlushesOnSuccessAndOnFailure()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        Assert.False(Obs().Table(1).FlushPending);
        AssertErr(Errno.EBUSY, S.Map(P1, c, RW, V(P1, 1), 0, 2 * K4));
        Assert.False(Obs().Table(1).FlushPending);
        AssertResult(0, Sys.InjectTceWriteFailure(1, 2));
        AssertErr(Errno.EIO, S.Map(P1, c, RW, V(P1, 1), Iova(10), 2 * K4));
        Assert.False(Obs().Table(1).FlushPending);
    }

    [Fact, Spec("MAP-13", "MAP-7", "MAP-8")]
    public void Map_SizeZero_BuildsNothingAndReturnsZeroEvenFromAnUnmappedVaddr()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        S.CapturePreCall = true;
        AssertResult(0, S.Map(P1, c, RW, End(P1), Iova(5), 0));
        Assert.Equal(S.PreCall, Snap());
        AssertResult(0, S.Map(P1, c, R, V(P1, 0), Iova(63), 0));
        Assert.Equal(S.PreCall, Snap());
    }

    [Fact, Spec("MAP-13", "ABI-8")]
    public void Map_WritesNothingBack()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        ulong at = S.Scratch(P1) + 0x100;
        var arg = Abi.DmaMap(0x40, RW, V(P1, 0), 0, K4);
        AssertResult(0, S.IoctlWith(P1, c, Ioctls.MapDma, arg, at));
        Assert.Equal(arg, S.Peek(P1, at, 32));
        var bad = Abi.DmaMap(0x40, RW, V(P1, 0), 0, K4);
        AssertErr(Errno.EBUSY, S.IoctlWith(P1, c, Ioctls.MapDma, bad, at));
        Assert.Equal(bad, S.Peek(P1, at, 32));
    }

    [Fact, Spec("MAP-10", "UNMAP-8", "INV-3", "INV-4")]
    public void Map_TheWholeWindow_PinsEveryEntry_AndUnmapOfTheWholeWindowPutsThemAll()
    {
        // 64 entries need 64 * 4 KiB of user memory: map extra pages at vpage 0x40.. (frames reused on purpose)
        int pages = 64 / Sub;
        for (int i = 0; i < pages; i++) AssertResult(0, Sys.MapUserPage(P1, 0x40UL + (ulong)i, i % 24, true));
        ulong vaddr = 0x40UL << PageShift;
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, W, vaddr, 0, 64 * K4), "MAP of the whole window");
        var o = Obs();
        var pins = new Dictionary<long, int>();
        for (int e = 0; e < 64; e++)
        {
            long f = (e / Sub) % 24;
            pins[f] = pins.GetValueOrDefault(f) + 1;
            Assert.Equal(((ulong)f << PageShift) + (ulong)(e % Sub) * K4 | W, o.Tce(1, e));
        }
        for (long p = 0; p < 24; p++) Assert.Equal(Base(p) + pins.GetValueOrDefault(p), o.PageRef(p));
        AssertInvariants();
        AssertMapFails(Errno.EINVAL, c, W, vaddr, 0, 65 * K4, "65 entries");
        AssertResult(0, S.Unmap(P1, c, 0, 64 * K4), "UNMAP of the whole window");
        o = Obs();
        for (long p = 0; p < 24; p++)
        {
            Assert.Equal(Base(p), o.PageRef(p));
            Assert.Equal(pins.ContainsKey(p), o.PageDirty(p));
        }
        AssertWindowClear(1);
    }
}
