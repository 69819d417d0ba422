using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Platform;

namespace TceVerify.Variants.Catalog;

// Issue 11: what the harness could not see before its coverage grew. Each entry is caught only by that coverage:
// bitmap words as shared cells (a read-modify-write of a word is a read and then a write), the wide platform, host
// writes and fault injection in threads, same-object pairs, and the step checks and edge-aiming generators added then.

/// <summary>TceImpl before issue 11: the occupancy bits are laid out flat, so one 64-bit word holds the bits of
/// neighbouring pools, and host_write_stale updates it under its own pool's lock only (LOCK-9).</summary>
internal sealed class OccupancyWordsSharedByPools(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override bool OccupancyWordsPerPool => false;
}

/// <summary>HOST-5 holds only the pool locks of the range it frees, not every pool lock (LOCK-4): it clears it_map bits
/// in a word that other pools share (LOCK-9).</summary>
internal sealed class HostFreeOwnPoolsOnly(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override void HostFreeLockPools(long entry, long end)
    {
        for (int k = PoolOf(entry); k <= PoolOf(end - 1); k++) LockPoolAt(k);
    }

    protected internal override void HostFreeUnlockPools(long entry, long end)
    {
        for (int k = PoolOf(end - 1); k >= PoolOf(entry); k--) UnlockPoolAt(k);
    }
}

/// <summary>The clear of one pool's range scans only the first occupancy word of the range, as if a pool's bits always
/// fitted one word: entries past it keep their TCEs and pins. Only pools wider than 64 entries show it.</summary>
internal sealed class ClearStopsAtWordEnd(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override long ClearPoolRangeLocked(int k, long first, long end, bool put, bool inUseOnly) =>
        base.ClearPoolRangeLocked(k, first, Math.Min(end, OccupancyWordEnd(k, first)), put, inUseOnly);
}

/// <summary>A MAP gives back the HOST-7 countdown its writes left with a plain store, over an inject made meanwhile
/// (LOCK-10): the inject is lost although it returned 0.</summary>
internal sealed class MapStoresCountdownOverInject(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override void ReturnCountdown(long left) => StoreCountdown(left);
}
