using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Concurrency;

/// <summary>
/// Hand-written scenarios: the standard attach / enable / release race, the schedules of the concurrency-only
/// findings (FIND-9, FIND-11, FIND-12), and races the pair matrix (<see cref="PairMatrix"/>) does not shape on its
/// own: 3 and 4 threads, fds passed to a process with its own memory, two containers on one mm. Process 1 holds
/// container fd 3 and group fd 4 after <c>Joined</c>. Every scenario is registered by name (<see cref="Get"/>),
/// together with the pair matrix, so a replay command can name it.
/// </summary>
public static partial class Scenarios
{
    public const int C = 3, G = 4;

    /// <summary>Builds one thread's calls; its arguments are staged at an address no other thread uses.</summary>
    public static ThreadProgram Thread(PlatformConfig config, string name, int slot, Func<ThreadScript, ThreadScript> build) =>
        new(name, build(new ThreadScript(config, slot)).Commands);

    /// <summary>Open container and group 1, join them (no IOMMU set yet).</summary>
    public static Script Joined(PlatformConfig config) =>
        new Script(config).OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, C);

    /// <summary>SETUP(1, 1) of findings.md, then ENABLE: container fd 3, group fd 4, enabled.</summary>
    public static Script Enabled(PlatformConfig config) => Joined(config).SetIommu(1, C).Enable(1, C);

    /// <summary>The standard 3-thread scenario: SET_IOMMU, ENABLE and the release of the group fd race.</summary>
    public static ConcurrentScenario AttachEnableRelease(int pageShift = 12)
    {
        var cfg = PlatformConfig.Small(pageShift);
        return new("attach-enable-release", cfg, Joined(cfg).Commands,
        [
            Thread(cfg, "attach", 1, t => t.SetIommu(1, C)),
            Thread(cfg, "enable", 2, t => t.Enable(1, C)),
            Thread(cfg, "release", 3, t => t.Close(1, G)),
        ]) { Clauses = ["LOCK-3", "LOCK-6", "INV-11"] };
    }

    /// <summary>FIND-9: take-over of a table races the host DMA allocator.</summary>
    public static ConcurrentScenario OwnershipVsHostAlloc()
    {
        var cfg = PlatformConfig.Small();
        return new("ownership-vs-host-alloc", cfg, Joined(cfg).Commands,
        [
            Thread(cfg, "attach", 1, t => t.SetIommu(1, C)),
            Thread(cfg, "host", 2, t => t.HostAlloc(1, 1)),
        ]) { Clauses = ["FIND-9", "LOCK-4", "INV-1"] };
    }

    /// <summary>FIND-9, the release side (TBL-10): the group fd's release hands the table back while the host allocates.</summary>
    public static ConcurrentScenario ReleaseVsHostAlloc()
    {
        var cfg = PlatformConfig.Small();
        var s = Enabled(cfg);
        s.Map(1, C, s.Vaddr(1, 0), 0, 0x1000);
        return new("release-vs-host-alloc", cfg, s.Commands,
        [
            Thread(cfg, "release", 1, t => t.Close(1, G)),
            Thread(cfg, "host", 2, t => t.HostAlloc(1, 1).HostFree(1, 1, 1)),
        ]) { Clauses = ["FIND-9", "LOCK-4", "INV-6"] };
    }

    /// <summary>FIND-11: two threads set two containers on one group fd.</summary>
    public static ConcurrentScenario DoubleSetContainer()
    {
        var cfg = PlatformConfig.Small();
        var prefix = new Script(cfg).OpenContainer(1).OpenContainer(1).OpenGroup(1, 1).Commands; // fds 3, 4, 5
        return new("double-set-container", cfg, prefix,
        [
            Thread(cfg, "set-c1", 1, t => t.SetContainer(1, 5, 3)),
            Thread(cfg, "set-c2", 2, t => t.SetContainer(1, 5, 4)),
        ]) { Clauses = ["FIND-11", "INV-7"] };
    }

    /// <summary>FIND-12: GET_DEVICE_FD races UNSET_CONTAINER.</summary>
    public static ConcurrentScenario DeviceFdVsUnset()
    {
        var cfg = PlatformConfig.Small();
        var prefix = Joined(cfg).SetIommu(1, C).Commands;
        return new("device-fd-vs-unset", cfg, prefix,
        [
            Thread(cfg, "get-device", 1, t => t.GetDeviceFd(1, G, cfg.Groups[0].Devices[0])),
            Thread(cfg, "unset", 2, t => t.UnsetContainer(1, G)),
        ]) { Clauses = ["FIND-12", "INV-7"] };
    }

    /// <summary>CORE-27 against CORE-24 with no driver set: GET_DEVICE_FD takes a container user reference, then fails
    /// (-EINVAL, no driver) and drops it; an UNSET_CONTAINER in between would see two users (FIND-15: the reference is
    /// taken and dropped under the group's lock).</summary>
    public static ConcurrentScenario FailingDeviceFdVsUnset()
    {
        var cfg = PlatformConfig.Small();
        return new("failing-device-fd-vs-unset", cfg, Joined(cfg).Commands,
        [
            Thread(cfg, "get-device", 1, t => t.GetDeviceFd(1, G, cfg.Groups[0].Devices[0])),
            Thread(cfg, "unset", 2, t => t.UnsetContainer(1, G)),
        ]) { Clauses = ["CORE-24", "CORE-27", "INV-11"] };
    }

    /// <summary>PROC-6 against CORE-24: a close of the device fd, and a second thread that closes the same fd (-EBADF: the
    /// first close has removed it) and then unsets the container, before the first close's release has dropped the
    /// device's container user reference (FIND-16: the close runs alone in its process, LOCK-8).</summary>
    public static ConcurrentScenario DeviceCloseVsCloseAndUnset()
    {
        var cfg = PlatformConfig.Small();
        var prefix = Joined(cfg).SetIommu(1, C).GetDeviceFd(1, G, cfg.Groups[0].Devices[0]).Commands; // device fd 5
        return new("device-close-vs-close-and-unset", cfg, prefix,
        [
            Thread(cfg, "close", 1, t => t.Close(1, 5)),
            Thread(cfg, "close-unset", 2, t => t.Close(1, 5).UnsetContainer(1, G)),
        ]) { Clauses = ["PROC-6", "CORE-24", "CORE-30", "INV-11"] };
    }

    /// <summary>PROC-5 against HOST-4: the process exits (marked exited first, its fds closed after) while a second thread
    /// of it asks for the group's status (-ESRCH once the exit began) and then the host allocates in the table the
    /// exit will hand back (FIND-16: the exit is one step of the process, LOCK-8).</summary>
    public static ConcurrentScenario ExitVsStatusAndHostAlloc()
    {
        var cfg = PlatformConfig.Small();
        return new("exit-vs-status-and-host-alloc", cfg, Joined(cfg).SetIommu(1, C).Commands,
        [
            Thread(cfg, "exit", 1, t => t.Exit(1)),
            Thread(cfg, "status-host", 2, t => t.GetStatus(1, G).HostAlloc(1, 1)),
        ]) { Clauses = ["PROC-5", "HOST-4", "INV-11"] };
    }

    /// <summary>CORE-24 against CORE-27 and CORE-6: UNSET_CONTAINER drops container_users to 0 before it detaches the group
    /// and releases the driver (CORE-25); a GET_DEVICE_FD in between already fails (-EINVAL), a DISABLE after it still
    /// finds the driver (FIND-17: GET_DEVICE_FD waits on the group's lock the unset holds).</summary>
    public static ConcurrentScenario UnsetVsDeviceFdAndDisable()
    {
        var cfg = PlatformConfig.Small();
        return new("unset-vs-device-fd-and-disable", cfg, Enabled(cfg).Commands,
        [
            Thread(cfg, "unset", 1, t => t.UnsetContainer(1, G)),
            Thread(cfg, "device-disable", 2, t => t.GetDeviceFd(1, G, cfg.Groups[0].Devices[0]).Disable(1, C)),
        ]) { Clauses = ["CORE-24", "CORE-25", "CORE-27", "INV-11"] };
    }

    /// <summary>PROC-2 against PROC-6: a forked child's MAP looks its container fd up, the child closes that fd (the parent
    /// still holds the file), and the parent enables the container; the MAP, still in flight, then succeeds (a known
    /// (FIND-18: the close waits for the call in flight, LOCK-8).</summary>
    public static ConcurrentScenario InFlightCallVsClose()
    {
        var cfg = PlatformConfig.Small();
        var prefix = Joined(cfg).SetIommu(1, C).Fork(1).Commands; // child pid 3 shares fds 3, 4
        return new("in-flight-call-vs-close", cfg, prefix,
        [
            Thread(cfg, "child-map", 1, t => t.Map(3, C, Script.VaddrOf(cfg, 1, 0), 0, 0x1000)),
            Thread(cfg, "close-enable", 2, t => t.Close(3, C).Enable(1, C)),
        ]) { Clauses = ["PROC-2", "PROC-6", "MAP-3", "INV-11"] };
    }

    /// <summary>CORE-22 against CORE-24: the unset hands the table back (DET-1, TBL-10) before it clears the group's container
    /// (CORE-25); a host allocation that succeeds after the hand-back, then a GET_STATUS (FIND-14).</summary>
    public static ConcurrentScenario StatusAfterHandBack()
    {
        var cfg = PlatformConfig.Small();
        return new("status-after-hand-back", cfg, Joined(cfg).SetIommu(1, C).Commands,
        [
            Thread(cfg, "unset", 1, t => t.UnsetContainer(1, G)),
            Thread(cfg, "host-status", 2, t => t.HostAlloc(1, 1).GetStatus(1, G)),
        ]) { Clauses = ["CORE-22", "CORE-25", "HOST-4", "INV-11"] };
    }

    /// <summary>CORE-27 against CORE-4: SET_IOMMU takes the table over (a host allocation then fails) and stores the driver
    /// at its end; a GET_DEVICE_FD after the allocation must find the driver (FIND-21).</summary>
    public static ConcurrentScenario DeviceFdVsSetIommu()
    {
        var cfg = PlatformConfig.Small();
        return new("device-fd-vs-set-iommu", cfg, Joined(cfg).Commands,
        [
            Thread(cfg, "attach", 1, t => t.SetIommu(1, C)),
            Thread(cfg, "host-device", 2, t => t.HostAlloc(1, 1).GetDeviceFd(1, G, cfg.Groups[0].Devices[0])),
        ]) { Clauses = ["CORE-4", "CORE-27", "HOST-4", "INV-11"] };
    }

    /// <summary>CORE-4 against HOST-4 with two groups in the container: the literal code takes group 2's table over, fails
    /// on group 1 and hands it back, and a host allocation in between finds the table owned (FIND-19).</summary>
    public static ConcurrentScenario SetIommuUnwindVsHostAlloc()
    {
        var cfg = PlatformConfig.Small();
        var prefix = new Script(cfg).OpenContainer(1).OpenGroup(1, 1).OpenGroup(1, 2).SetContainer(1, G, C).SetContainer(1, 5, C).Commands;
        return new("set-iommu-unwind-vs-host-alloc", cfg, prefix,
        [
            Thread(cfg, "attach", 1, t => t.SetIommu(1, C)),
            Thread(cfg, "host", 2, t => t.HostAlloc(2, 1)),
        ]) { Clauses = ["CORE-4", "HOST-4", "INV-11"] };
    }

    /// <summary>CORE-26 against CORE-20: process 1 closes its group fd (the release hands the table back, then clears
    /// <c>opened</c>), the host allocates in the table handed back, and process 2 opens the group (FIND-20).</summary>
    public static ConcurrentScenario GroupReleaseVsReopen()
    {
        var cfg = PlatformConfig.Small();
        return new("group-release-vs-reopen", cfg, Joined(cfg).SetIommu(1, C).Commands,
        [
            Thread(cfg, "release", 1, t => t.Close(1, G)),
            Thread(cfg, "host-reopen", 2, t => t.HostAlloc(1, 1).OpenGroup(2, 1)),
        ]) { Clauses = ["CORE-20", "CORE-26", "HOST-4", "INV-11"] };
    }

    /// <summary>Two threads of one process, each with one call, after <see cref="Enabled"/>.</summary>
    static ConcurrentScenario TwoThreads(string name, string[] clauses, Func<ThreadScript, ThreadScript> a, Func<ThreadScript, ThreadScript> b)
    {
        var cfg = PlatformConfig.Small();
        return new(name, cfg, Enabled(cfg).Commands, [Thread(cfg, "a", 1, a), Thread(cfg, "b", 2, b)]) { Clauses = clauses };
    }

    /// <summary>STATE-4 against STATE-6: two opens of one process number their containers and install their fds as one
    /// step each (FIND-22).</summary>
    public static ConcurrentScenario TwoOpens() =>
        TwoThreads("two-opens", ["STATE-4", "STATE-6", "LOCK-8", "INV-11"], t => t.OpenContainer(1), t => t.OpenContainer(1));

    /// <summary>PROC-3 against STATE-3 and STATE-4: two forks of one process and an open in it; children are numbered and
    /// published in one order, and each copies the fd table whole (FIND-22).</summary>
    public static ConcurrentScenario ForksVsOpen()
    {
        var cfg = PlatformConfig.Small();
        return new("forks-vs-open", cfg, Enabled(cfg).Commands,
        [
            Thread(cfg, "fork-a", 1, t => t.Add(new ForkCmd(1))),
            Thread(cfg, "fork-b", 2, t => t.Add(new ForkCmd(1))),
            Thread(cfg, "open", 3, t => t.OpenContainer(1)),
        ]) { Clauses = ["PROC-3", "STATE-3", "STATE-4", "LOCK-8", "INV-11"] };
    }

    /// <summary>PROC-4 against PROC-6: a process passes its group fd to itself while closing it (FIND-22, FIND-13).</summary>
    public static ConcurrentScenario PassVsClose() =>
        TwoThreads("pass-vs-close", ["PROC-4", "PROC-6", "LOCK-8", "INV-11"], t => t.Add(new PassFdCmd(1, G, 1)), t => t.Close(1, G));

    /// <summary>PROC-5 against HOST-6: a call of the exiting process, then a stale host write into the table the exit hands
    /// back (FIND-16).</summary>
    public static ConcurrentScenario ExitVsStatusAndStale() =>
        TwoThreads("exit-vs-status-and-stale", ["PROC-5", "HOST-6", "LOCK-8", "INV-11"],
            t => t.Exit(1), t => t.GetStatus(1, G).Add(new HostStaleCmd(1, 5, 0x2000 | Abi.TcePciRead)));

    /// <summary>PROC-2 against PROC-6 with a failing call: a forked child's two-page MAP in flight while the child closes
    /// its container fd and injects a write failure (the parent still holds the file, FIND-18).</summary>
    public static ConcurrentScenario InFlightFailureVsClose()
    {
        var cfg = PlatformConfig.Small();
        var prefix = Enabled(cfg).Fork(1).Commands; // child pid 3 shares fds 3, 4
        return new("in-flight-failure-vs-close", cfg, prefix,
        [
            Thread(cfg, "child-map", 1, t => t.Map(3, C, Script.VaddrOf(cfg, 1, 0), 0, 0x2000)),
            Thread(cfg, "close-inject", 2, t => t.Close(3, C).Add(new InjectCmd(1, 1))),
        ]) { Clauses = ["PROC-2", "PROC-6", "HOST-7", "LOCK-8", "INV-11"] };
    }

    /// <summary>MAP of two pages races DISABLE: the map must see the container enabled throughout or not at all.</summary>
    public static ConcurrentScenario MapVsDisable(int pageShift = 12)
    {
        var cfg = PlatformConfig.Small(pageShift);
        var prefix = Enabled(cfg).Commands;
        ulong vaddr = Script.VaddrOf(cfg, 1, 0);
        return new("map-vs-disable", cfg, prefix,
        [
            Thread(cfg, "map", 1, t => t.Map(1, C, vaddr, 0, 0x2000)),
            Thread(cfg, "disable", 2, t => t.Disable(1, C)),
        ]) { Clauses = ["LOCK-3", "LOCK-6", "INV-4"] };
    }

    /// <summary>LOCK-6: GET_INFO runs beside MAP, UNMAP and DISABLE of the same container (4 threads).</summary>
    public static ConcurrentScenario InfoBesideEverything()
    {
        var cfg = PlatformConfig.Small();
        var s = Enabled(cfg);
        s.Map(1, C, s.Vaddr(1, 0), 0, 0x1000);
        return new("info-beside-map-unmap-disable", cfg, s.Commands,
        [
            Thread(cfg, "info", 1, t => t.GetInfo(1, C)),
            Thread(cfg, "map", 2, t => t.Map(1, C, Script.VaddrOf(cfg, 1, 1), 0x1000, 0x1000)),
            Thread(cfg, "unmap", 3, t => t.Unmap(1, C, 0, 0x1000)),
            Thread(cfg, "disable", 4, t => t.Disable(1, C)),
        ]) { Clauses = ["LOCK-6", "INV-11"] };
    }

    /// <summary>LOCK-5: two containers of one process enable at once; the mm's limit fits only one charge, so the
    /// check and the update of locked_vm must be made under one hold of mmap_sem.</summary>
    public static ConcurrentScenario TwoEnablesOneLimit()
    {
        var small = PlatformConfig.Small();
        // Group 1 charges 64 pages, group 2 32 pages; the limit is 64 pages: one of the two fits.
        var cfg = small with { Processes = [small.Processes[0] with { RlimitMemlock = 64UL << 12 }, small.Processes[1]] };
        var prefix = new Script(cfg)
            .OpenContainer(1).OpenGroup(1, 1).SetContainer(1, 4, 3).SetIommu(1, 3)   // c fd 3, g1 fd 4
            .OpenContainer(1).OpenGroup(1, 2).SetContainer(1, 6, 5).SetIommu(1, 5)   // c fd 5, g2 fd 6
            .Commands;
        return new("two-enables-one-limit", cfg, prefix,
        [
            Thread(cfg, "enable-c1", 1, t => t.Enable(1, 3)),
            Thread(cfg, "enable-c2", 2, t => t.Enable(1, 5)),
        ]) { Clauses = ["LOCK-5", "LOCK-6", "INV-4"], ConfigCode = "Scenarios.Get(\"two-enables-one-limit\").Config" };
    }

    /// <summary>LOCK-6: two containers share nothing but their process: maps and a disable on each, 4 threads.</summary>
    public static ConcurrentScenario TwoContainers()
    {
        var cfg = PlatformConfig.Small();
        var s = new Script(cfg)
            .OpenContainer(1).OpenGroup(1, 1).SetContainer(1, 4, 3).SetIommu(1, 3).Enable(1, 3)
            .OpenContainer(1).OpenGroup(1, 2).SetContainer(1, 6, 5).SetIommu(1, 5).Enable(1, 5);
        return new("two-containers", cfg, s.Commands,
        [
            Thread(cfg, "map-c1", 1, t => t.Map(1, 3, Script.VaddrOf(cfg, 1, 0), 0, 0x1000)),
            Thread(cfg, "map-c2", 2, t => t.Map(1, 5, Script.VaddrOf(cfg, 1, 0), 0x800000, 0x1000)),
            Thread(cfg, "disable-c1", 3, t => t.Disable(1, 3)),
            Thread(cfg, "close-g2", 4, t => t.Close(1, 6)),
        ]) { Clauses = ["LOCK-6", "LOCK-2", "INV-4"] };
    }

    /// <summary>FIND-4 under concurrency: process 2 got the container fd and disables while the payer maps.</summary>
    public static ConcurrentScenario PassedFdDisableVsMap()
    {
        var cfg = PlatformConfig.Small();
        var prefix = Enabled(cfg).PassFd(1, C, 2).Commands;                 // process 2's fd 3
        return new("passed-fd-disable-vs-map", cfg, prefix,
        [
            Thread(cfg, "p1-map", 1, t => t.Map(1, C, Script.VaddrOf(cfg, 1, 0), 0, 0x2000)),
            Thread(cfg, "p2-disable", 2, t => t.Disable(2, 3)),
        ]) { Clauses = ["LOCK-5", "INV-4"] };
    }

    /// <summary>The payer exits while a second process, holding passed fds, unmaps, disables and closes (3 threads, 2 processes).</summary>
    public static ConcurrentScenario ExitVsPassedUser()
    {
        var cfg = PlatformConfig.Small();
        var s = Enabled(cfg);
        s.Map(1, C, s.Vaddr(1, 0), 0, 0x1000).PassFd(1, C, 2).PassFd(1, G, 2);   // process 2: fds 3 (c), 4 (g)
        return new("exit-vs-passed-user", cfg, s.Commands,
        [
            Thread(cfg, "p1-exit", 1, t => t.Exit(1)),
            Thread(cfg, "p2-unmap-disable", 2, t => t.Unmap(2, 3, 0, 0x1000).Disable(2, 3)),
            Thread(cfg, "p2-close", 3, t => t.Close(2, 4)),
        ]) { Clauses = ["LOCK-3", "LOCK-5", "INV-4"] };
    }

    /// <summary>Take-over and hand-back of one table while the host allocates and frees in it, and a status reader (4 threads).</summary>
    public static ConcurrentScenario OwnershipStorm()
    {
        var cfg = PlatformConfig.Small();
        return new("ownership-storm", cfg, Joined(cfg).Commands,
        [
            Thread(cfg, "attach", 1, t => t.SetIommu(1, C)),
            Thread(cfg, "host", 2, t => t.HostAlloc(1, 1).HostFree(1, 1, 1)),
            Thread(cfg, "unset", 3, t => t.UnsetContainer(1, G)),
            Thread(cfg, "status", 4, t => t.GetStatus(1, G)),
        ]) { Clauses = ["LOCK-4", "LOCK-3", "INV-6"] };
    }

    /// <summary>EN-4 under concurrency: two threads ENABLE one attached container; exactly one may succeed and charge.</summary>
    public static ConcurrentScenario EnableTwice()
    {
        var cfg = PlatformConfig.Small();
        return new("enable-twice", cfg, Joined(cfg).SetIommu(1, C).Commands,
        [
            Thread(cfg, "enable-1", 1, t => t.Enable(1, C)),
            Thread(cfg, "enable-2", 2, t => t.Enable(1, C)),
        ]) { Clauses = ["EN-4", "LOCK-3", "INV-4"] };
    }

    /// <summary>CORE-23 under concurrency: two groups join one container at once; its list must hold both.</summary>
    public static ConcurrentScenario TwoGroupsOneContainer()
    {
        var cfg = PlatformConfig.Small();
        var prefix = new Script(cfg).OpenContainer(1).OpenGroup(1, 1).OpenGroup(1, 2).Commands; // fds 3, 4, 5
        return new("two-groups-one-container", cfg, prefix,
        [
            Thread(cfg, "set-g1", 1, t => t.SetContainer(1, 4, 3)),
            Thread(cfg, "set-g2", 2, t => t.SetContainer(1, 5, 3)),
        ]) { Clauses = ["CORE-23", "LOCK-3", "INV-7"] };
    }

    /// <summary>CORE-6 against CORE-24: a MAP through the container while its only group leaves it.</summary>
    public static ConcurrentScenario MapVsUnset()
    {
        var cfg = PlatformConfig.Small();
        return new("map-vs-unset", cfg, Enabled(cfg).Commands,
        [
            Thread(cfg, "map", 1, t => t.Map(1, C, Script.VaddrOf(cfg, 1, 0), 0, 0x1000)),
            Thread(cfg, "unset", 2, t => t.UnsetContainer(1, G)),
        ]) { Clauses = ["CORE-6", "CORE-25", "LOCK-3", "INV-11"] };
    }

    /// <summary>LOCK-5: one process's two containers, one disabled (charge returned) while the other is enabled (charged).</summary>
    public static ConcurrentScenario DisableVsEnableOneMm()
    {
        var cfg = PlatformConfig.Small();
        var prefix = new Script(cfg)
            .OpenContainer(1).OpenGroup(1, 1).SetContainer(1, 4, 3).SetIommu(1, 3).Enable(1, 3)   // c1 fd 3, enabled
            .OpenContainer(1).OpenGroup(1, 2).SetContainer(1, 6, 5).SetIommu(1, 5)                // c2 fd 5
            .Commands;
        return new("disable-vs-enable-one-mm", cfg, prefix,
        [
            Thread(cfg, "disable-c1", 1, t => t.Disable(1, 3)),
            Thread(cfg, "enable-c2", 2, t => t.Enable(1, 5)),
        ]) { Clauses = ["DIS-2", "EN-5", "LOCK-5", "INV-4"] };
    }

    /// <summary>Every hand-written scenario (the catalog of seeded bugs names some of them, src/TceVariants).</summary>
    public static IReadOnlyList<ConcurrentScenario> HandWritten { get; } =
    [
        AttachEnableRelease(), OwnershipVsHostAlloc(), ReleaseVsHostAlloc(), DoubleSetContainer(), DeviceFdVsUnset(),
        MapVsDisable(), InfoBesideEverything(), TwoEnablesOneLimit(), TwoContainers(), PassedFdDisableVsMap(),
        ExitVsPassedUser(), OwnershipStorm(), EnableTwice(), TwoGroupsOneContainer(), MapVsUnset(), DisableVsEnableOneMm(),
        FailingDeviceFdVsUnset(), DeviceCloseVsCloseAndUnset(), ExitVsStatusAndHostAlloc(), UnsetVsDeviceFdAndDisable(),
        InFlightCallVsClose(), StatusAfterHandBack(), SetIommuUnwindVsHostAlloc(), GroupReleaseVsReopen(), DeviceFdVsSetIommu(),
        TwoOpens(), ForksVsOpen(), PassVsClose(), ExitVsStatusAndStale(), InFlightFailureVsClose(),
        .. Coverage,
        .. Device,
    ];

    /// <summary>The schedules of the concurrency-only findings.</summary>
    public static IReadOnlyList<ConcurrentScenario> Findings { get; } = [OwnershipVsHostAlloc(), DoubleSetContainer(), DeviceFdVsUnset()];

    static readonly Lazy<Dictionary<string, ConcurrentScenario>> Registry = new(() =>
    {
        var d = new Dictionary<string, ConcurrentScenario>(StringComparer.Ordinal);
        foreach (var s in HandWritten) d[s.Name] = s;
        foreach (var s in PairMatrix.All) d[s.Name] = s;
        foreach (var s in ForHarm) d[s.Name] = s;
        return d;
    });

    public static bool TryGet(string name, out ConcurrentScenario scenario) => Registry.Value.TryGetValue(name, out scenario!);

    /// <summary>A hand-written or pair-matrix scenario by name.</summary>
    public static ConcurrentScenario Get(string name) =>
        TryGet(name, out var s) ? s : throw new ArgumentException($"unknown scenario '{name}'", nameof(name));

    // ---------------------------------------------------------------- harm shown (docs/catalog.md, "Semantic-only: harm shown")

    /// <summary>CORE-23 against CORE-4: a second group joins the container while SET_IOMMU attaches the first. Either the
    /// join comes first and SET_IOMMU fails (two groups, one table per container: ATT-1, -EBUSY), or SET_IOMMU comes first
    /// and the join's attach fails (-EBUSY); both succeeding, with the second group in the container but its table never
    /// taken over, is the harm of a SET_CONTAINER without the container's group_lock (LOCK-3).</summary>
    public static ConcurrentScenario SetContainerVsSetIommu()
    {
        var cfg = PlatformConfig.Small();
        var prefix = new Script(cfg).OpenContainer(1).OpenGroup(1, 1).OpenGroup(1, 2).SetContainer(1, G, C).Commands; // c 3, g1 4, g2 5
        return new("set-container-vs-set-iommu", cfg, prefix,
        [
            Thread(cfg, "set-iommu", 1, t => t.SetIommu(1, C)),
            Thread(cfg, "set-g2", 2, t => t.SetContainer(1, 5, C)),
        ]) { Clauses = ["CORE-4", "CORE-23", "ATT-1", "LOCK-3", "INV-11"] };
    }

    /// <summary>Scenarios written to show a catalog entry's harm with the semantic checks alone (src/TceVariants/Harms.cs);
    /// registered by name with the others (built on each call: the registry reads it once).</summary>
    public static IReadOnlyList<ConcurrentScenario> ForHarm => [SetContainerVsSetIommu()];
}

/// <summary>
/// A <see cref="Script"/> for one thread: the struct argument of each call goes to its own 64-byte cell of the
/// scratch page, cells <c>4 * slot .. 4 * slot + 3</c>, so no two calls of a scenario share argument memory and the
/// runner can stage every argument before the threads start. Slots 0 .. 11 fit the page (3 KiB after 0x400).
/// </summary>
public sealed class ThreadScript(PlatformConfig config, int slot)
{
    public const int CallsPerSlot = 4, CellSize = 0x40, MaxSlot = 11;

    readonly Script _script = new(config);
    int _staged;

    public IReadOnlyList<Command> Commands => _script.Commands;

    ulong At(int pid)
    {
        if (slot < 0 || slot > MaxSlot) throw new ArgumentOutOfRangeException(nameof(slot), $"slot {slot} is outside 0..{MaxSlot}");
        if (_staged == CallsPerSlot) throw new InvalidOperationException($"a thread stages at most {CallsPerSlot} struct arguments");
        return Script.ScratchOf(config, pid) + (ulong)((slot * CallsPerSlot + _staged++) * CellSize);
    }

    public ThreadScript Add(Command c) { _script.Add(c); return this; }

    /// <summary>An ioctl drawn elsewhere (the sequential generator stages at the caller's scratch address), its argument
    /// staged again at this thread's next cell; it must fit one.</summary>
    public ThreadScript Restaged(IoctlArgCmd c) =>
        c.Bytes.Length <= CellSize ? Add(c with { Addr = At(c.Pid) }) : throw new ArgumentException($"'{c.Describe()}' stages {c.Bytes.Length} bytes, more than a {CellSize}-byte cell", nameof(c));
    public ThreadScript SetIommu(int pid, int fd, ulong arg = Abi.SpaprTceIommu) { _script.SetIommu(pid, fd, arg); return this; }
    public ThreadScript Enable(int pid, int fd) { _script.Enable(pid, fd); return this; }
    public ThreadScript Disable(int pid, int fd) { _script.Disable(pid, fd); return this; }
    public ThreadScript Close(int pid, int fd) { _script.Close(pid, fd); return this; }
    public ThreadScript Exit(int pid) { _script.Exit(pid); return this; }
    public ThreadScript OpenContainer(int pid) { _script.OpenContainer(pid); return this; }
    public ThreadScript OpenGroup(int pid, int group) { _script.OpenGroup(pid, group); return this; }
    public ThreadScript UnsetContainer(int pid, int groupFd) { _script.UnsetContainer(pid, groupFd); return this; }
    public ThreadScript HostAlloc(int group, long pages) { _script.HostAlloc(group, pages); return this; }
    public ThreadScript HostFree(int group, long entry, long pages) { _script.HostFree(group, entry, pages); return this; }
    public ThreadScript Ioctl(int pid, int fd, uint cmd, ulong arg) { _script.Ioctl(pid, fd, cmd, arg); return this; }
    public ThreadScript SetContainer(int pid, int groupFd, int containerFd) { _script.SetContainer(pid, groupFd, containerFd, At(pid)); return this; }
    public ThreadScript Map(int pid, int fd, ulong vaddr, ulong iova, ulong size, uint flags = Script.RW) { _script.Map(pid, fd, vaddr, iova, size, flags, at: At(pid)); return this; }
    public ThreadScript Unmap(int pid, int fd, ulong iova, ulong size) { _script.Unmap(pid, fd, iova, size, at: At(pid)); return this; }
    public ThreadScript GetInfo(int pid, int fd) { _script.GetInfo(pid, fd, at: At(pid)); return this; }
    public ThreadScript GetStatus(int pid, int groupFd) { _script.GetStatus(pid, groupFd, at: At(pid)); return this; }
    public ThreadScript GetDeviceFd(int pid, int groupFd, string name) { _script.GetDeviceFd(pid, groupFd, name, at: At(pid)); return this; }
}
