using TceVerify.Harness.Invariants;
using TceVerify.Harness.Programs;
using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/core.md: the container file, the group file, the device file (CORE-1 .. CORE-31).
public abstract partial class SystemContractTests
{
    // ------------------------------------------------------------------ container file

    [Fact, Spec("CORE-1", "STATE-6")]
    public void OpenContainer_CreatesAContainerWithCountOneNoGroupsAndNoDriver()
    {
        AssertResult(3, S.OpenContainer(P1));
        var o = Obs();
        var c = o.Container(1);
        Assert.Equal(1, c.Refs);
        Assert.Empty(c.Groups);
        Assert.False(c.DriverSet);
        Assert.Null(c.Tbl);
        Assert.False(c.Enabled);
        Assert.Null(c.Payer);
        Assert.Equal("container 1", o.FdTarget(P1, 3));
    }

    [Theory, Spec("CORE-3", "EXT-1", "DRV-1")]
    [InlineData(0UL, 0L)]
    [InlineData(1UL, 0L)]
    [InlineData(2UL, 1L)]
    [InlineData(3UL, 0L)]
    [InlineData(0x1_0000_0002UL, 0L)]
    [InlineData(ulong.MaxValue, 0L)]
    public void CheckExtension_AnswersOneOnlyForSpaprTce_WithOrWithoutADriver(ulong arg, long expected)
    {
        int bare = (int)S.OpenContainer(P1);
        var (c, _) = S.Setup(P1, 1);
        var before = Snap();
        AssertResult(expected, S.CheckExtension(P1, bare, arg), "no driver");
        AssertResult(expected, S.CheckExtension(P1, c, arg), "with the driver");
        Assert.Equal(before, Snap());
    }

    [Fact, Spec("CORE-4")]
    public void SetIommu_OnAContainerWithoutGroups_EinvalBeforeTheExtensionCheck()
    {
        int c = (int)S.OpenContainer(P1);
        AssertFailsAtomically(Errno.EINVAL, () => S.SetIommu(P1, c, 2), what: "arg 2");
        AssertFailsAtomically(Errno.EINVAL, () => S.SetIommu(P1, c, 1), what: "arg 1");
    }

    [Fact, Spec("CORE-4")]
    public void SetIommu_WithADriverAlreadySet_EinvalBeforeTheExtensionCheck()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertFailsAtomically(Errno.EINVAL, () => S.SetIommu(P1, c, 2), what: "arg 2");
        AssertFailsAtomically(Errno.EINVAL, () => S.SetIommu(P1, c, 1), what: "arg 1");
    }

    [Theory, Spec("CORE-4", "OPEN-1")]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(3UL)]
    [InlineData(0x1_0000_0002UL)]
    public void SetIommu_WithAnArgTheDriverDoesNotAnswer_Enodev(ulong arg)
    {
        int c = (int)S.OpenContainer(P1);
        int g = (int)S.OpenGroup(P1, 1);
        AssertResult(0, S.SetContainer(P1, g, c));
        AssertFailsAtomically(Errno.ENODEV, () => S.SetIommu(P1, c, arg), what: $"SET_IOMMU({arg})");
    }

    [Fact, Spec("CORE-4", "TBL-9")]
    public void SetIommu_WithAnUnansweredArgAndATableTheHostStillUses_EnodevBeforeAnyAttach()
    {
        AssertResult(1, Sys.HostAlloc(1, 1));
        int c = (int)S.OpenContainer(P1);
        int g = (int)S.OpenGroup(P1, 1);
        AssertResult(0, S.SetContainer(P1, g, c));
        AssertFailsAtomically(Errno.ENODEV, () => S.SetIommu(P1, c, 1), what: "arg 1, attach would fail");
        AssertFailsAtomically(Errno.EBUSY, () => S.SetIommu(P1, c, 2), what: "arg 2: the attach fails");
    }

    [Fact, Spec("CORE-4", "OPEN-1", "ATT-1", "INV-6")]
    public void SetIommu_Success_StoresTheDriverWithFreshDataAndAttachesTheGroup()
    {
        int c = (int)S.OpenContainer(P1);
        int g = (int)S.OpenGroup(P1, 1);
        AssertResult(0, S.SetContainer(P1, g, c));
        AssertResult(0, S.SetIommu(P1, c), "SET_IOMMU");
        var o = Obs();
        var ct = o.Container(1);
        Assert.True(ct.DriverSet);
        Assert.Equal(1, ct.Tbl);
        Assert.False(ct.Enabled);
        Assert.Null(ct.Payer);
        Assert.Equal(2, ct.Refs);
        Assert.Equal(1, o.Table(1).Owner);
        Assert.Equal("0-3f", o.Table(1).ItMap);
        Assert.Equal(0, o.LockedVm(P1));
    }

    [Fact, Spec("CORE-4", "ATT-1", "INV-5", "FIND-19")]
    public void SetIommu_WithTwoGroups_IsEbusyBeforeAnyTableIsTakenOver()
    {
        AssertResult(0, Sys.HostWriteStale(1, 5, Memory.HostTce(5)));
        AssertResult(0, Sys.HostWriteStale(2, 0x805, Memory.HostTce(0x805)));
        int c = (int)S.OpenContainer(P1);
        int g1 = (int)S.OpenGroup(P1, 1);
        int g2 = (int)S.OpenGroup(P1, 2);
        AssertResult(0, S.SetContainer(P1, g1, c));
        AssertResult(0, S.SetContainer(P1, g2, c));       // list [2, 1]
        AssertFailsAtomically(Errno.EBUSY, () => S.SetIommu(P1, c), ArgAllowance.For(Ioctls.SetIommu), "SET_IOMMU with two groups");
        var o = Obs();
        Assert.Equal(Memory.HostTce(0x805), o.Tce(2, 0x805)); // never taken over: the leftovers stay
        Assert.Equal(Memory.HostTce(5), o.Tce(1, 5));
        Assert.Equal("", o.Table(2).ItMap);
        Assert.Null(o.Table(2).Owner);
        Assert.Equal("0", o.Table(1).ItMap);
        Assert.Null(o.Table(1).Owner);
        var ct = o.Container(1);
        Assert.False(ct.DriverSet);
        Assert.Equal("2,1", ct.GroupList);
        Assert.Equal(3, ct.Refs);
        // With one group left, the same container takes its table over.
        AssertResult(0, S.UnsetContainer(P1, g2));
        AssertResult(0, S.SetIommu(P1, c));
        Assert.Equal(1, Obs().Table(1).Owner);
        AssertInvariants(hostWroteStale: true);
    }

    [Fact, Spec("CORE-5", "CORE-7", "CORE-8", "REL-1")]
    public void CloseContainerFd_WhileAGroupIsSet_TheContainerLivesOnThroughTheGroup()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        AssertResult(0, S.Close(P1, c));
        var o = Obs();
        var ct = o.Container(1);
        Assert.Equal(1, ct.Refs);
        Assert.Equal("1", ct.GroupList);
        Assert.True(ct.Enabled);
        Assert.Equal(ExpectedTce(P1, V(P1, 0), RW), o.Tce(1, 0));
        Assert.Equal(Abi.GroupFlagViable | Abi.GroupFlagContainerSet, S.GetStatusRead(P1, g).Flags);
        AssertResult(0, S.Close(P1, g));
        o = Obs();
        Assert.Empty(o.Containers);
        Assert.Empty(o.TcesOf(1));
        Assert.Equal(Base(F(P1, 0)), o.PageRef(F(P1, 0)));
        Assert.Equal(0, o.LockedVm(P1));
        Assert.Null(o.Table(1).Owner);
    }

    public static TheoryData<uint> DriverAndGroupCommands => new()
    {
        Ioctls.SpaprTceGetInfo, Ioctls.MapDma, Ioctls.UnmapDma, Ioctls.Enable, Ioctls.Disable,
        Ioctls.GroupGetStatus, Ioctls.GroupSetContainer, Ioctls.GroupUnsetContainer, Ioctls.GroupGetDeviceFd, 0x20003B7Fu,
    };

    [Theory, Spec("CORE-6", "CORE-2")]
    [MemberData(nameof(DriverAndGroupCommands))]
    public void ContainerWithoutADriver_EveryOtherCommand_Einval(uint cmd)
    {
        int bare = (int)S.OpenContainer(P1);
        int c = (int)S.OpenContainer(P1);
        int g = (int)S.OpenGroup(P1, 1);
        AssertResult(0, S.SetContainer(P1, g, c));         // a group but still no driver
        ulong at = S.Scratch(P1);
        S.Poke(P1, at, Abi.DmaMap(32, RW, V(P1, 0), 0, K4));
        AssertFailsAtomically(Errno.EINVAL, () => S.Ioctl(P1, bare, cmd, at), what: "no group, no driver");
        AssertFailsAtomically(Errno.EINVAL, () => S.Ioctl(P1, c, cmd, at), what: "a group, no driver");
    }

    [Fact, Spec("CORE-7", "CORE-8", "CORE-23", "CORE-25")]
    public void ContainerCount_IsOneForTheFilePlusOnePerGroup_AndTheContainerIsFreedAtZero()
    {
        int c = (int)S.OpenContainer(P1);
        int g1 = (int)S.OpenGroup(P1, 1);
        int g2 = (int)S.OpenGroup(P1, 2);
        Assert.Equal(1, Obs().Container(1).Refs);
        AssertResult(0, S.SetContainer(P1, g1, c));
        Assert.Equal(2, Obs().Container(1).Refs);
        AssertResult(0, S.SetContainer(P1, g2, c));
        Assert.Equal(3, Obs().Container(1).Refs);
        AssertResult(0, S.Close(P1, c));
        Assert.Equal(2, Obs().Container(1).Refs);
        AssertResult(0, S.UnsetContainer(P1, g2));
        Assert.Equal(1, Obs().Container(1).Refs);
        Assert.Equal("1", Obs().Container(1).GroupList);
        AssertResult(0, S.UnsetContainer(P1, g1));
        Assert.Empty(Obs().Containers);
        int c2 = (int)S.OpenContainer(P1);
        AssertResult(0, S.SetContainer(P1, g1, c2), "a new container");
        Assert.Equal(new[] { 2 }, Obs().Containers.Keys);
    }

    // ------------------------------------------------------------------ group file

    [Fact, Spec("CORE-20", "HOST-1")]
    public void OpenGroup_OfAnUnknownGroup_Enoent()
    {
        foreach (int g in new[] { 0, 3, 99, -1 })
            AssertFailsAtomically(Errno.ENOENT, () => S.OpenGroup(P1, g), what: $"group {g}");
    }

    [Fact, Spec("CORE-20", "LOCK-1")]
    public void OpenGroup_AlreadyOpened_EbusyForAnyProcess()
    {
        AssertResult(3, S.OpenGroup(P1, 1));
        AssertFailsAtomically(Errno.EBUSY, () => S.OpenGroup(P1, 1), what: "same process");
        AssertFailsAtomically(Errno.EBUSY, () => S.OpenGroup(P2, 1), what: "other process");
        AssertResult(3, S.OpenGroup(P2, 2), "another group");
    }

    [Fact, Spec("CORE-20", "CORE-26", "CORE-28")]
    public void OpenGroup_WhileAContainerIsStillSetFromAnEarlierOpen_EbusyAndOpenedStaysZero()
    {
        var (c, g) = S.Setup(P1, 1);
        int d = (int)S.GetDeviceFd(P1, g, Dev1);
        AssertResult(0, S.Close(P1, g));
        var grp = Obs().Group(1);
        Assert.Equal(new GroupObs(1, false, 1, 1), grp);
        AssertFailsAtomically(Errno.EBUSY, () => S.OpenGroup(P1, 1), what: "container still set");
        AssertFailsAtomically(Errno.EBUSY, () => S.OpenGroup(P2, 1), what: "container still set, other process");
        AssertResult(0, S.Close(P1, d));
        Assert.Equal(new GroupObs(1, false, null, 0), Obs().Group(1));
        AssertOk(S.OpenGroup(P1, 1), "open after the last user went away");
        Assert.True(Obs().Group(1).Opened);
        Assert.Equal(1, Obs().Container(1).Refs);          // only its file left
        Assert.False(Obs().Container(1).DriverSet);
        _ = c;
    }

    [Fact, Spec("CORE-20")]
    public void OpenGroup_Success_SetsOpenedAndReturnsAGroupFd()
    {
        AssertResult(3, S.OpenGroup(P2, 2));
        var o = Obs();
        Assert.Equal(new GroupObs(2, true, null, 0), o.Group(2));
        Assert.Equal("group 2", o.FdTarget(P2, 3));
    }

    public static TheoryData<uint> ContainerOnlyCommands => new()
    {
        Ioctls.GetApiVersion, Ioctls.CheckExtension, Ioctls.SetIommu, Ioctls.SpaprTceGetInfo,
        Ioctls.MapDma, Ioctls.UnmapDma, Ioctls.Enable, Ioctls.Disable,
    };

    [Theory, Spec("CORE-21")]
    [MemberData(nameof(ContainerOnlyCommands))]
    public void GroupFd_ContainerCommands_Enotty(uint cmd)
    {
        var (_, g) = S.SetupEnabled(P1, 1);
        ulong at = S.Scratch(P1);
        S.Poke(P1, at, Abi.DmaMap(32, RW, V(P1, 0), 0, K4));
        AssertFailsAtomically(Errno.ENOTTY, () => S.Ioctl(P1, g, cmd, cmd == Ioctls.CheckExtension || cmd == Ioctls.SetIommu ? 2 : at), what: Ioctls.Name(cmd));
    }

    [Fact, Spec("CORE-22", "ABI-7")]
    public void GetStatus_ReportsViableAndContainerSet()
    {
        int g = (int)S.OpenGroup(P1, 1);
        var st = S.GetStatusRead(P1, g);
        AssertResult(0, st.Result);
        Assert.Equal(1u, st.Flags);                        // VIABLE
        Assert.Equal(8u, st.Argsz);
        int c = (int)S.OpenContainer(P1);
        AssertResult(0, S.SetContainer(P1, g, c));
        Assert.Equal(3u, S.GetStatusRead(P1, g).Flags);    // VIABLE | CONTAINER_SET
        AssertResult(0, S.UnsetContainer(P1, g));
        Assert.Equal(1u, S.GetStatusRead(P1, g).Flags);
    }

    [Fact, Spec("CORE-22", "STATE-7")]
    public void GetStatus_OfANonViableGroup_HasNoViableFlag()
    {
        Use(WithGroup(1, g => g with { Viable = false }));
        int g = (int)S.OpenGroup(P1, 1);
        Assert.Equal(0u, S.GetStatusRead(P1, g).Flags);
        AssertResult(0, S.SetContainer(P1, g, (int)S.OpenContainer(P1)));
        Assert.Equal(2u, S.GetStatusRead(P1, g).Flags);    // CONTAINER_SET
    }

    [Fact, Spec("CORE-23", "STATE-7")]
    public void SetContainer_AddsTheGroupAtTheHead_CountsItAndTakesAContainerUser()
    {
        int c = (int)S.OpenContainer(P1);
        int g = (int)S.OpenGroup(P1, 2);
        AssertResult(0, S.SetContainer(P1, g, c));
        var o = Obs();
        Assert.Equal(new GroupObs(2, true, 1, 1), o.Group(2));
        Assert.Equal("2", o.Container(1).GroupList);
        Assert.Equal(2, o.Container(1).Refs);
        Assert.False(o.Container(1).DriverSet);
        Assert.Null(o.Table(2).Owner);                     // no driver: nothing attached
    }

    [Fact, Spec("CORE-23")]
    public void SetContainer_NegativeFd_EinvalNotEbadf()
    {
        int g = (int)S.OpenGroup(P1, 1);
        S.OpenContainer(P1);
        AssertFailsAtomically(Errno.EINVAL, () => S.SetContainer(P1, g, -1), what: "fd -1");
        AssertFailsAtomically(Errno.EINVAL, () => S.SetContainer(P1, g, int.MinValue), what: "fd INT_MIN");
    }

    [Fact, Spec("CORE-23")]
    public void SetContainer_OnAGroupWithUsers_EinvalBeforeTheFdIsLookedUp()
    {
        var (c, g) = S.Setup(P1, 1);
        int c2 = (int)S.OpenContainer(P1);
        AssertFailsAtomically(Errno.EINVAL, () => S.SetContainer(P1, g, 99), what: "unknown fd");
        AssertFailsAtomically(Errno.EINVAL, () => S.SetContainer(P1, g, c), what: "the same container");
        AssertFailsAtomically(Errno.EINVAL, () => S.SetContainer(P1, g, c2), what: "another container");
    }

    [Fact, Spec("CORE-23", "PROC-2")]
    public void SetContainer_FdNotInTheCallersTable_Ebadf()
    {
        int g = (int)S.OpenGroup(P1, 1);                  // pid 1: fd 3
        AssertResult(3, S.OpenContainer(P2));              // pid 2: fd 3
        AssertFailsAtomically(Errno.EBADF, () => S.SetContainer(P1, g, 4), what: "fd 4");
        AssertFailsAtomically(Errno.EBADF, () => S.SetContainer(P1, g, 0), what: "fd 0");
        // the fd is looked up in the caller's table: pid 2 sets its container 3 through pid 1's group fd
        int gInP2 = (int)S.PassFd(P1, g, P2);
        AssertResult(0, S.SetContainer(P2, gInP2, 3), "pid 2's fd 3");
        Assert.Equal(1, Obs().Group(1).Container);
    }

    [Fact, Spec("CORE-23")]
    public void SetContainer_FdNotAContainerFile_Einval()
    {
        var (_, g1) = S.Setup(P1, 1);
        int d = (int)S.GetDeviceFd(P1, g1, Dev1);
        int g2 = (int)S.OpenGroup(P1, 2);
        AssertFailsAtomically(Errno.EINVAL, () => S.SetContainer(P1, g2, g1), what: "a group fd");
        AssertFailsAtomically(Errno.EINVAL, () => S.SetContainer(P1, g2, g2), what: "itself");
        AssertFailsAtomically(Errno.EINVAL, () => S.SetContainer(P1, g2, d), what: "a device fd");
    }

    [Fact, Spec("CORE-23", "ATT-1")]
    public void SetContainer_IntoAContainerWithADriver_AttachFailsEbusyAndNothingIsAdded()
    {
        var (c, _) = S.Setup(P1, 1);
        int g2 = (int)S.OpenGroup(P1, 2);
        AssertFailsAtomically(Errno.EBUSY, () => S.SetContainer(P1, g2, c), what: "second group, driver set");
        AssertResult(0, S.Enable(P1, c));
        AssertFailsAtomically(Errno.EBUSY, () => S.SetContainer(P1, g2, c), what: "second group, enabled");
        var o = Obs();
        Assert.Equal(new GroupObs(2, true, null, 0), o.Group(2));
        Assert.Null(o.Table(2).Owner);
        Assert.Equal("1", o.Container(1).GroupList);
    }

    [Fact, Spec("CORE-23", "ABI-9")]
    public void SetContainer_FaultingRead_EfaultBeforeEveryOtherCheck()
    {
        var (_, g) = S.Setup(P1, 1);                      // the group has a user: EINVAL would follow the read
        AssertFailsAtomically(Errno.EFAULT, () => S.SetContainer(P1, g, -1, End(P1) - 2), what: "straddling int");
        AssertFailsAtomically(Errno.EFAULT, () => S.SetContainer(P1, g, -1, 0), what: "NULL");
    }

    [Fact, Spec("CORE-24")]
    public void UnsetContainer_WithOneUser_UnsetsTheGroup()
    {
        int c = (int)S.OpenContainer(P1);
        int g = (int)S.OpenGroup(P1, 1);
        AssertResult(0, S.SetContainer(P1, g, c));
        AssertResult(0, S.UnsetContainer(P1, g));
        var o = Obs();
        Assert.Equal(new GroupObs(1, true, null, 0), o.Group(1));
        Assert.Empty(o.Container(1).Groups);
        Assert.Equal(1, o.Container(1).Refs);
    }

    [Fact, Spec("CORE-24")]
    public void UnsetContainer_WithoutAContainer_Einval()
    {
        int g = (int)S.OpenGroup(P1, 1);
        AssertFailsAtomically(Errno.EINVAL, () => S.UnsetContainer(P1, g), what: "no container");
    }

    [Fact, Spec("CORE-24", "CORE-27")]
    public void UnsetContainer_WithADeviceOpen_Ebusy()
    {
        var (_, g) = S.SetupEnabled(P1, 1);
        AssertOk(S.GetDeviceFd(P1, g, Dev1));
        AssertFailsAtomically(Errno.EBUSY, () => S.UnsetContainer(P1, g), what: "a device is open");
    }

    [Fact, Spec("CORE-25", "DET-1", "REL-1", "DIS-2", "TBL-7", "TBL-10", "INV-6")]
    public void Unset_WithADriver_DetachesReleasesTheDataAndDropsTheDriver()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 1), Iova(3), 2 * K4));
        AssertResult(0, S.Map(P1, c, R, V(P1, 4), Iova(10), K4));
        AssertResult(0, S.UnsetContainer(P1, g));
        var o = Obs();
        var ct = o.Container(1);
        Assert.Equal((1, "", false, (int?)null, false, (int?)null), (ct.Refs, ct.GroupList, ct.DriverSet, ct.Tbl, ct.Enabled, ct.Payer));
        Assert.Equal(new GroupObs(1, true, null, 0), o.Group(1));
        Assert.Null(o.Table(1).Owner);
        Assert.Equal("0", o.Table(1).ItMap);
        Assert.False(o.Table(1).FlushPending);
        Assert.Empty(o.TcesOf(1));
        Assert.Equal(0, o.LockedVm(P1));
        for (long p = 0; p < SmallConfig.PhysicalPages; p++) Assert.Equal(Base(p), o.PageRef(p));
        Assert.True(o.PageDirty(FrameOf(P1, V(P1, 1))));
        Assert.True(o.PageDirty(FrameOf(P1, V(P1, 1) + K4)));
        Assert.False(o.PageDirty(FrameOf(P1, V(P1, 4))));
        AssertResult(0, S.SetContainer(P1, g, c), "the group can join again");
        AssertResult(0, S.SetIommu(P1, c), "and the driver be set again");
    }

    [Fact, Spec("CORE-25", "CORE-4")]
    public void Unset_OfOneOfTwoGroupsWithoutADriver_LeavesTheOther()
    {
        int c = (int)S.OpenContainer(P1);
        int g1 = (int)S.OpenGroup(P1, 1);
        int g2 = (int)S.OpenGroup(P1, 2);
        AssertResult(0, S.SetContainer(P1, g1, c));
        AssertResult(0, S.SetContainer(P1, g2, c));
        AssertResult(0, S.UnsetContainer(P1, g2));
        var o = Obs();
        Assert.Equal("1", o.Container(1).GroupList);
        Assert.Equal(2, o.Container(1).Refs);
        Assert.Equal(new GroupObs(2, true, null, 0), o.Group(2));
        AssertResult(0, S.SetIommu(P1, c), "one group left: SET_IOMMU succeeds");
        Assert.Equal(1, Obs().Table(1).Owner);
    }

    [Fact, Spec("CORE-26", "CORE-28", "CORE-25")]
    public void CloseGroupFd_DissolvesTheLastUserThenClearsOpened()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Close(P1, g));
        var o = Obs();
        Assert.Equal(new GroupObs(1, false, null, 0), o.Group(1));
        Assert.False(o.Container(1).DriverSet);
        Assert.Equal(1, o.Container(1).Refs);
        Assert.Equal(0, o.LockedVm(P1));
        Assert.Null(o.Table(1).Owner);
        _ = c;
    }

    [Fact, Spec("CORE-26", "CORE-28")]
    public void CloseGroupFd_WithADeviceOpen_KeepsTheContainerAndDriver()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertOk(S.GetDeviceFd(P1, g, Dev1));
        AssertResult(0, S.Close(P1, g));
        var o = Obs();
        Assert.Equal(new GroupObs(1, false, 1, 1), o.Group(1));
        Assert.True(o.Container(1).DriverSet);
        Assert.True(o.Container(1).Enabled);
        Assert.Equal(1, o.Table(1).Owner);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4), "the container still works");
    }

    [Fact, Spec("CORE-27", "STATE-7")]
    public void GetDeviceFd_Success_OpensTheDeviceAndTheReferenceStaysWithTheFile()
    {
        var (_, g) = S.Setup(P1, 2);
        AssertResult(5, S.GetDeviceFd(P1, g, Dev2a));
        AssertResult(6, S.GetDeviceFd(P1, g, Dev2b));
        AssertResult(7, S.GetDeviceFd(P1, g, Dev2a), "a device may be opened twice");
        var o = Obs();
        Assert.Equal(2, o.Opens(2, Dev2a));
        Assert.Equal(1, o.Opens(2, Dev2b));
        Assert.Equal(4, o.Group(2).Users);                 // opened + 3 device files
        Assert.Equal("device 2:" + Dev2a, o.FdTarget(P1, 5));
        Assert.Equal("device 2:" + Dev2b, o.FdTarget(P1, 6));
        Assert.Equal("device 2:" + Dev2a, o.FdTarget(P1, 7));
    }

    [Fact, Spec("CORE-27", "LOCK-1")]
    public void GetDeviceFd_WithoutAContainer_EinvalAndUsersStayZero()
    {
        int g = (int)S.OpenGroup(P1, 1);
        AssertFailsAtomically(Errno.EINVAL, () => S.GetDeviceFd(P1, g, Dev1), what: "no container user");
        Assert.Equal(0, Obs().Group(1).Users);
    }

    [Fact, Spec("CORE-27", "ABI-10")]
    public void GetDeviceFd_FaultingName_EfaultBeforeTheContainerCheck()
    {
        int g = (int)S.OpenGroup(P1, 1);
        AssertFailsAtomically(Errno.EFAULT, () => S.GetDeviceFd(P1, g, "abc", End(P1) - 3), what: "name into the unmapped page");
    }

    [Fact, Spec("CORE-27", "CORE-28")]
    public void GetDeviceFd_WithoutADriver_EinvalBeforeTheNameLookup_UserReferenceDropped()
    {
        int c = (int)S.OpenContainer(P1);
        int g = (int)S.OpenGroup(P1, 1);
        AssertResult(0, S.SetContainer(P1, g, c));
        AssertFailsAtomically(Errno.EINVAL, () => S.GetDeviceFd(P1, g, Dev1), what: "known device");
        AssertFailsAtomically(Errno.EINVAL, () => S.GetDeviceFd(P1, g, "nosuch"), what: "unknown device");
        Assert.Equal(1, Obs().Group(1).Users);
    }

    [Fact, Spec("CORE-27", "STATE-7")]
    public void GetDeviceFd_OnANonViableGroup_EinvalBeforeTheNameLookup()
    {
        Use(WithGroup(1, g => g with { Viable = false }));
        var (_, g) = S.Setup(P1, 1);
        AssertFailsAtomically(Errno.EINVAL, () => S.GetDeviceFd(P1, g, Dev1), what: "known device");
        AssertFailsAtomically(Errno.EINVAL, () => S.GetDeviceFd(P1, g, "nosuch"), what: "unknown device");
    }

    [Fact, Spec("CORE-27")]
    public void GetDeviceFd_UnknownName_Enodev()
    {
        var (_, g) = S.Setup(P1, 1);
        AssertFailsAtomically(Errno.ENODEV, () => S.GetDeviceFd(P1, g, Dev2a), what: "a device of another group");
        AssertFailsAtomically(Errno.ENODEV, () => S.GetDeviceFd(P1, g, ""), what: "empty name");
        AssertFailsAtomically(Errno.ENODEV, () => S.GetDeviceFd(P1, g, Dev1 + " "), what: "a longer name");
        AssertFailsAtomically(Errno.ENODEV, () => S.GetDeviceFd(P1, g, Dev1[..^1]), what: "a prefix");
        Assert.Equal(1, Obs().Group(1).Users);
    }

    [Fact, Spec("CORE-28", "CORE-30", "CORE-25")]
    public void Dissolve_TheLastOfGroupAndDeviceFilesUnsetsTheContainer_InEitherOrder()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        int d = (int)S.GetDeviceFd(P1, g, Dev1);
        Assert.Equal(2, Obs().Group(1).Users);
        AssertResult(0, S.Close(P1, d));
        Assert.Equal(new GroupObs(1, true, 1, 1), Obs().Group(1));
        Assert.Equal(0, Obs().Opens(1, Dev1));
        Assert.True(Obs().Container(1).Enabled);

        d = (int)S.GetDeviceFd(P1, g, Dev1);
        AssertResult(0, S.Close(P1, g));
        Assert.Equal(new GroupObs(1, false, 1, 1), Obs().Group(1));
        AssertResult(0, S.Close(P1, d));
        var o = Obs();
        Assert.Equal(new GroupObs(1, false, null, 0), o.Group(1));
        Assert.Equal(0, o.Opens(1, Dev1));
        Assert.False(o.Container(1).DriverSet);
        Assert.Equal(0, o.LockedVm(P1));
        _ = c;
    }

    [Fact, Spec("CORE-30")]
    public void DeviceFileRelease_DropsOneOpenOfThatDeviceOnly()
    {
        var (_, g) = S.Setup(P1, 2);
        int a = (int)S.GetDeviceFd(P1, g, Dev2a);
        int b = (int)S.GetDeviceFd(P1, g, Dev2b);
        int a2 = (int)S.PassFd(P1, a, P2);                 // a second entry for the same device file
        AssertResult(0, S.Close(P1, a));
        Assert.Equal(1, Obs().Opens(2, Dev2a));            // the file lives on in pid 2
        AssertResult(0, S.Close(P2, a2));
        var o = Obs();
        Assert.Equal(0, o.Opens(2, Dev2a));
        Assert.Equal(1, o.Opens(2, Dev2b));
        Assert.Equal(2, o.Group(2).Users);
        _ = b;
    }

    public static TheoryData<uint> AllKnownCommands
    {
        get
        {
            var d = new TheoryData<uint>();
            foreach (var (_, cmd) in Ioctls.All) d.Add(cmd);
            d.Add(0x20003B7Fu);
            return d;
        }
    }

    [Theory, Spec("CORE-31")]
    [MemberData(nameof(AllKnownCommands))]
    public void DeviceFd_EveryIoctl_Enotty(uint cmd)
    {
        var (_, g) = S.SetupEnabled(P1, 1);
        int d = (int)S.GetDeviceFd(P1, g, Dev1);
        ulong at = S.Scratch(P1);
        S.Poke(P1, at, Abi.DmaMap(32, RW, V(P1, 0), 0, K4));
        AssertFailsAtomically(Errno.ENOTTY, () => S.Ioctl(P1, d, cmd, at), what: Ioctls.Name(cmd));
    }
}
