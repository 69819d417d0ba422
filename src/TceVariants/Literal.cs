namespace TceVerify.Variants;

/// <summary>The literal Linux 3.10 behaviours of findings.md, one flag each; a variant restores a set of them.</summary>
[Flags]
internal enum Literal
{
    None = 0,
    /// <summary>FIND-1: MAP_DMA checks only its first entry (no MAP-9).</summary>
    MapEndUnchecked = 1 << 0,
    /// <summary>FIND-2: MAP_DMA never looks at <c>enabled</c> (no MAP-3).</summary>
    MapWithoutEnable = 1 << 1,
    /// <summary>FIND-3: disable keeps every TCE and pin.</summary>
    DisableKeepsMappings = 1 << 2,
    /// <summary>FIND-4, FIND-5: disable returns the charge to current's mm, and to nobody when current has none.</summary>
    UnchargeCurrent = 1 << 3,
    /// <summary>FIND-6: the charge is the window's bytes in system pages.</summary>
    ChargeWindowBytes = 1 << 4,
    /// <summary>FIND-7: a failed take-over leaves bit 0 of it_map cleared.</summary>
    TakeOwnershipDropsBit0 = 1 << 5,
    /// <summary>FIND-8: take-over puts the pages of leftover TCEs.</summary>
    TakeOwnershipPutsStale = 1 << 6,
    /// <summary>FIND-9: take-over and release take no pool lock.</summary>
    OwnershipWithoutPoolLocks = 1 << 7,
    /// <summary>FIND-10: take-over and release do not flush.</summary>
    OwnershipWithoutFlush = 1 << 8,
    /// <summary>FIND-11: SET_CONTAINER, UNSET_CONTAINER and dissolve take no group lock.</summary>
    SetContainerUnlocked = 1 << 9,
    /// <summary>FIND-12: GET_DEVICE_FD checks container_users, opens the device, then increments.</summary>
    GetDeviceFdCheckThenInc = 1 << 10,
    /// <summary>FIND-13, FIND-16, FIND-18: close runs beside the process's other calls, and removes the fd before the
    /// release.</summary>
    CloseBesideCalls = 1 << 11,
    /// <summary>FIND-16: exit marks the process exited and lets its calls see it before its fds are closed.</summary>
    ExitMarksFirst = 1 << 12,
    /// <summary>FIND-14: GET_STATUS reads the group's container with no lock.</summary>
    StatusUnlocked = 1 << 13,
    /// <summary>FIND-15, FIND-17: GET_DEVICE_FD takes and drops its reference with no group lock.</summary>
    DeviceFdUnlocked = 1 << 14,
    /// <summary>FIND-19: SET_IOMMU attaches the first group and unwinds when the second fails.</summary>
    SetIommuUnwinds = 1 << 15,
    /// <summary>FIND-20: open_group and the group file's release change <c>opened</c> outside the group lock.</summary>
    OpenedUnlocked = 1 << 16,
    /// <summary>FIND-21: GET_DEVICE_FD reads the container's driver without its group_lock.</summary>
    DeviceFdDriverUnlocked = 1 << 17,
    /// <summary>FIND-22: open_container, open_group, pass_fd and fork run beside the process's other calls, and fork
    /// publishes children in whatever order they finish.</summary>
    OpenBesideCalls = 1 << 18,
    /// <summary>FIND-26: UNMAP's clear puts each page inside its loop and flushes after it.</summary>
    UnmapPutsBeforeFlush = 1 << 19,
    /// <summary>FIND-27: a failed MAP's rollback puts each page inside its loop; MAP-12 flushes after it.</summary>
    RollbackPutsBeforeFlush = 1 << 20,
    /// <summary>FIND-28: disable's clear puts each page inside its loop and flushes after it.</summary>
    DisablePutsBeforeFlush = 1 << 21,
    /// <summary>FIND-29: the release of ownership puts each page inside its clear and flushes at its end.</summary>
    ReleasePutsBeforeFlush = 1 << 22,

    All = (1 << 23) - 1,
}
