using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Vfio;

namespace TceVerify.Variants.Catalog;

// The locking protocol (spec/locking.md), broken one lock or one ordering at a time. Sequential runs cannot tell any
// of these from the pristine implementation; only the concurrency suite can.

/// <summary>Check-then-act on <c>enabled</c> in ENABLE: EN-4 is checked before the mutex is taken, the charge made
/// after, so two ENABLEs can both pass the check (under the mutex, EN-4 is omitted).</summary>
internal sealed class EnableCheckThenAct(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override long Enable(TceContainer data, in Current cur)
    {
        data.StateCell.Read();
        if (data.Enabled) return -Errno.EBUSY;                // EN-4, with no lock
        Ctx.Lock(data.Mutex, Omit.MutexOnEnable);
        int ret = EnableLocked(data, cur);
        Ctx.Unlock(data.Mutex, Omit.MutexOnEnable);
        return ret;
    }
}

/// <summary>Check-then-act on <c>enabled</c> in MAP_DMA: MAP-3 is checked before the mutex is taken, the map made after,
/// so a DISABLE in between leaves a disabled container with pinned pages (under the mutex, MAP-3 is omitted).</summary>
internal sealed class MapCheckThenAct(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override long MapDma(TceContainer data, in Current cur, ulong arg)
    {
        data.StateCell.Read();
        if (!data.Enabled) return -Errno.EPERM;               // MAP-3, with no lock
        Ctx.Lock(data.Mutex, Omit.MutexOnMap);
        int ret = MapDmaLocked(data, cur, arg);
        Ctx.Unlock(data.Mutex, Omit.MutexOnMap);
        return ret;
    }
}

/// <summary>DET-1 releases ownership of the table before its last use: the table goes back to the host, then disable
/// clears the window, and with it whatever the host allocated there meanwhile.</summary>
internal sealed class ReleaseOwnershipBeforeLastUse(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override void DetachLocked(TceContainer data, IommuTable tbl, in Current cur)
    {
        data.TblCell.Read();
        if (data.Tbl != tbl) return;
        tbl.ReleaseOwnership();                               // handed back first ...
        data.StateCell.Read();
        if (data.Enabled) DisableLocked(data, cur);           // ... then used: disable clears the window
        data.TblCell.Write();
        data.Tbl = null;
    }
}

/// <summary>The passthrough ioctls read the container's driver data under group_lock and use it after dropping it:
/// the driver data may have been released (REL-1) by then.</summary>
internal sealed class PassthroughUsesDataOutsideLock(KernelContext ctx, IIommuDriverOps driver, IReadOnlyList<VfioGroup> groups)
    : VfioCore(ctx, driver, groups)
{
    protected internal override long Passthrough(VfioContainer container, in Current cur, uint cmd, ulong arg)
    {
        Ctx.DownRead(container.GroupLock, Omit.GroupLockOnPassthrough);
        container.Cell.Read();
        var d = container.Driver;
        var data = container.Data;
        Ctx.UpRead(container.GroupLock, Omit.GroupLockOnPassthrough);       // dropped before the last use
        return d is not null && data is not null ? d.Ioctl(data, cur, cmd, arg) : -Errno.EINVAL;
    }
}

/// <summary>Take-over and release take the pool locks in descending order, against the allocator's ascending order
/// (LOCK-2): the two deadlock.</summary>
internal sealed class OwnershipPoolsDescending(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override void LockPools(Omit site, long first, long end)
    {
        if (site != Omit.PoolLocksOnOwnership) base.LockPools(site, first, end);
        else for (int k = PoolCount - 1; k >= 0; k--) LockPoolAt(k);
    }

    protected internal override void UnlockPools(Omit site, long first, long end)
    {
        if (site != Omit.PoolLocksOnOwnership) base.UnlockPools(site, first, end);
        else for (int k = 0; k < PoolCount; k++) UnlockPoolAt(k);
    }
}
