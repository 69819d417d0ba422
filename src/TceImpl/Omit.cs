namespace TceVerify.Impl;

/// <summary>
/// A step of the spec that a catalog variant (src/TceVariants, docs/catalog.md) leaves out: a lock it does not take
/// at one site, or a check, flush or statement it does not make. The pristine kernel omits none
/// (<see cref="KernelParts.Omits"/> is empty); each step tests its flag where it is made, so the kernel reads in spec
/// order and a variant that only drops a step needs no subclass.
/// </summary>
[Flags]
internal enum Omit : ulong
{
    None = 0,

    // ------------------------------------------------ locks, by the site that takes them (spec/locking.md)
    /// <summary>ATT-1: the container mutex (LOCK-3).</summary>
    MutexOnAttach = 1UL << 0,
    /// <summary>MAP-1: the container mutex (LOCK-3).</summary>
    MutexOnMap = 1UL << 1,
    /// <summary>EN-1: the container mutex (LOCK-3).</summary>
    MutexOnEnable = 1UL << 2,
    /// <summary>EN-5: the mm's mmap_sem around the charge (LOCK-5).</summary>
    MmapSemOnCharge = 1UL << 3,
    /// <summary>DIS-2: the payer's mmap_sem around the return of the charge (LOCK-5).</summary>
    MmapSemOnUncharge = 1UL << 4,
    /// <summary>CORE-6: the container's group_lock for reading (LOCK-3).</summary>
    GroupLockOnPassthrough = 1UL << 5,
    /// <summary>CORE-27: the container's group_lock for reading around the driver check (FIND-21).</summary>
    GroupLockOnDeviceFdDriver = 1UL << 6,
    /// <summary>CORE-23: the container's group_lock for writing (LOCK-3).</summary>
    GroupLockOnSetContainer = 1UL << 7,
    /// <summary>CORE-25: the container's group_lock for writing (LOCK-3).</summary>
    GroupLockOnUnsetContainer = 1UL << 8,
    /// <summary>CORE-20: the group's lock around <c>opened</c> (FIND-20).</summary>
    GroupMutexOnOpen = 1UL << 9,
    /// <summary>CORE-22: the group's lock around the container read (FIND-14).</summary>
    GroupMutexOnStatus = 1UL << 10,
    /// <summary>CORE-23: the group's lock (FIND-11).</summary>
    GroupMutexOnSetContainer = 1UL << 11,
    /// <summary>CORE-24: the group's lock (FIND-11).</summary>
    GroupMutexOnUnsetContainer = 1UL << 12,
    /// <summary>CORE-28 from a device release: the group's lock (FIND-11).</summary>
    GroupMutexOnDissolve = 1UL << 13,
    /// <summary>CORE-26: the group's lock (FIND-11, FIND-20).</summary>
    GroupMutexOnRelease = 1UL << 14,
    /// <summary>CORE-27: the group's lock (FIND-12, FIND-15, FIND-17).</summary>
    GroupMutexOnDeviceFd = 1UL << 15,
    /// <summary>TBL-5: the entry's pool lock (LOCK-4).</summary>
    PoolLockOnBuild = 1UL << 16,
    /// <summary>HOST-4: every pool lock (LOCK-4).</summary>
    PoolLocksOnHostAlloc = 1UL << 17,
    /// <summary>HOST-5: every pool lock (LOCK-4, LOCK-9); no variant omits it, one takes fewer.</summary>
    PoolLocksOnHostFree = 1UL << 20,
    /// <summary>TBL-9, TBL-10: every pool lock (LOCK-4, FIND-9).</summary>
    PoolLocksOnOwnership = 1UL << 18,
    /// <summary>LOCK-8 (FIND-22): fork's lock, and open, pass_fd and fork running alone in their process.</summary>
    InstallAlone = 1UL << 19,

    // ------------------------------------------------ checks and statements
    /// <summary>MAP-3 (adopted, FIND-2): the enabled check.</summary>
    MapEnabledCheck = 1UL << 32,
    /// <summary>MAP-9 (adopted, FIND-1): the end-of-window check.</summary>
    MapEndCheck = 1UL << 33,
    /// <summary>MAP-5: argsz below minsz.</summary>
    MapArgszCheck = 1UL << 34,
    /// <summary>MAP-6: unknown flags.</summary>
    MapFlagsCheck = 1UL << 35,
    /// <summary>MAP-11: the unwind of a map that failed part way.</summary>
    MapUnwind = 1UL << 36,
    /// <summary>MAP-12: the flush.</summary>
    MapFlush = 1UL << 37,
    /// <summary>EN-4: the enabled check (a variant that checks before the mutex omits it under the mutex).</summary>
    EnableBusyCheck = 1UL << 52,
    /// <summary>UNMAP-4: argsz below minsz.</summary>
    UnmapArgszCheck = 1UL << 38,
    /// <summary>UNMAP-5: flags.</summary>
    UnmapFlagsCheck = 1UL << 39,
    /// <summary>UNMAP-9: the flush.</summary>
    UnmapFlush = 1UL << 40,
    /// <summary>INFO-1: argsz below minsz.</summary>
    InfoArgszCheck = 1UL << 41,
    /// <summary>DIS-2 (adopted, FIND-3): the clear of the window.</summary>
    DisableClearWindow = 1UL << 42,
    /// <summary>DIS-2 (adopted, FIND-4, FIND-5): the charge goes back to the payer; omitted, to current's mm.</summary>
    UnchargePayer = 1UL << 43,
    /// <summary>DIS-2: the return of the charge.</summary>
    Uncharge = 1UL << 55,
    /// <summary>CORE-22: argsz below minsz.</summary>
    StatusArgszCheck = 1UL << 44,
    /// <summary>CORE-23: the negative-fd check.</summary>
    SetContainerFdCheck = 1UL << 45,
    /// <summary>CORE-4 (adopted, FIND-19): the one-group check.</summary>
    SetIommuGroupCountCheck = 1UL << 46,
    /// <summary>TBL-5: the in-use check (the first posted patch wrote over live entries).</summary>
    BuildInUseCheck = 1UL << 47,
    /// <summary>TBL-6: the put of the pin when the build fails.</summary>
    PutUserModeUndo = 1UL << 48,
    /// <summary>HOST-6: the refusal (-EBUSY) of a host write while a container owns the table.</summary>
    HostWriteOwnerCheck = 1UL << 56,
    /// <summary>TBL-9 (adopted, FIND-7): bit 0 set again on the -EBUSY path.</summary>
    TakeOwnershipRestoreBit0 = 1UL << 49,
    /// <summary>TBL-9: the clear of the window's leftovers (the first posted patch kept them).</summary>
    TakeOwnershipClear = 1UL << 53,
    /// <summary>TBL-9 (adopted, FIND-8): leftovers cleared without a put; omitted, each in-use one is put as TBL-7.</summary>
    TakeOwnershipClearWithoutPut = 1UL << 54,
    /// <summary>TBL-9, TBL-10 (adopted, FIND-10): the flush.</summary>
    OwnershipFlush = 1UL << 50,
    /// <summary>LOCK-9: each pool's occupancy bits start a word of their own (issue 11); omitted, they are flat.</summary>
    OccupancyWordsPerPool = 1UL << 51,

    // ------------------------------------------------ the device (issue 15): TBL-7's order and TBL-8's invalidation
    /// <summary>TBL-7 (adopted, FIND-26) in UNMAP: the flush before the puts; omitted, each page is put inside the
    /// clear loop and UNMAP-9's flush comes after (the literal order).</summary>
    FlushBeforePutOnUnmap = 1UL << 21,
    /// <summary>TBL-7 (adopted, FIND-27) in a failed MAP's rollback (MAP-11): the flush before the puts.</summary>
    FlushBeforePutOnRollback = 1UL << 22,
    /// <summary>TBL-7 (adopted, FIND-28) in disable (DIS-2): the flush before the puts.</summary>
    FlushBeforePutOnDisable = 1UL << 23,
    /// <summary>TBL-10 (adopted, FIND-29): the flush before the puts of the hand-back.</summary>
    FlushBeforePutOnRelease = 1UL << 24,
    /// <summary>TBL-8, DEV-3: the flush's invalidation of the table's translation cache.</summary>
    FlushInvalidation = 1UL << 25,
}
