using TceVerify.Harness.Invariants;
using TceVerify.Harness.Programs;
using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/invariants.md by example (INV-1 .. INV-10; INV-11 is the concurrency suite's), and the sequentially observable
// parts of spec/locking.md.
public abstract partial class SystemContractTests
{
    /// <summary>A fixed script touching every kind of call: processes, files, host, every ioctl, failures included.
    /// Each step is (name, call); the fds follow from STATE-4 and are spelled out.</summary>
    static List<(string Name, Func<Scenario, long> Call)> Script() =>
    [
        ("open_container(1)", s => s.OpenContainer(1)),                                  // pid 1 fd 3
        ("open_group(1, 1)", s => s.OpenGroup(1, 1)),                                    // pid 1 fd 4
        ("SET_CONTAINER", s => s.SetContainer(1, 4, 3)),
        ("SET_IOMMU", s => s.SetIommu(1, 3)),
        ("MAP before ENABLE", s => s.Map(1, 3, RW, s.VaddrOf(1, 0), 0, K4)),
        ("ENABLE", s => s.Enable(1, 3)),
        ("MAP 2 entries", s => s.Map(1, 3, RW, s.VaddrOf(1, 0), 0, 2 * K4)),
        ("MAP read-only page", s => s.Map(1, 3, R, s.VaddrOf(1, 6), Iova(10), K4)),
        ("MAP over entry 1", s => s.Map(1, 3, RW, s.VaddrOf(1, 2), Iova(1), K4)),
        ("MAP past the end", s => s.Map(1, 3, RW, s.VaddrOf(1, 2), Iova(63), 2 * K4)),
        ("GET_DEVICE_FD", s => s.GetDeviceFd(1, 4, Dev1)),                               // pid 1 fd 5
        ("host_alloc(2, 4)", s => s.Sys.HostAlloc(2, 4)),
        ("open_container(2)", s => s.OpenContainer(2)),                                  // pid 2 fd 3
        ("open_group(2, 2)", s => s.OpenGroup(2, 2)),                                    // pid 2 fd 4
        ("SET_CONTAINER by 2", s => s.SetContainer(2, 4, 3)),
        ("SET_IOMMU with a host mapping", s => s.SetIommu(2, 3)),
        ("host_free(2)", s => s.Sys.HostFree(2, 0x800, 4)),
        ("SET_IOMMU by 2", s => s.SetIommu(2, 3)),
        ("ENABLE by 2 (no limit)", s => s.Enable(2, 3)),
        ("pass 2's container to 1", s => s.PassFd(2, 3, 1)),                             // pid 1 fd 6
        ("ENABLE by 1 of container 2", s => s.Enable(1, 6)),
        ("MAP by 2 of its frame 7", s => s.Map(2, 3, RW, s.VaddrOf(2, 0), 0x800000, K4)),
        ("MAP by 1 of its frame 7", s => s.Map(1, 3, RW, s.VaddrOf(1, 7), Iova(20), K4)),
        ("inject(1, 1)", s => s.Sys.InjectTceWriteFailure(1, 1)),
        ("MAP failing with EIO", s => s.Map(1, 3, W, s.VaddrOf(1, 3), Iova(30), K4)),
        ("fork(1)", s => s.Fork(1)),                                                     // pid 3
        ("UNMAP by the child", s => s.Unmap(3, 3, 0, K4)),
        ("GET_INFO by the child", s => s.GetInfo(3, 6)),
        ("DISABLE by 2 of container 2", s => s.Disable(2, 3)),
        ("munmap(1, 0x11)", s => s.Sys.UnmapUserPage(1, 0x11)),
        ("close device", s => s.Close(1, 5)),
        ("UNSET by the child", s => s.UnsetContainer(3, 4)),
        ("exit(1)", s => s.Exit(1)),
        ("exit(3)", s => s.Exit(3)),
        ("close(2, 4)", s => s.Close(2, 4)),
        ("close(2, 3)", s => s.Close(2, 3)),
    ];

    [Fact, Spec("INV-1", "INV-2", "INV-3", "INV-4", "INV-6", "INV-7", "INV-9")]
    public void Invariants_HoldAfterEveryStepOfAScriptTouchingEveryCall()
    {
        AssertInvariants(when: "at boot");
        foreach (var (name, call) in Script())
        {
            call(S);
            AssertInvariants(when: $"after {name}");
        }
        var o = Obs();
        Assert.Empty(o.Fds);
        Assert.All(o.Procs.Values, p => Assert.Equal(0, p.LockedVm));   // INV-4 (c)
        Assert.Empty(o.Containers);
    }

    [Fact, Spec("INV-10")]
    public void Determinism_TheSameCallsOnTheSameConfigGiveTheSameResultsAndStates()
    {
        var a = new Scenario(Create(SmallConfig));
        var b = new Scenario(Create(SmallConfig));
        var results = new List<long>();
        foreach (var (name, call) in Script())
        {
            long ra = call(a), rb = call(b);
            results.Add(ra);
            Assert.True(ra == rb, $"{name}: {Errno.Describe(ra)} vs {Errno.Describe(rb)}");
            Assert.True(a.Snapshot().Equals(b.Snapshot()), $"{name}:\n{Contract.Snapshot.Diff(a.Snapshot(), b.Snapshot(), "first", "second")}");
        }
        // and the results are the ones the spec gives
        var expected = new long[]
        {
            3, 4, 0, 0, -Errno.EPERM, 0, 0, 0, -Errno.EBUSY, -Errno.EINVAL, 5, 0x800, 3, 4, 0, -Errno.EBUSY, 0, 0,
            -Errno.ENOMEM, 6, 0, 0, 0, 0, -Errno.EIO, 3, 0, 0, 0, 0, 0, -Errno.EBUSY, 0, 0, 0, 0,
        };
        Assert.Equal(expected, results);
    }

    [Fact, Spec("INV-1", "HOST-4")]
    public void Inv1_ContainerTablesPointOnlyIntoUserFrames_HostTablesOnlyIntoHostMemory()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, 3 * K4));
        AssertResult(0x800, Sys.HostAlloc(2, 5));
        var o = Obs();
        foreach (var (e, tce) in o.TcesOf(1))
        {
            Assert.True(tce < Memory.HostDmaBase, $"entry {e:x}");
            Assert.InRange((long)((tce & Abi.IommuPageMask) >> PageShift), 0, SmallConfig.PhysicalPages - 1);
        }
        foreach (var (e, tce) in o.TcesOf(2)) Assert.Equal(Memory.HostTce(e), tce);
        AssertInvariants();
    }

    [Fact, Spec("INV-3", "STATE-2")]
    public void Inv3_AFrameMappedByTwoProcessesIntoTwoTables_CountsEveryTce()
    {
        // frame 7 is pid 1's vpage 0x17 and pid 2's vpage 0x10
        Use(WithLimits(P2, 0, capIpcLock: true));
        var (c1, _) = S.SetupEnabled(P1, 1);
        var (c2, _) = S.SetupEnabled(P2, 2);
        AssertResult(0, S.Map(P1, c1, R, V(P1, 7), Iova(1), K4));
        AssertResult(0, S.Map(P1, c1, R, V(P1, 7), Iova(2), K4));
        AssertResult(0, S.Map(P2, c2, RW, V(P2, 0), Iova(0x805), K4));
        AssertRef(7, Base(7) + 3);
        AssertResult(0, S.Unmap(P1, c1, Iova(1), K4));
        AssertRef(7, Base(7) + 2);
        AssertResult(0, S.Exit(P2));
        AssertRef(7, Base(7) + 1);
        AssertResult(0, S.Disable(P1, c1));
        AssertRef(7, Base(7));
        Assert.True(Obs().PageDirty(7));                    // pid 2's mapping could write
        AssertInvariants();
    }

    [Fact, Spec("INV-4")]
    public void Inv4_LockedVmIsTheSumOfTheChargesEachMmPays_AndZeroWhenNoFdIsOpen()
    {
        Use(WithLimits(P2, 0, capIpcLock: true));
        var (c1, g1) = S.SetupEnabled(P1, 1);                // pid 1 pays 64
        var (c2, g2) = S.Setup(P2, 2);
        int c2in1 = (int)S.PassFd(P2, c2, P1);
        AssertResult(0, S.Enable(P1, c2in1));                // pid 1 pays 32 more
        Assert.Equal(96, Obs().LockedVm(P1));
        Assert.Equal(0, Obs().LockedVm(P2));
        AssertResult(0, S.Disable(P2, c2));
        AssertResult(0, S.Enable(P2, c2));                   // now pid 2 pays for container 2
        Assert.Equal(64, Obs().LockedVm(P1));
        Assert.Equal(32, Obs().LockedVm(P2));
        AssertInvariants();
        foreach (var (pid, fd) in new[] { (P1, c1), (P1, g1), (P1, c2in1), (P2, c2), (P2, g2) })
            AssertResult(0, S.Close(pid, fd));
        var o = Obs();
        Assert.Empty(o.Fds);
        Assert.Equal(0, o.LockedVm(P1));
        Assert.Equal(0, o.LockedVm(P2));
    }

    [Fact, Spec("INV-5", "CORE-4", "STATE-2", "FIND-19")]
    public void Inv5_AFailedSetIommuChangesNothing_NotEvenLeftovers()
    {
        ulong intoFrame3 = ((ulong)3 << PageShift) | Abi.TcePermMask;
        AssertResult(0, Sys.HostWriteStale(2, 0x805, intoFrame3));
        int c = (int)S.OpenContainer(P1);
        int g1 = (int)S.OpenGroup(P1, 1);
        int g2 = (int)S.OpenGroup(P1, 2);
        AssertResult(0, S.SetContainer(P1, g1, c));
        AssertResult(0, S.SetContainer(P1, g2, c));
        var before = Snap();
        AssertResult(-Errno.EBUSY, S.SetIommu(P1, c));
        Assert.Equal(before.Text, Snap().Text);
        var o = Obs();
        Assert.Equal(intoFrame3, o.Tce(2, 0x805));
        Assert.Equal(Base(3), o.PageRef(3));
        Assert.False(o.PageDirty(3));
    }

    [Fact, Spec("INV-6", "ATT-1", "DET-1", "TBL-9", "TBL-10")]
    public void Inv6_HandOverBothWays_IsClean()
    {
        foreach (int group in new[] { 1, 2 })
        {
            var gc = SmallConfig.FindGroup(group)!;
            AssertResult(0, Sys.HostWriteStale(group, gc.ItOffset + 3, Memory.HostTce(gc.ItOffset + 3)));
            var (c, g) = S.SetupEnabled(P1, group);
            var o = Obs();
            AssertWindowClear(group);
            Assert.Equal(gc.ItSize, o.Table(group).BitCount);
            AssertResult(0, S.Map(P1, c, RW, V(P1, 0), Iova(gc.ItOffset + 3), 2 * K4));
            AssertResult(0, S.UnsetContainer(P1, g));
            o = Obs();
            AssertWindowClear(group);
            Assert.Equal(gc.ItOffset == 0 ? "0" : "", o.Table(group).ItMap);
            Assert.Null(o.Table(group).Owner);
        }
    }

    [Fact, Spec("INV-7", "CORE-7", "CORE-23", "CORE-27")]
    public void Inv7_CoreCountsStayConsistentThroughSharingForkAndDevices()
    {
        var (c, g) = S.Setup(P1, 2);
        AssertInvariants(when: "after setup");
        int d1 = (int)S.GetDeviceFd(P1, g, Dev2a);
        int child = (int)S.Fork(P1);
        int d2 = (int)S.GetDeviceFd(child, g, Dev2b);
        AssertInvariants(when: "after fork and devices");
        var grp = Obs().Group(2);
        Assert.Equal(3, grp.Users);                          // opened + 2 device files
        AssertResult(0, S.Close(P1, g));
        AssertResult(0, S.Close(child, g));                  // group file released
        Assert.Equal(new GroupObs(2, false, 1, 2), Obs().Group(2));
        AssertInvariants(when: "after closing the group file");
        AssertResult(0, S.Exit(child));                      // closes d2 (and the shared c, d1 entries)
        AssertInvariants(when: "after the child exits");
        AssertResult(0, S.Close(P1, d1));
        AssertResult(0, S.Close(P1, c));
        AssertInvariants(when: "at the end");
        Assert.Empty(Obs().Containers);
        _ = d2;
    }

    [Fact, Spec("INV-9", "TBL-8")]
    public void Inv9_NoTableKeepsAPendingFlushBetweenCalls()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        var steps = new Func<long>[]
        {
            () => S.Map(P1, c, RW, V(P1, 0), 0, K4),
            () => S.Map(P1, c, RW, V(P1, 0), 0, K4),           // EBUSY
            () => S.Unmap(P1, c, 0, 2 * K4),
            () => Sys.HostAlloc(2, 2),
            () => Sys.HostWriteStale(2, 0x810, Memory.HostTce(0x810)),
            () => Sys.HostFree(2, 0x800, 2),
            () => S.Map(P1, c, RW, V(P1, 1), Iova(2), K4),
            () => S.Disable(P1, c),
            () => S.UnsetContainer(P1, g),
        };
        foreach (var step in steps)
        {
            step();
            var o = Obs();
            Assert.False(o.Table(1).FlushPending);
            Assert.False(o.Table(2).FlushPending);
        }
    }

    [Fact, Spec("LOCK-5", "EN-5")]
    public void Lock5_TheChargeCheckSeesEveryEarlierCharge_EvenFromAForkSiblingsContainers()
    {
        // the check and the update are one step on one mm: two ENABLEs of one mm never both pass a limit meant for one
        Use(WithLimits(P2, 64UL << PageShift, capIpcLock: false));
        var (c1, _) = S.Setup(P2, 1);
        var (c2, _) = S.Setup(P2, 2);
        AssertResult(0, S.Enable(P2, c1));
        AssertFailsAtomically(Errno.ENOMEM, () => S.Enable(P2, c2), what: "64 + 32 > 64");
        AssertResult(0, S.Disable(P2, c1));
        AssertResult(0, S.Enable(P2, c2), "after the first charge was returned");
        Assert.Equal(32, Obs().LockedVm(P2));
    }
}
