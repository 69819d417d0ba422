using TceVerify.Harness.Programs;
using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/process.md, processes: PROC-1 .. PROC-8.
public abstract partial class SystemContractTests
{
    /// <summary>Every call a process can make, on behalf of <paramref name="pid"/>, each with otherwise valid arguments.</summary>
    IEnumerable<(string Name, Func<long> Call)> EveryProcessCall(int pid) =>
    [
        ("open_container", () => S.OpenContainer(pid)),
        ("open_group", () => S.OpenGroup(pid, 2)),
        ("open_group of an unknown group", () => S.OpenGroup(pid, 99)),
        ("ioctl", () => S.Ioctl(pid, 3, Ioctls.GetApiVersion, 0)),
        ("ioctl on an unknown fd", () => S.Ioctl(pid, 99, Ioctls.GetApiVersion, 0)),
        ("close", () => S.Close(pid, 3)),
        ("fork", () => S.Fork(pid)),
        ("pass", () => S.PassFd(pid, 3, P1)),
        ("exit", () => S.Exit(pid)),
        ("mmap", () => Sys.MapUserPage(pid, 0x30, 1, true)),
        ("munmap", () => Sys.UnmapUserPage(pid, 0x10)),
        ("poke", () => Sys.PokeUser(pid, 0x10UL << PageShift, new byte[] { 1 })),
        ("peek", () => Sys.PeekUser(pid, 0x10UL << PageShift, new byte[1])),
    ];

    [Fact, Spec("PROC-1", "ABI-1")]
    public void AnyCall_ByAPidThatNeverExisted_EsrchAndNothingChanges()
    {
        S.SetupEnabled(P1, 1);
        foreach (var (name, call) in EveryProcessCall(99))
            AssertFailsAtomically(Errno.ESRCH, call, what: name);
        foreach (var (name, call) in EveryProcessCall(0))
            AssertFailsAtomically(Errno.ESRCH, call, what: name + " by pid 0");
    }

    [Fact, Spec("PROC-1", "EN-3", "PROC-5")]
    public void AnyCall_ByAnExitedProcess_EsrchAndNothingChanges()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        int child = (int)S.Fork(P1);
        AssertResult(0, S.Exit(child), "exit child");
        foreach (var (name, call) in EveryProcessCall(child))
            AssertFailsAtomically(Errno.ESRCH, call, what: name);
        AssertFailsAtomically(Errno.ESRCH, () => S.Enable(child, c), what: "ENABLE by an exited process");
        AssertFailsAtomically(Errno.ESRCH, () => S.PassFd(P1, g, child), what: "pass to an exited process");
    }

    [Fact, Spec("PROC-2")]
    public void IoctlAndClose_OnAnFdNotInTheCallersTable_Ebadf()
    {
        var (c, _) = S.Setup(P1, 1);
        foreach (int fd in new[] { -1, 0, 1, 2, 5, 1000, int.MaxValue, int.MinValue })
        {
            AssertFailsAtomically(Errno.EBADF, () => S.Ioctl(P1, fd, Ioctls.GetApiVersion, 0), what: $"ioctl fd {fd}");
            AssertFailsAtomically(Errno.EBADF, () => S.Close(P1, fd), what: $"close fd {fd}");
        }
        // pid 1's fd 3 is not pid 2's
        AssertFailsAtomically(Errno.EBADF, () => S.Ioctl(P2, c, Ioctls.GetApiVersion, 0), what: "another process's fd");
        AssertFailsAtomically(Errno.EBADF, () => S.Close(P2, c), what: "close another process's fd");
    }

    [Fact, Spec("PROC-3", "STATE-3")]
    public void Fork_ChildGetsParentsMappingsAndFdsButNoCharge()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertResult(0, Sys.MapUserPage(P1, 0x30, 20, false), "mmap an extra read-only page");
        var refsBefore = Obs().Container(1).Refs;
        AssertResult(3, S.Fork(P1), "fork");
        var o = Obs();
        Assert.False(o.Exited(3));
        Assert.Equal(0, o.LockedVm(3));
        Assert.Equal(64, o.LockedVm(P1));
        Assert.Equal(o.UserPagesOf(P1), o.UserPagesOf(3));
        Assert.Equal(new UserPageObs(20, false), o.UserPagesOf(3)[0x30]);
        Assert.Equal(o.FdsOf(P1), o.FdsOf(3));
        Assert.Equal("container 1", o.FdTarget(3, c));
        Assert.Equal("group 1", o.FdTarget(3, g));
        Assert.Equal(refsBefore, o.Container(1).Refs);   // the same file, not a new one
        Assert.True(o.Group(1).Opened);
        Assert.Equal(1, o.Group(1).Users);
        // the child uses the same container: it is enabled already
        AssertErr(Errno.EBUSY, S.Enable(3, c), "ENABLE by the child");
        // the child's pages are the parent's frames
        AssertResult(0, S.Map(3, c, RW, V(P1, 1), Iova(2), K4), "MAP by the child");
        AssertTce(1, 2, ExpectedTce(P1, V(P1, 1), RW));
    }

    [Fact, Spec("PROC-3", "EN-5")]
    public void Fork_ChildInheritsRlimitMemlockAndCapIpcLock()
    {
        AssertResult(3, S.Fork(P2), "fork pid 2 (may lock nothing)");
        AssertResult(4, S.Fork(P1), "fork pid 1 (64 MiB)");
        var (c3, _) = S.Setup(3, 1);
        AssertFailsAtomically(Errno.ENOMEM, () => S.Enable(3, c3), what: "child of pid 2");
        var (c4, _) = S.Setup(4, 2);
        AssertResult(0, S.Enable(4, c4), "child of pid 1");
        Assert.Equal(32, Obs().LockedVm(4));

        Use(WithLimits(P2, 0, capIpcLock: true));
        AssertResult(3, S.Fork(P2), "fork a process with CAP_IPC_LOCK");
        var (c, _) = S.Setup(3, 1);
        AssertResult(0, S.Enable(3, c), "child with CAP_IPC_LOCK");
        Assert.Equal(64, Obs().LockedVm(3));
    }

    [Fact, Spec("PROC-4", "STATE-4")]
    public void PassFd_ReceiverGetsItsLowestFreeFdForTheSameFile()
    {
        var (c, g) = S.Setup(P1, 1);
        AssertResult(3, S.OpenContainer(P2));
        AssertResult(4, S.PassFd(P1, g, P2), "pass the group");
        AssertResult(5, S.PassFd(P1, c, P2), "pass the container");
        AssertResult(5, S.PassFd(P1, c, P1), "pass to oneself");
        var o = Obs();
        Assert.Equal("group 1", o.FdTarget(P2, 4));
        Assert.Equal("container 1", o.FdTarget(P2, 5));
        Assert.Equal("container 1", o.FdTarget(P1, 5));
        Assert.Equal(2, o.Container(1).Refs);           // still one container file
        Assert.Equal(1, o.Group(1).Users);
        // the receiver uses the file
        AssertResult(0, S.Enable(P1, 5), "ENABLE through the passed-to-self fd");
        var info = S.GetInfoRead(P2, 5);
        AssertResult(0, info.Result, "GET_INFO by the receiver");
        Assert.Equal(0x40000u, info.Size);
    }

    [Fact, Spec("PROC-4", "PROC-1", "PROC-2")]
    public void PassFd_ChecksSenderThenFdThenReceiver()
    {
        var (c, _) = S.Setup(P1, 1);
        int dead = (int)S.Fork(P1);
        AssertResult(0, S.Exit(dead));
        AssertFailsAtomically(Errno.ESRCH, () => S.PassFd(99, 77, 98), what: "unknown sender, bad fd, unknown receiver");
        AssertFailsAtomically(Errno.ESRCH, () => S.PassFd(dead, c, P2), what: "exited sender");
        AssertFailsAtomically(Errno.EBADF, () => S.PassFd(P1, 77, 98), what: "bad fd before unknown receiver");
        AssertFailsAtomically(Errno.EBADF, () => S.PassFd(P1, -1, P2), what: "negative fd");
        AssertFailsAtomically(Errno.ESRCH, () => S.PassFd(P1, c, 98), what: "unknown receiver");
        AssertFailsAtomically(Errno.ESRCH, () => S.PassFd(P1, c, dead), what: "exited receiver");
    }

    [Fact, Spec("PROC-5", "PROC-6", "CORE-25", "CORE-30", "REL-1", "INV-4", "INV-6")]
    public void Exit_MarksMmExited_EmptiesAddressSpace_ClosesEveryFdAndReleasesEverything()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        AssertResult(0, S.Map(P1, c, R, V(P1, 1), Iova(1), K4));
        AssertResult(5, S.GetDeviceFd(P1, g, Dev1));
        AssertResult(0, S.Exit(P1), "exit");
        var o = Obs();
        Assert.True(o.Exited(P1));
        Assert.Equal(0, o.LockedVm(P1));
        Assert.Empty(o.UserPagesOf(P1));
        Assert.Empty(o.FdsOf(P1));
        Assert.Empty(o.Containers);
        Assert.Equal(new GroupObs(1, false, null, 0), o.Group(1));
        Assert.Equal(0, o.Opens(1, Dev1));
        var t = o.Table(1);
        Assert.Null(t.Owner);
        Assert.Equal("0", t.ItMap);
        Assert.False(t.FlushPending);
        Assert.Empty(o.TcesOf(1));
        for (long p = 0; p < SmallConfig.PhysicalPages; p++) Assert.Equal(Base(p), o.PageRef(p));
        Assert.True(o.PageDirty(FrameOf(P1, V(P1, 0))));     // its mapping could write
        Assert.False(o.PageDirty(FrameOf(P1, V(P1, 1))));    // read-only mapping: not dirty
        // pid 2 is untouched
        Assert.False(o.Exited(P2));
        Assert.Equal(8, o.UserPagesOf(P2).Count);
    }

    [Fact, Spec("PROC-5", "STATE-2", "STATE-3")]
    public void Exit_WithFilesStillOpenElsewhere_PinsAndChargeStay()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        int c2 = (int)S.PassFd(P1, c, P2);
        int g2 = (int)S.PassFd(P1, g, P2);
        AssertResult(0, S.Exit(P1), "exit");
        var o = Obs();
        Assert.True(o.Exited(P1));
        Assert.Empty(o.UserPagesOf(P1));
        Assert.Equal(64, o.LockedVm(P1));
        Assert.Equal(Base(F(P1, 0)) + 1, o.PageRef(F(P1, 0)));
        Assert.Equal(ExpectedTce(P1, V(P1, 0), RW), o.Tce(1, 0));
        var ct = o.Container(1);
        Assert.Equal((2, "1", true, (int?)1, true, (int?)P1), (ct.Refs, ct.GroupList, ct.DriverSet, ct.Tbl, ct.Enabled, ct.Payer));
        // the surviving process closes the last fds: the payer (exited) gets its charge back
        AssertResult(0, S.Close(P2, g2));
        AssertResult(0, S.Close(P2, c2));
        o = Obs();
        Assert.Equal(0, o.LockedVm(P1));
        Assert.Equal(Base(F(P1, 0)), o.PageRef(F(P1, 0)));
        Assert.Empty(o.Containers);
    }

    [Fact, Spec("PROC-5", "PROC-1")]
    public void Exit_Twice_SecondIsEsrch()
    {
        AssertResult(0, S.Exit(P2));
        AssertFailsAtomically(Errno.ESRCH, () => S.Exit(P2), what: "second exit");
    }

    [Fact, Spec("PROC-6", "CORE-5", "CORE-8")]
    public void Close_OfTheLastEntry_ReleasesTheFile()
    {
        AssertResult(3, S.OpenContainer(P1));
        AssertResult(4, S.OpenGroup(P1, 2));
        AssertResult(0, S.Close(P1, 3), "close container");
        AssertResult(0, S.Close(P1, 4), "close group");
        var o = Obs();
        Assert.Empty(o.Containers);
        Assert.False(o.Group(2).Opened);
        Assert.Empty(o.FdsOf(P1));
        AssertResult(3, S.OpenGroup(P1, 2), "the group can be opened again");
    }

    [Fact, Spec("PROC-6", "STATE-4")]
    public void Close_OfOneOfTwoEntries_KeepsTheFile()
    {
        var (c, g) = S.Setup(P1, 1);
        AssertResult(3, S.Fork(P1), "fork");
        AssertResult(0, S.Close(P1, g));
        AssertResult(0, S.Close(P1, c));
        var o = Obs();
        Assert.True(o.Group(1).Opened);
        Assert.Equal(1, o.Group(1).Container);
        Assert.Equal(2, o.Container(1).Refs);
        Assert.Equal("container 1", o.FdTarget(3, c));
    }

    [Fact, Spec("PROC-7")]
    public void Mmap_OfAFrameOutsideMemory_Einval()
    {
        foreach (long pfn in new[] { -1L, SmallConfig.PhysicalPages, long.MaxValue, long.MinValue })
            AssertFailsAtomically(Errno.EINVAL, () => Sys.MapUserPage(P1, 0x30, pfn, true), what: $"pfn {pfn}");
    }

    [Fact, Spec("PROC-7")]
    public void Mmap_MapsOrReplacesThePage()
    {
        AssertResult(0, Sys.MapUserPage(P1, 0x30, 23, true), "mmap a new page");
        AssertResult(0, Sys.MapUserPage(P1, 0x10, 5, false), "mmap over an existing page");
        var vm = Obs().UserPagesOf(P1);
        Assert.Equal(new UserPageObs(23, true), vm[0x30]);
        Assert.Equal(new UserPageObs(5, false), vm[0x10]);
        Assert.Equal(9, vm.Count);
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, 0x30UL << PageShift, 0, K4), "MAP through the new page");
        AssertTce(1, 0, ((ulong)23 << PageShift) | RW);
        AssertFailsAtomically(Errno.EFAULT, () => S.Map(P1, c, RW, 0x10UL << PageShift, Iova(1), K4), ArgAllowance.For(Ioctls.MapDma), "WRITE through the now read-only page");
        AssertResult(0, S.Map(P1, c, R, 0x10UL << PageShift, Iova(1), K4), "READ through the now read-only page");
        AssertTce(1, 1, ((ulong)5 << PageShift) | R);
    }

    [Fact, Spec("PROC-7", "STATE-2")]
    public void Munmap_RemovesTheMappingButPinsTakenThroughItStay()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        AssertResult(0, Sys.UnmapUserPage(P1, 0x10), "munmap");
        var o = Obs();
        Assert.False(o.UserPagesOf(P1).ContainsKey(0x10));
        Assert.Equal(Base(F(P1, 0)) + 1, o.PageRef(F(P1, 0)));
        Assert.Equal(ExpectedTce(P1, V(P1, 0), RW), o.Tce(1, 0));
        AssertFailsAtomically(Errno.EFAULT, () => S.Map(P1, c, R, V(P1, 0), Iova(1), K4), ArgAllowance.For(Ioctls.MapDma), "MAP through the unmapped page");
        AssertFailsAtomically(Errno.EINVAL, () => Sys.UnmapUserPage(P1, 0x10), what: "munmap again");
        AssertFailsAtomically(Errno.EINVAL, () => Sys.UnmapUserPage(P1, 0x18), what: "munmap a hole");
        AssertResult(0, S.Unmap(P1, c, 0, K4), "UNMAP_DMA still puts the pin");
        AssertRef(F(P1, 0), Base(F(P1, 0)));
    }

    [Fact, Spec("PROC-8")]
    public void PokeAndPeek_RangeTouchingAnUnmappedPageOrWrapping_EfaultAndNothingWritten()
    {
        ulong end = End(P1);
        AssertFailsAtomically(Errno.EFAULT, () => Sys.PokeUser(P1, end - 4, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }), what: "poke across the end");
        Assert.Equal(new byte[4], S.Peek(P1, end - 4, 4));
        AssertFailsAtomically(Errno.EFAULT, () => Sys.PeekUser(P1, end - 4, new byte[8]), what: "peek across the end");
        AssertResult(0, Sys.MapUserPage(P1, ulong.MaxValue >> PageShift, 20, true));
        AssertResult(0, Sys.MapUserPage(P1, 0, 21, true));
        AssertFailsAtomically(Errno.EFAULT, () => Sys.PokeUser(P1, ulong.MaxValue - 1, new byte[] { 1, 2, 3, 4 }), what: "poke wrapping");
        AssertFailsAtomically(Errno.EFAULT, () => Sys.PeekUser(P1, ulong.MaxValue - 1, new byte[4]), what: "peek wrapping");
    }

    [Fact, Spec("PROC-8")]
    public void PokeAndPeek_IgnoreProtection_AndRoundTrip()
    {
        ulong ro = V(P1, RoIndex) + 0x123;
        AssertResult(0, Sys.PokeUser(P1, ro, new byte[] { 9, 8, 7 }), "poke a read-only page");
        Assert.Equal(new byte[] { 9, 8, 7 }, S.Peek(P1, ro, 3));
        Assert.Equal(9, Obs().MemByte(F(P1, RoIndex), (long)(ro & (PS - 1))));
        ulong across = V(P1, 1) - 2;                    // across two mapped pages
        AssertResult(0, Sys.PokeUser(P1, across, new byte[] { 1, 2, 3, 4 }));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, S.Peek(P1, across, 4));
    }
}
