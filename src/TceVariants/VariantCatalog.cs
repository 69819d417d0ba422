using TceVerify.Impl;
using TceVerify.Variants.Catalog;
using static TceVerify.Variants.Checks;

namespace TceVerify.Variants;

/// <summary>
/// Every named variant: the literal Linux 3.10 behaviours of spec/findings.md and the bug catalog (docs/catalog.md),
/// each with the clauses it breaks, whether only a concurrent schedule shows it, and the check expected to reject it.
/// </summary>
public static class VariantCatalog
{
    static Variant Entry(string name, string group, string description, string[] clauses, Catch expected, Func<Impl.KernelParts> parts) =>
        new(name, group, description, clauses, false, expected, parts);

    static Variant Locking(string name, string description, string[] clauses, Catch expected, Func<Impl.KernelParts> parts) =>
        new(name, "locking", description, clauses, true, expected, parts);

    static Variant Lit(string name, string description, string[] clauses, bool concurrencyOnly, Catch expected, Literal literal) =>
        new(name, "finding", description, clauses, concurrencyOnly, expected, () => LiteralParts.Of(literal));

    /// <summary>The literal variants of spec/findings.md (FIND-n names its variant), and <c>literal-3.10</c>, all of them at once.</summary>
    public static IReadOnlyList<Variant> Findings { get; } =
    [
        Lit("literal-map-end-unchecked",
            "MAP_DMA checks only its first entry and builds size/4096 entries from there, past the window (FIND-1).",
            ["FIND-1", "MAP-9", "TBL-4", "INV-2"], false, Seq(WindowBounds, "MAP-9"), Literal.MapEndUnchecked),
        Lit("literal-map-without-enable",
            "MAP_DMA never looks at enabled: memory is pinned that no locked_vm charge covers (FIND-2).",
            ["FIND-2", "MAP-3", "INV-4"], false, Seq(Accounting, "INV-4"), Literal.MapWithoutEnable),
        Lit("literal-disable-keeps-mappings",
            "DISABLE returns the charge but keeps every TCE and pin (FIND-3).",
            ["FIND-3", "DIS-2", "INV-4"], false, Seq(Accounting, "INV-4"), Literal.DisableKeepsMappings),
        Lit("literal-uncharge-current",
            "Disable returns the charge to current's mm, and to nobody on the exit path (FIND-4, FIND-5).",
            ["FIND-4", "FIND-5", "DIS-2", "REL-1", "PROC-5", "INV-4"], false, Seq(Accounting, "INV-4"), Literal.UnchargeCurrent),
        Lit("literal-charge-window-bytes",
            "ENABLE charges (it_size << 12) >> PAGE_SHIFT pages, which 64 KiB pages make too small (FIND-6).",
            ["FIND-6", "EN-5", "INV-4"], false, Seq(Accounting, "INV-4"), Literal.ChargeWindowBytes),
        Lit("literal-take-ownership-drops-bit0",
            "A failed take-over leaves the host's reserved bit 0 of it_map cleared (FIND-7).",
            ["FIND-7", "TBL-9", "TBL-1", "INV-5"], false, Seq(FailureAtomicity, "INV-5"), Literal.TakeOwnershipDropsBit0),
        Lit("literal-take-ownership-puts-stale",
            "Take-over puts the pages of leftover TCEs nobody pinned (FIND-8).",
            ["FIND-8", "TBL-9", "INV-3"], false, Seq(PinBalance, "INV-3"), Literal.TakeOwnershipPutsStale),
        Lit("literal-ownership-without-pool-locks",
            "Take-over and release take no pool lock, so the host allocator races them (FIND-9).",
            ["FIND-9", "TBL-9", "TBL-10", "LOCK-4", "INV-1"], true, Conc(Invariants, "INV-1", "ownership-vs-host-alloc"), Literal.OwnershipWithoutPoolLocks),
        Lit("literal-ownership-without-flush",
            "Take-over and release clear TCEs without a flush (FIND-10).",
            ["FIND-10", "TBL-9", "TBL-10", "INV-9"], false, Seq(Flushed, "INV-9"), Literal.OwnershipWithoutFlush),
        Lit("literal-set-container-unlocked",
            "SET_CONTAINER checks container_users and increments it later, with no group lock (FIND-11).",
            ["FIND-11", "CORE-23", "CORE-24", "CORE-28", "INV-7"], true, Conc(Invariants, "INV-7", "double-set-container"), Literal.SetContainerUnlocked),
        Lit("literal-get-device-fd-check-then-inc",
            "GET_DEVICE_FD checks for a container, opens the device, then takes its reference (FIND-12).",
            ["FIND-12", "CORE-27", "INV-7"], true, Conc(Invariants, "INV-7", "device-fd-vs-unset"), Literal.GetDeviceFdCheckThenInc),
        Lit("literal-close-beside-calls",
            "close runs beside the process's other calls and removes the fd before the release: a call in flight outlives it, its number is reused before it returns, and its release is seen half done (FIND-13, FIND-16, FIND-18).",
            ["FIND-13", "FIND-16", "FIND-18", "PROC-6", "LOCK-8", "INV-11"], true,
            Conc(Linearizability, "INV-11", "pair/DeviceOpen+GroupClose/1p", "device-close-vs-close-and-unset", "in-flight-call-vs-close"), Literal.CloseBesideCalls),
        Lit("literal-exit-marks-first",
            "exit marks the process exited, lets go of its exit lock, and only then closes its fds: its calls see it exited while its tables are still owned (FIND-16).",
            ["FIND-16", "PROC-5", "LOCK-8", "INV-11"], true, Conc(Linearizability, "INV-11", "exit-vs-status-and-host-alloc"), Literal.ExitMarksFirst),
        Lit("literal-status-unlocked",
            "GET_STATUS reads the group's container with no lock, in the middle of an unset (FIND-14).",
            ["FIND-14", "CORE-22", "INV-11"], true, Conc(Linearizability, "INV-11", "status-after-hand-back", "ownership-storm"), Literal.StatusUnlocked),
        Lit("literal-device-fd-unlocked",
            "GET_DEVICE_FD takes and drops its container user reference with no group lock: a failing one makes a concurrent UNSET fail, and one that starts during an UNSET fails before the driver is released (FIND-15, FIND-17).",
            ["FIND-15", "FIND-17", "CORE-27", "CORE-24", "INV-11"], true,
            Conc(Linearizability, "INV-11", "failing-device-fd-vs-unset", "unset-vs-device-fd-and-disable"), Literal.DeviceFdUnlocked),
        Lit("literal-set-iommu-unwinds",
            "SET_IOMMU with two groups takes the first table over, fails on the second and unwinds: the leftovers of the first table are cleared by a failed call, and a host allocation in between finds it owned (FIND-19).",
            ["FIND-19", "CORE-4", "INV-5", "INV-11"], false, Seq(FailureAtomicity, "INV-5"), Literal.SetIommuUnwinds),
        Lit("literal-opened-unlocked",
            "open_group and the group file's release change opened outside the group lock: a reopen after the table was handed back still finds the group open (FIND-20).",
            ["FIND-20", "CORE-20", "CORE-26", "INV-11"], true, Conc(Linearizability, "INV-11", "group-release-vs-reopen"), Literal.OpenedUnlocked),
        Lit("literal-device-fd-driver-unlocked",
            "GET_DEVICE_FD looks for the container's driver without its group_lock: it fails in the middle of a SET_IOMMU whose take-over a host allocation has already seen (FIND-21).",
            ["FIND-21", "CORE-27", "INV-11"], true, Conc(Linearizability, "INV-11", "device-fd-vs-set-iommu"), Literal.DeviceFdDriverUnlocked),
        Lit("literal-open-beside-calls",
            "open_container, open_group, pass_fd and fork run beside the process's other calls: a container or a child is numbered in one order and published in the other, and a passed fd takes the number a concurrent close frees (FIND-22).",
            ["FIND-22", "STATE-3", "STATE-4", "STATE-6", "PROC-3", "PROC-4", "LOCK-8", "INV-11"], true,
            Conc(Linearizability, "INV-11", "two-opens", "forks-vs-open"), Literal.OpenBesideCalls),
        Lit("literal-3.10",
            "Every literal behaviour above at once: the merged Linux 3.10 code read literally.",
            ["FIND-1", "FIND-2", "FIND-3", "FIND-4", "FIND-5", "FIND-6", "FIND-7", "FIND-8", "FIND-9", "FIND-10",
             "FIND-11", "FIND-12", "FIND-13", "FIND-14", "FIND-15", "FIND-16", "FIND-17", "FIND-18", "FIND-19", "FIND-20", "FIND-21", "FIND-22",
             "MAP-3", "MAP-9", "TBL-4", "DIS-2", "REL-1", "PROC-5", "PROC-6", "EN-5", "TBL-1", "TBL-9",
             "TBL-10", "LOCK-4", "LOCK-8", "CORE-4", "CORE-20", "CORE-22", "CORE-23", "CORE-24", "CORE-26", "CORE-27", "CORE-28",
             "INV-1", "INV-2", "INV-3", "INV-4", "INV-5", "INV-7", "INV-9", "INV-11"], false, Seq(Result), Literal.All),
    ];

    /// <summary>Kept for existing callers: the literal variants of spec/findings.md (<see cref="Findings"/>).</summary>
    public static IReadOnlyList<Variant> All => Findings;

    /// <summary>The bug catalog beyond the findings: the first posted patch, error paths, precedence, rollback,
    /// flushes, pages, accounting, and the locking protocol.</summary>
    public static IReadOnlyList<Variant> Bugs { get; } =
    [
        // ---------------------------------------------------------------- the first posted patch (Nov 2012)
        Entry("patch-map-aligns-iova-size", "first patch",
            "MAP_DMA silently aligns: size += iova's offset, size rounded up, iova and vaddr rounded down; nothing unaligned is rejected.",
            ["MAP-7", "TBL-4"], Seq(Alignment, "MAP-7"), Parts.Driver(c => new PatchMapAligns(c))),
        Entry("patch-unmap-aligns-iova-size", "first patch",
            "UNMAP_DMA silently aligns the same way: an unaligned unmap clears the whole pages around it.",
            ["UNMAP-6", "UNMAP-7"], Seq(Alignment, "UNMAP-6"), Parts.Driver(c => new PatchUnmapAligns(c))),
        Entry("patch-attach-no-clear", "first patch",
            "Attach takes the table as it is: TCEs left by whoever came before stay live in the container's window.",
            ["TBL-9", "ATT-1", "INV-6", "INV-1"], Seq(CleanHandOver, "INV-6"), Parts.Omitting(Omit.TakeOwnershipClear)),
        Entry("patch-map-over-existing", "first patch",
            "A map writes over entries in use instead of failing with -EBUSY; the old entry's pin is never put.",
            ["TBL-5", "MAP-13", "INV-3"], Seq(PinBalance, "INV-3"), Parts.Omitting(Omit.BuildInUseCheck)),
        Entry("patch-no-locked-vm-accounting", "first patch",
            "No locked-memory accounting: ENABLE charges nothing and RLIMIT_MEMLOCK never applies.",
            ["EN-5", "DIS-2", "INV-4"], Seq(Accounting, "INV-4"), Parts.Driver(c => new PatchNoAccounting(c))),

        // ---------------------------------------------------------------- error paths of the ioctls
        Entry("map-argsz-unchecked", "error path", "MAP_DMA accepts argsz < 32 (MAP-5 dropped).",
            ["MAP-5", "ABI-8"], Seq(Result), Parts.Omitting(Omit.MapArgszCheck)),
        Entry("map-flags-unchecked", "error path", "MAP_DMA ignores unknown flag bits (MAP-6 dropped).",
            ["MAP-6"], Seq(Result), Parts.Omitting(Omit.MapFlagsCheck)),
        Entry("map-vaddr-unaligned-accepted", "error path", "MAP_DMA checks the size's alignment but not vaddr's (MAP-7).",
            ["MAP-7"], Seq(Alignment, "MAP-7"), Parts.Driver(c => new MapVaddrUnaligned(c))),
        Entry("map-size-unaligned-accepted", "error path", "MAP_DMA checks vaddr's alignment but not the size's, which is truncated (MAP-7).",
            ["MAP-7"], Seq(Alignment, "MAP-7"), Parts.Driver(c => new MapSizeUnaligned(c))),
        Entry("put-check-iova-unaligned", "error path", "TBL-4 does not check the iova's alignment: the entry it falls in is mapped.",
            ["TBL-4", "MAP-8"], Seq(Alignment, "MAP-7"), Parts.Table((g, c) => new PutCheckIovaUnaligned(g, c))),
        Entry("put-check-no-permission", "error path", "TBL-4 does not check for a permission: MAP with flags 0 pins pages behind entries not in use.",
            ["TBL-4", "MAP-8", "INV-3"], Seq(PinBalance, "INV-3"), Parts.Table((g, c) => new PutCheckNoPermission(g, c))),
        Entry("put-check-below-window", "error path", "TBL-4 does not check the window's start: a map below the window reaches the guard band.",
            ["TBL-4", "MAP-8", "TBL-2"], Seq(WindowBounds, "MAP-9"), Parts.Table((g, c) => new PutCheckBelowWindow(g, c))),
        Entry("map-end-off-by-one", "error path", "MAP-9 lets a map end one entry past the window, into the guard band above it.",
            ["MAP-9", "TBL-2", "INV-2"], Seq(WindowBounds, "INV-2"), Parts.Driver(c => new MapEndOffByOne(c))),
        Entry("map-end-wraps", "error path", "MAP-9 computed in bytes: iova + size wraps past 2^64 and a huge map is accepted.",
            ["MAP-9"], Seq(WindowBounds, "MAP-9"), Parts.Driver(c => new MapEndWraps(c))),
        Entry("unmap-argsz-unchecked", "error path", "UNMAP_DMA accepts argsz < 24 (UNMAP-4 dropped).",
            ["UNMAP-4", "ABI-8"], Seq(Result), Parts.Omitting(Omit.UnmapArgszCheck)),
        Entry("unmap-flags-unchecked", "error path", "UNMAP_DMA ignores its flags (UNMAP-5 dropped).",
            ["UNMAP-5"], Seq(Result), Parts.Omitting(Omit.UnmapFlagsCheck)),
        Entry("unmap-size-unaligned-accepted", "error path", "UNMAP_DMA truncates an unaligned size (UNMAP-6 dropped).",
            ["UNMAP-6"], Seq(Alignment, "UNMAP-6"), Parts.Driver(c => new UnmapSizeUnaligned(c))),
        Entry("unmap-iova-unaligned-accepted", "error path", "UNMAP_DMA rounds an unaligned iova down (UNMAP-7's alignment check dropped).",
            ["UNMAP-7"], Seq(Alignment, "UNMAP-6"), Parts.Driver(c => new UnmapIovaUnaligned(c))),
        Entry("unmap-below-window", "error path", "UNMAP_DMA does not check the window's start: it clears the host's guard entries below the window.",
            ["UNMAP-7", "TBL-2", "INV-2"], Seq(WindowBounds, "INV-2"), Parts.Driver(c => new UnmapBelowWindow(c))),
        Entry("unmap-past-window", "error path", "UNMAP_DMA does not check the window's end.",
            ["UNMAP-7", "TBL-2"], Seq(WindowBounds, "UNMAP-7"), Parts.Driver(c => new UnmapPastWindow(c))),
        Entry("unmap-end-off-by-one", "error path", "UNMAP-7 lets an unmap end one entry past the window.",
            ["UNMAP-7", "TBL-2"], Seq(WindowBounds, "UNMAP-7"), Parts.Driver(c => new UnmapEndOffByOne(c))),
        Entry("unmap-end-wraps", "error path", "UNMAP-7 computed in bytes: iova + size wraps past 2^64 and the unmap clears to the end of the table.",
            ["UNMAP-7", "TBL-2"], Seq(WindowBounds, "UNMAP-7"), Parts.Driver(c => new UnmapEndWraps(c))),
        Entry("info-argsz-unchecked", "error path", "GET_INFO answers (and writes back) a struct with argsz < 16 (INFO-1's check dropped).",
            ["INFO-1", "ABI-8"], Seq(Result), Parts.Omitting(Omit.InfoArgszCheck)),
        Entry("status-argsz-unchecked", "error path", "GROUP_GET_STATUS answers (and writes back) a struct with argsz < 8 (CORE-22's check dropped).",
            ["CORE-22", "ABI-8"], Seq(Result), Parts.Omitting(Omit.StatusArgszCheck)),
        Entry("set-container-negative-fd", "error path", "SET_CONTAINER does not reject a negative fd (-EINVAL) before looking it up (-EBADF).",
            ["CORE-23"], Seq(Result), Parts.Omitting(Omit.SetContainerFdCheck)),
        Entry("check-extension-accepts-type1", "error path", "CHECK_EXTENSION also claims the type-1 IOMMU, so SET_IOMMU(1) reaches the driver's open (-EINVAL, not -ENODEV).",
            ["EXT-1", "CORE-3", "CORE-4", "OPEN-1"], Seq(Result), Parts.Driver(c => new CheckExtensionAcceptsType1(c))),
        Entry("enable-limit-before-busy", "precedence", "ENABLE checks RLIMIT_MEMLOCK (-ENOMEM, EN-5) before enabled (-EBUSY, EN-4).",
            ["EN-4", "EN-5"], Seq(Result), Parts.Driver(c => new EnableLimitBeforeBusy(c))),
        Entry("set-container-fd-before-users", "precedence", "SET_CONTAINER looks the fd up (-EBADF) before checking container_users (-EINVAL).",
            ["CORE-23"], Seq(Result), Parts.Core((c, d, g) => new SetContainerFdFirst(c, d, g))),

        // ---------------------------------------------------------------- rollback, flush, pages, accounting, detach
        Entry("map-no-rollback", "rollback", "A map that fails part way keeps the entries and pins it built (MAP-11 dropped).",
            ["MAP-11", "INV-5"], Seq(Rollback, "MAP-11"), Parts.Omitting(Omit.MapUnwind)),
        Entry("map-rollback-one-short", "rollback", "The unwind of a failed map stops one entry short: the last entry built stays.",
            ["MAP-11", "INV-5"], Seq(Rollback, "MAP-11"), Parts.Driver(c => new MapRollbackOneShort(c))),
        Entry("map-rollback-one-more", "rollback", "The unwind of a failed map also clears the entry that failed: a busy entry's mapping is lost.",
            ["MAP-11", "INV-5"], Seq(Rollback, "MAP-11"), Parts.Driver(c => new MapRollbackOneMore(c))),
        Entry("map-no-flush", "flush", "MAP_DMA does not flush (MAP-12 dropped).",
            ["MAP-12", "INV-9"], Seq(Flushed, "INV-9"), Parts.Omitting(Omit.MapFlush)),
        Entry("unmap-no-flush", "flush", "UNMAP_DMA does not flush: the device keeps translations of cleared entries (UNMAP-9 dropped).",
            ["UNMAP-9", "INV-9"], Seq(Flushed, "INV-9"), Parts.Omitting(Omit.UnmapFlush)),
        Entry("clear-double-put", "pages", "Clearing an entry puts its page twice (TBL-7).",
            ["TBL-7", "INV-3"], Seq(PinBalance, "INV-3"), Parts.Table((g, c) => new ClearDoublePut(g, c))),
        Entry("clear-missing-put", "pages", "Clearing an entry does not put its page: the pin leaks (TBL-7).",
            ["TBL-7", "INV-3"], Seq(PinBalance, "INV-3"), Parts.Table((g, c) => new ClearMissingPut(g, c))),
        Entry("map-error-missing-put", "pages", "A build that fails after its pin does not put it back (TBL-6).",
            ["TBL-6", "MAP-11", "INV-3"], Seq(PinBalance, "INV-3"), Parts.Omitting(Omit.PutUserModeUndo)),
        Entry("clear-no-dirty", "pages", "Clearing a WRITE entry does not dirty its page (TBL-7): what the device wrote may be lost.",
            ["TBL-7"], Seq(State), Parts.Table((g, c) => new ClearNoDirty(g, c))),
        Entry("clear-dirties-read-only", "pages", "Clearing any entry dirties its page, also one the device could only read (TBL-7).",
            ["TBL-7"], Seq(State), Parts.Table((g, c) => new ClearDirtiesReadOnly(g, c))),
        Entry("enable-charges-twice", "accounting", "ENABLE adds the window's charge to locked_vm twice (EN-5).",
            ["EN-5", "INV-4"], Seq(Accounting, "INV-4"), Parts.Driver(c => new EnableChargesTwice(c))),
        Entry("enable-no-charge", "accounting", "ENABLE charges nothing, DISABLE still returns the charge (EN-5).",
            ["EN-5", "INV-4"], Seq(Accounting, "INV-4"), Parts.Driver(c => new EnableNoCharge(c))),
        Entry("disable-uncharges-twice", "accounting", "Disable returns the charge twice (DIS-2).",
            ["DIS-2", "INV-4"], Seq(Accounting, "INV-4"), Parts.Driver(c => new DisableUnchargesTwice(c))),
        Entry("disable-no-uncharge", "accounting", "Disable never returns the charge (DIS-2).",
            ["DIS-2", "INV-4"], Seq(Accounting, "INV-4"), Parts.Omitting(Omit.Uncharge)),
        Entry("detach-skips-disable", "lifecycle", "Detach forgets the table of an enabled container without disabling it (DET-1).",
            ["DET-1", "DIS-2", "INV-4", "INV-7"], Seq(Accounting, "INV-4"), Parts.Driver(c => new DetachSkipsDisable(c))),
        Entry("device-fd-takes-two-users", "lifecycle",
            "A successful GET_DEVICE_FD takes two container-user references instead of one (CORE-27): the group can never be dissolved.",
            ["CORE-27", "CORE-28", "INV-7"], Seq(CoreConsistency, "INV-7"), Parts.Core((c, d, g) => new DeviceFdTakesTwoUsers(c, d, g))),
        Entry("host-writes-into-owned-table", "lifecycle",
            "The host's raw write (HOST-6) is not refused while a container owns the table: its TCE lands in the user's window.",
            ["HOST-6", "INV-1"], Seq(Isolation, "INV-1"), Parts.Omitting(Omit.HostWriteOwnerCheck)),

        // ---------------------------------------------------------------- the locking protocol (concurrency only)
        Locking("no-mutex-on-enable", "ENABLE does not take the container mutex (LOCK-3).",
            ["EN-1", "LOCK-3", "LOCK-6"], Conc(DataRace, null, "enable-twice"), Parts.Omitting(Omit.MutexOnEnable)),
        Locking("no-mutex-on-attach", "attach_group does not take the container mutex (ATT-1, LOCK-3).",
            ["ATT-1", "LOCK-3"], Conc(LockDiscipline, "LOCK-3", "attach-enable-release"), Parts.Omitting(Omit.MutexOnAttach)),
        Locking("no-mutex-on-map", "MAP_DMA does not take the container mutex (MAP-1, LOCK-3).",
            ["MAP-1", "LOCK-3", "LOCK-6", "INV-11"], Conc(Linearizability, "INV-11", "map-vs-disable"), Parts.Omitting(Omit.MutexOnMap)),
        Locking("no-group-lock-on-passthrough", "The core's passthrough ioctls do not take group_lock (CORE-6, LOCK-3).",
            ["CORE-6", "LOCK-3"], Conc(DataRace, null, "attach-enable-release"), Parts.Omitting(Omit.GroupLockOnPassthrough)),
        Locking("no-group-lock-on-set-container", "SET_CONTAINER does not take the container's group_lock (CORE-23, LOCK-3).",
            ["CORE-23", "LOCK-3"], Conc(DataRace, null, "two-groups-one-container"), Parts.Omitting(Omit.GroupLockOnSetContainer)),
        Locking("no-group-lock-on-unset-container", "UNSET_CONTAINER does not take the container's group_lock (CORE-25, LOCK-3).",
            ["CORE-24", "CORE-25", "LOCK-3"], Conc(DataRace, null, "map-vs-unset"), Parts.Omitting(Omit.GroupLockOnUnsetContainer)),
        Locking("no-pool-lock-on-build", "A TCE build does not take its pool lock (TBL-5, LOCK-4).",
            ["TBL-5", "LOCK-4"], Conc(LockDiscipline, "LOCK-4", "map-vs-disable"), Parts.Omitting(Omit.PoolLockOnBuild)),
        Locking("host-alloc-without-pool-locks", "The host DMA allocator takes no pool lock and races a take-over (HOST-4, LOCK-4).",
            ["HOST-4", "LOCK-4", "INV-1"], Conc(Invariants, "INV-1", "ownership-vs-host-alloc"), Parts.Omitting(Omit.PoolLocksOnHostAlloc)),
        Locking("ownership-pools-descending", "Take-over and release lock the pools in descending order, the allocator ascending (LOCK-2): deadlock.",
            ["LOCK-2", "LOCK-4", "INV-8"], Conc(Deadlock, "INV-8", "ownership-vs-host-alloc"), Parts.Table((g, c) => new OwnershipPoolsDescending(g, c))),
        Locking("no-mmap-sem-on-charge", "ENABLE updates locked_vm without the mm's mmap_sem (EN-5, LOCK-5).",
            ["EN-5", "LOCK-5", "INV-4"], Conc(DataRace, null, "two-enables-one-limit"), Parts.Omitting(Omit.MmapSemOnCharge)),
        Locking("no-mmap-sem-on-uncharge", "Disable returns the charge without the payer's mmap_sem (DIS-2, LOCK-5).",
            ["DIS-2", "LOCK-5", "INV-4"], Conc(DataRace, null, "disable-vs-enable-one-mm"), Parts.Omitting(Omit.MmapSemOnUncharge)),
        Locking("enable-check-then-act", "ENABLE checks enabled before taking the mutex and charges after: two ENABLEs both charge.",
            ["EN-4", "LOCK-3", "INV-4"], Conc(Invariants, "INV-4", "enable-twice"), Parts.Driver(c => new EnableCheckThenAct(c), Omit.EnableBusyCheck)),
        Locking("map-check-then-act", "MAP_DMA checks enabled before taking the mutex and maps after: a DISABLE in between leaves pins uncharged.",
            ["MAP-3", "LOCK-3", "INV-4"], Conc(Invariants, "INV-4", "map-vs-disable"), Parts.Driver(c => new MapCheckThenAct(c), Omit.MapEnabledCheck)),
        Locking("passthrough-uses-data-outside-lock", "The core reads the container's driver data under group_lock and uses it after dropping it.",
            ["CORE-6", "LOCK-3", "INV-11"], Conc(Linearizability, "INV-11", "map-vs-unset"), Parts.Core((c, d, g) => new PassthroughUsesDataOutsideLock(c, d, g))),
        Locking("release-ownership-before-last-use", "Detach hands the table back to the host before disable's last clear of it.",
            ["DET-1", "TBL-10", "LOCK-4", "INV-11"], Conc(Linearizability, "INV-11", "release-vs-host-alloc"), Parts.Driver(c => new ReleaseOwnershipBeforeLastUse(c))),

        // ---------------------------------------------------------------- issue 11: caught only by the coverage it added
        Locking("occupancy-words-shared-by-pools",
            "TceImpl before issue 11: the occupancy bits are laid out flat, so host_write_stale updates a word that other pools share under its own pool's lock; two stale writes lose a bit and the next take-over leaves a TCE live.",
            ["FIND-23", "HOST-6", "TBL-9", "LOCK-9", "INV-1", "INV-3", "INV-6"], Conc(Invariants, "INV-3", "stale-writes-vs-attach"), Parts.Omitting(Omit.OccupancyWordsPerPool)),
        Locking("host-free-own-pools-only",
            "host_free holds only the pool locks of its range, not every pool lock: two frees in different pools clear bits of one it_map word and one clear is lost.",
            ["HOST-5", "LOCK-4", "LOCK-9", "INV-11"], Conc(Linearizability, "INV-11", "host-frees-one-word"), Parts.Table((g, c) => new HostFreeOwnPoolsOnly(g, c))),
        Entry("clear-stops-at-word-end", "pages",
            "The clear of a pool's entries scans only the first 64-entry word of its occupancy bits: in a pool wider than a word, entries past it keep their TCEs and pins (TBL-7).",
            ["TBL-7", "DIS-2", "INV-4"], Seq(Accounting, "INV-4"), Parts.Table((g, c) => new ClearStopsAtWordEnd(g, c))),
        Locking("map-stores-countdown-over-inject",
            "A MAP takes the write-failure countdown without the table's inject lock and gives back what its writes left with a plain store: an inject made during the MAP is lost although it returned 0 (FIND-24, HOST-7, LOCK-10).",
            ["FIND-24", "HOST-7", "LOCK-10", "INV-11"], Conc(Linearizability, "INV-11", "inject-vs-map"), Parts.Table((g, c) => new MapStoresCountdownOverInject(g, c))),
        Locking("map-claims-countdown-without-lock",
            "TceImpl before FIND-25: a MAP claims the write-failure countdown at its start and gives it back with a compare-and-swap, with no lock: an inject made during the MAP counts as after it, although the MAP saw a munmap that started after the inject returned (FIND-25, LOCK-10).",
            ["FIND-25", "HOST-7", "LOCK-10", "INV-11"], Conc(Linearizability, "INV-11", "inject-vs-munmap-and-map"), Parts.Table((g, c) => new MapClaimsCountdownWithoutLock(g, c))),
        Entry("enable-limit-rounds-up", "accounting",
            "ENABLE rounds RLIMIT_MEMLOCK up to whole pages: a limit one byte short of the charge admits it and locked_vm ends above the limit (EN-5).",
            ["EN-5", "INV-4"], Seq(MemlockLimit, "EN-5"), Parts.Driver(c => new EnableLimitRoundsUp(c))),
        Entry("clear-dirty-tests-read-bit", "pages",
            "Clearing an entry dirties its page when the entry had READ, not WRITE: a WRITE-only mapping's page is put clean (TBL-7).",
            ["TBL-7"], Seq(DirtyOnClear, "TBL-7"), Parts.Table((g, c) => new ClearDirtyTestsReadBit(g, c))),
        Entry("info-writes-back-argsz", "error path",
            "GET_INFO writes back argsz bytes (up to 64), zeros past its 16-byte struct, over the caller's memory (ABI-8).",
            ["INFO-1", "ABI-8", "ABI-6"], Seq(WriteBack, "ABI-8"), Parts.Driver(c => new InfoWritesBackArgsz(c))),
        Entry("map-argsz-read-first", "precedence",
            "MAP_DMA reads argsz alone and rejects a small one (-EINVAL) before copying the struct, which straddling an unmapped page gives -EFAULT (ABI-8).",
            ["MAP-4", "MAP-5", "ABI-5", "ABI-8"], Seq(Result), Parts.Driver(c => new MapArgszReadFirst(c))),
        Entry("device-name-prefix-match", "error path",
            "GET_DEVICE_FD opens a device whose name the given name is a proper prefix of (\"0000:01:00\" opens \"0000:01:00.0\"; CORE-27: -ENODEV).",
            ["CORE-27", "ABI-10"], Seq(Result), Parts.Core((c, d, g) => new DeviceNamePrefixMatch(c, d, g))),
    ];

    /// <summary>The whole catalog: <see cref="Findings"/> then <see cref="Bugs"/>.</summary>
    public static IReadOnlyList<Variant> Catalog { get; } = [.. Findings, .. Bugs];

    /// <summary>The variant of that name; an unknown name is an <see cref="ArgumentException"/> listing the valid ones.</summary>
    public static Variant Get(string name)
    {
        foreach (var v in Catalog)
            if (string.Equals(v.Name, name, StringComparison.Ordinal)) return v;
        throw new ArgumentException($"unknown variant '{name}'; valid names: {string.Join(", ", Catalog.Select(v => v.Name))}", nameof(name));
    }

    /// <summary>The variants named in a comma- or space-separated list (every one when the list is empty).</summary>
    public static IReadOnlyList<Variant> Select(string? names)
    {
        if (string.IsNullOrWhiteSpace(names)) return Catalog;
        return names.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Get).ToList();
    }
}
