using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/state.md: the world at boot and the shape of the observable state.
public abstract partial class SystemContractTests
{
    [Fact, Spec("STATE-2", "STATE-10")]
    public void Boot_Pages_HaveBaseRefCountNoDirtyBitAndZeroBytes()
    {
        var o = Obs();
        for (long pfn = 0; pfn < SmallConfig.PhysicalPages; pfn++)
        {
            Assert.Equal(1 + pfn % 3, o.PageRef(pfn));
            Assert.False(o.PageDirty(pfn), $"page {pfn} dirty at boot");
        }
        Assert.Empty(o.Mem);
    }

    [Fact, Spec("STATE-3", "STATE-10")]
    public void Boot_Processes_AreLiveWithZeroLockedVmAndTheirConfiguredMappings()
    {
        var o = Obs();
        foreach (var (pid, firstPfn) in new[] { (P1, 0L), (P2, 7L) })
        {
            Assert.False(o.Exited(pid));
            Assert.Equal(0, o.LockedVm(pid));
            var vm = o.UserPagesOf(pid);
            Assert.Equal(8, vm.Count);
            for (int i = 0; i < 8; i++)
            {
                var page = vm[0x10UL + (ulong)i];
                Assert.Equal(firstPfn + i, page.Pfn);
                Assert.Equal(i != RoIndex, page.Writable);
            }
            Assert.Empty(o.FdsOf(pid));
        }
        Assert.Equal(2, o.Procs.Count);
    }

    [Fact, Spec("STATE-5", "TBL-1", "TBL-2")]
    public void Boot_Tables_AreHostOwnedWithEmptyWindowsReservedBitZeroAndGuardBand()
    {
        var o = Obs();
        var t1 = o.Table(1);
        Assert.Null(t1.Owner);
        Assert.False(t1.FlushPending);
        Assert.Equal(0, t1.Inject);
        Assert.Equal("0", t1.ItMap);           // it_offset == 0: bit 0 reserved (TBL-1)
        Assert.Empty(o.TcesOf(1));              // no guard below entry 0, guard above holds 0

        var t2 = o.Table(2);
        Assert.Null(t2.Owner);
        Assert.False(t2.FlushPending);
        Assert.Equal(0, t2.Inject);
        Assert.Equal("", t2.ItMap);             // it_offset != 0: no bit
        var expected = new Dictionary<long, ulong>();
        for (long e = 0x7fc; e < 0x800; e++) expected[e] = Memory.HostTce(e); // 4 host entries below the window
        Assert.Equal(expected, o.TcesOf(2).ToDictionary(kv => kv.Key, kv => kv.Value));
    }

    [Fact, Spec("STATE-7", "STATE-6")]
    public void Boot_Groups_AreClosedWithoutContainerAndNoContainerExists()
    {
        var o = Obs();
        foreach (int g in new[] { 1, 2 })
        {
            var grp = o.Group(g);
            Assert.False(grp.Opened);
            Assert.Null(grp.Container);
            Assert.Equal(0, grp.Users);
        }
        Assert.Equal(0, o.Opens(1, Dev1));
        Assert.Equal(0, o.Opens(2, Dev2a));
        Assert.Equal(0, o.Opens(2, Dev2b));
        Assert.Empty(o.Containers);
    }

    [Fact, Spec("STATE-1", "INFO-1", "ABI-7")]
    public void Platform_WindowJustBelow4GiB_InfoReportsByteStartAndSizeAndLastEntryMaps()
    {
        // A window [0xFFFBF, 0xFFFFF): its bytes lie below 4 GiB and fit the u32 fields of INFO.
        Use(WithGroup(1, g => g with { ItOffset = 0xFFFBF, ItSize = 64 }));
        var (c, _) = S.SetupEnabled(P1, 1);
        var info = S.GetInfoRead(P1, c);
        AssertResult(0, info.Result, "GET_INFO");
        Assert.Equal(0xFFFBF000u, info.Start);
        Assert.Equal(0x40000u, info.Size);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0xFFFFE000UL, K4), "MAP last entry");
        AssertTce(1, 0xFFFFE, ExpectedTce(P1, V(P1, 0), RW));
        AssertErr(Errno.EINVAL, S.Map(P1, c, RW, V(P1, 0), 0xFFFFF000UL, K4), "MAP one past the window");
        AssertErr(Errno.EINVAL, S.Map(P1, c, RW, V(P1, 0), 0x100000000UL, K4), "MAP at 4 GiB");
    }

    [Fact, Spec("STATE-1", "TBL-6", "MAP-10")]
    public void Platform_MapOfOneSystemPage_BuildsOneTcePerIommuPageEachPinning()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, PS), "MAP one system page");
        var o = Obs();
        for (int e = 0; e < Sub; e++)
            Assert.Equal(((ulong)F(P1, 0) << PageShift) + (ulong)e * K4 | RW, o.Tce(1, e));
        Assert.Equal(0UL, o.Tce(1, Sub));
        Assert.Equal(Base(F(P1, 0)) + Sub, o.PageRef(F(P1, 0))); // 1 pin (4K) or 16 pins (64K) of one frame
    }

    [Fact, Spec("STATE-2", "PROC-7")]
    public void Mmap_AndMunmap_DoNotChangeReferenceCounts()
    {
        var before = Obs();
        AssertResult(0, Sys.MapUserPage(P1, 0x30, 20, true), "mmap");
        AssertResult(0, Sys.MapUserPage(P2, 0x30, 20, false), "mmap");
        AssertResult(0, Sys.UnmapUserPage(P1, 0x10), "munmap");
        var after = Obs();
        for (long p = 0; p < SmallConfig.PhysicalPages; p++)
            Assert.Equal(before.PageRef(p), after.PageRef(p));
    }

    [Fact, Spec("STATE-2", "HOST-4")]
    public void HostMemory_IsNotAFrame_HostAllocAndFreeChangeNoPageCount()
    {
        var before = Obs();
        AssertResult(1, Sys.HostAlloc(1, 8), "host_alloc");
        Assert.Equal(before.Pages, Obs().Pages);
        AssertResult(0, Sys.HostFree(1, 1, 8), "host_free");
        Assert.Equal(before.Pages, Obs().Pages);
    }

    [Fact, Spec("STATE-3", "PROC-3")]
    public void Fork_NewPid_IsLargestPidThatEverExistedPlusOne()
    {
        AssertResult(3, S.Fork(P1), "fork 1");
        AssertResult(0, S.Exit(3), "exit 3");
        AssertResult(4, S.Fork(P2), "fork 2 after 3 exited");
        AssertResult(5, S.Fork(4), "fork 4");
        Assert.True(Obs().Exited(3));
    }

    [Fact, Spec("STATE-3", "PROC-5", "EN-5")]
    public void ExitedMm_KeepsItsLockedVmWhileAContainerHoldsTheChargeAndHasNoAddressSpace()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertOk(S.PassFd(P1, c, P2));
        AssertOk(S.PassFd(P1, g, P2));
        AssertResult(0, S.Exit(P1), "exit 1");
        var o = Obs();
        Assert.True(o.Exited(P1));
        Assert.Equal(64, o.LockedVm(P1));
        Assert.Empty(o.UserPagesOf(P1));
        Assert.Empty(o.FdsOf(P1));
    }

    [Fact, Spec("STATE-4")]
    public void NewFd_IsTheLowestFreeNumberFromThree()
    {
        AssertResult(3, S.OpenContainer(P1));
        AssertResult(4, S.OpenContainer(P1));
        AssertResult(5, S.OpenContainer(P1));
        AssertResult(0, S.Close(P1, 4));
        AssertResult(4, S.OpenGroup(P1, 1), "open group reuses fd 4");
        AssertResult(6, S.OpenContainer(P1));
        AssertResult(3, S.OpenContainer(P2), "fd tables are per process");
    }

    [Fact, Spec("STATE-4", "PROC-4", "PROC-6")]
    public void File_ReferredToByTwoEntries_IsReleasedOnlyWithTheLastEntry()
    {
        AssertResult(3, S.OpenContainer(P1));
        AssertResult(3, S.PassFd(P1, 3, P2));
        AssertResult(0, S.Close(P1, 3));
        var o = Obs();
        Assert.True(o.HasContainer(1));
        Assert.Equal(1, o.Container(1).Refs);
        Assert.Equal("container 1", o.FdTarget(P2, 3));
        AssertResult(0, S.Close(P2, 3));
        Assert.False(Obs().HasContainer(1));
    }

    [Fact, Spec("STATE-6", "CORE-1", "CORE-8")]
    public void Container_IdsCountUpAndAreNeverReused()
    {
        AssertResult(3, S.OpenContainer(P1));
        AssertResult(4, S.OpenContainer(P1));
        Assert.Equal(new[] { 1, 2 }, Obs().Containers.Keys.Order());
        AssertResult(0, S.Close(P1, 3));
        AssertResult(0, S.Close(P1, 4));
        Assert.Empty(Obs().Containers);
        AssertResult(3, S.OpenContainer(P1));
        Assert.Equal(new[] { 3 }, Obs().Containers.Keys);
        Assert.Equal("container 3", Obs().FdTarget(P1, 3));
    }

    [Fact, Spec("STATE-6", "CORE-23", "CORE-7")]
    public void Container_GroupList_IsMostRecentlyAddedFirst()
    {
        int c = (int)S.OpenContainer(P1);
        int g1 = (int)S.OpenGroup(P1, 1);
        int g2 = (int)S.OpenGroup(P1, 2);
        AssertResult(0, S.SetContainer(P1, g1, c));
        AssertResult(0, S.SetContainer(P1, g2, c));
        var ct = Obs().Container(1);
        Assert.Equal("2,1", ct.GroupList);
        Assert.Equal(3, ct.Refs);
    }

    [Fact, Spec("STATE-5", "TBL-9", "TBL-5", "UNMAP-8")]
    public void Tce_WithoutPermissionBits_IsNotInUse_IsZeroedByTakeOverWithoutAPut()
    {
        ulong leftover = (ulong)2 << PageShift; // points at frame 2, but neither READ nor WRITE
        AssertResult(0, Sys.HostWriteStale(1, 5, leftover), "stale");
        AssertTce(1, 5, leftover);                  // STATE-5: stored, though not in use
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertTce(1, 5, 0);                         // TBL-9 zeroes every non-zero window TCE
        AssertRef(2, Base(2));                      // ... without a put
        AssertResult(0, S.Unmap(P1, c, Iova(5), K4), "UNMAP skips a TCE not in use");
        AssertRef(2, Base(2));
        AssertResult(0, S.Map(P1, c, R, V(P1, 1), Iova(5), K4), "MAP over a TCE not in use");
        AssertTce(1, 5, ExpectedTce(P1, V(P1, 1), R));
    }

    [Fact, Spec("STATE-8", "CORE-3", "EXT-1")]
    public void DriverRegistry_OnlySpaprTceIsRegistered_CheckExtensionAnswersOnlyTwo()
    {
        int c = (int)S.OpenContainer(P1);
        AssertResult(1, S.CheckExtension(P1, c, Abi.SpaprTceIommu));
        AssertResult(0, S.CheckExtension(P1, c, Abi.Type1Iommu));
        AssertResult(0, S.CheckExtension(P1, c, 0));
        AssertResult(0, S.CheckExtension(P1, c, 3));
    }

    [Fact, Spec("STATE-10", "PROC-8")]
    public void Snapshot_ShowsPokedBytesAsNonZeroMemoryOfTheFrame()
    {
        ulong addr = V(P1, 1) + 0x20;
        AssertResult(0, Sys.PokeUser(P1, addr, new byte[] { 0xAA, 0, 0xBB }), "poke");
        var o = Obs();
        Assert.Equal(0xAA, o.MemByte(F(P1, 1), 0x20));
        Assert.Equal(0, o.MemByte(F(P1, 1), 0x21));
        Assert.Equal(0xBB, o.MemByte(F(P1, 1), 0x22));
        Assert.Single(o.Mem);
        // pid 2 maps frame 7 at vpage 0x10, pid 1 at vpage 0x17: the bytes are the frame's
        AssertResult(0, Sys.PokeUser(P1, V(P1, 7) + 5, new byte[] { 0x11 }), "poke");
        var seen = new byte[1];
        AssertResult(0, Sys.PeekUser(P2, V(P2, 0) + 5, seen), "peek");
        Assert.Equal(0x11, seen[0]);
    }

    [Fact, Spec("STATE-10", "STATE-4", "CORE-27")]
    public void Snapshot_FdTable_NamesContainerGroupAndDevice()
    {
        var (c, g) = S.Setup(P1, 1);
        long d = S.GetDeviceFd(P1, g, Dev1);
        AssertResult(5, d, "GET_DEVICE_FD");
        var o = Obs();
        Assert.Equal("container 1", o.FdTarget(P1, c));
        Assert.Equal("group 1", o.FdTarget(P1, g));
        Assert.Equal("device 1:" + Dev1, o.FdTarget(P1, 5));
        Assert.Equal(new[] { 3, 4, 5 }, o.FdsOf(P1));
    }

    [Fact, Spec("STATE-9", "PROC-5", "REL-1", "DIS-2")]
    public void Exit_ReleasesTheContainerAsTheExitingProcessWithNoMm_ChargeStillReturned()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        AssertResult(0, S.Exit(P1), "exit");
        var o = Obs();
        Assert.Equal(0, o.LockedVm(P1));
        Assert.Equal(Base(F(P1, 0)), o.PageRef(F(P1, 0)));
        Assert.True(o.PageDirty(F(P1, 0)));
        Assert.Empty(o.Containers);
    }
}
