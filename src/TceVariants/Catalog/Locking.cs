using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Vfio;

namespace TceVerify.Variants.Catalog;

// The locking protocol (spec/locking.md), broken one lock or one ordering at a time. Sequential runs cannot tell any
// of these from the pristine implementation; only the concurrency suite can.

/// <summary>ENABLE without the container mutex (LOCK-3).</summary>
internal sealed class NoMutexOnEnable(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override void LockMutex(TceContainer data, DriverOp op)
    {
        if (op != DriverOp.Enable) base.LockMutex(data, op);
    }

    protected internal override void UnlockMutex(TceContainer data, DriverOp op)
    {
        if (op != DriverOp.Enable) base.UnlockMutex(data, op);
    }
}

/// <summary>attach_group without the container mutex (ATT-1, LOCK-3).</summary>
internal sealed class NoMutexOnAttach(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override void LockMutex(TceContainer data, DriverOp op)
    {
        if (op != DriverOp.Attach) base.LockMutex(data, op);
    }

    protected internal override void UnlockMutex(TceContainer data, DriverOp op)
    {
        if (op != DriverOp.Attach) base.UnlockMutex(data, op);
    }
}

/// <summary>MAP_DMA without the container mutex (MAP-1, the 3.10 code's own locking).</summary>
internal sealed class NoMutexOnMap(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override void LockMutex(TceContainer data, DriverOp op)
    {
        if (op != DriverOp.Map) base.LockMutex(data, op);
    }

    protected internal override void UnlockMutex(TceContainer data, DriverOp op)
    {
        if (op != DriverOp.Map) base.UnlockMutex(data, op);
    }
}

/// <summary>The charge of EN-5 without the mm's mmap_sem (LOCK-5).</summary>
internal sealed class NoMmapSemOnCharge(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override void LockMm(MmStruct mm, DriverOp op)
    {
        if (op != DriverOp.Enable) base.LockMm(mm, op);
    }

    protected internal override void UnlockMm(MmStruct mm, DriverOp op)
    {
        if (op != DriverOp.Enable) base.UnlockMm(mm, op);
    }
}

/// <summary>The return of the charge (DIS-2) without the payer's mmap_sem (LOCK-5).</summary>
internal sealed class NoMmapSemOnUncharge(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override void LockMm(MmStruct mm, DriverOp op)
    {
        if (op != DriverOp.Disable) base.LockMm(mm, op);
    }

    protected internal override void UnlockMm(MmStruct mm, DriverOp op)
    {
        if (op != DriverOp.Disable) base.UnlockMm(mm, op);
    }
}

/// <summary>Check-then-act on <c>enabled</c> in ENABLE: EN-4 is checked before the mutex is taken, the charge made
/// after, so two ENABLEs can both pass the check.</summary>
internal sealed class EnableCheckThenAct(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override long Enable(TceContainer data, in Current cur)
    {
        data.StateCell.Read();
        if (data.Enabled) return -Errno.EBUSY;                // EN-4, with no lock
        LockMutex(data, DriverOp.Enable);
        int ret = EnableLocked(data, cur);
        UnlockMutex(data, DriverOp.Enable);
        return ret;
    }

    protected internal override int EnableBusyCheck(TceContainer data, IommuTable tbl, MmStruct mm) => 0; // checked above
}

/// <summary>Check-then-act on <c>enabled</c> in MAP_DMA: MAP-3 is checked before the mutex is taken, the map made after,
/// so a DISABLE in between leaves a disabled container with pinned pages.</summary>
internal sealed class MapCheckThenAct(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override long MapDma(TceContainer data, in Current cur, ulong arg)
    {
        data.StateCell.Read();
        if (!data.Enabled) return -Errno.EPERM;               // MAP-3, with no lock
        LockMutex(data, DriverOp.Map);
        int ret = MapDmaLocked(data, cur, arg);
        UnlockMutex(data, DriverOp.Map);
        return ret;
    }

    protected internal override int MapEnabledCheck(TceContainer data) => 0; // checked above
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

/// <summary>The core's passthrough ioctls (CORE-6) without group_lock: the driver runs while SET_IOMMU, unset or the
/// container's release change the container under it.</summary>
internal sealed class NoGroupLockOnPassthrough(KernelContext ctx, SpaprTceDriver driver, IReadOnlyList<VfioGroup> groups)
    : VfioCore(ctx, driver, groups)
{
    protected internal override void GroupLockRead(VfioContainer container, CoreOp op)
    {
        if (op != CoreOp.Passthrough) base.GroupLockRead(container, op);
    }

    protected internal override void GroupUnlockRead(VfioContainer container, CoreOp op)
    {
        if (op != CoreOp.Passthrough) base.GroupUnlockRead(container, op);
    }
}

/// <summary>SET_CONTAINER (CORE-23) without the container's group_lock: two groups joining one container race on its list.</summary>
internal sealed class NoGroupLockOnSetContainer(KernelContext ctx, SpaprTceDriver driver, IReadOnlyList<VfioGroup> groups)
    : VfioCore(ctx, driver, groups)
{
    protected internal override void GroupLockWrite(VfioContainer container, CoreOp op)
    {
        if (op != CoreOp.SetContainer) base.GroupLockWrite(container, op);
    }

    protected internal override void GroupUnlockWrite(VfioContainer container, CoreOp op)
    {
        if (op != CoreOp.SetContainer) base.GroupUnlockWrite(container, op);
    }
}

/// <summary>UNSET_CONTAINER (CORE-25) without the container's group_lock: the detach runs under a passthrough ioctl.</summary>
internal sealed class NoGroupLockOnUnsetContainer(KernelContext ctx, SpaprTceDriver driver, IReadOnlyList<VfioGroup> groups)
    : VfioCore(ctx, driver, groups)
{
    protected internal override void GroupLockWrite(VfioContainer container, CoreOp op)
    {
        if (op != CoreOp.UnsetContainer) base.GroupLockWrite(container, op);
    }

    protected internal override void GroupUnlockWrite(VfioContainer container, CoreOp op)
    {
        if (op != CoreOp.UnsetContainer) base.GroupUnlockWrite(container, op);
    }
}

/// <summary>The passthrough ioctls read the container's driver data under group_lock and use it after dropping it:
/// the driver data may have been released (REL-1) by then.</summary>
internal sealed class PassthroughUsesDataOutsideLock(KernelContext ctx, SpaprTceDriver driver, IReadOnlyList<VfioGroup> groups)
    : VfioCore(ctx, driver, groups)
{
    protected internal override long Passthrough(VfioContainer container, in Current cur, uint cmd, ulong arg)
    {
        GroupLockRead(container, CoreOp.Passthrough);
        container.Cell.Read();
        var d = container.Driver;
        var data = container.Data;
        GroupUnlockRead(container, CoreOp.Passthrough);       // dropped before the last use
        return d is not null && data is not null ? d.Ioctl(data, cur, cmd, arg) : -Errno.EINVAL;
    }
}

/// <summary>TBL-5 builds without the entry's pool lock (LOCK-4).</summary>
internal sealed class NoPoolLockOnBuild(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override void BuildLockPool(int k) { }

    protected internal override void BuildUnlockPool(int k) { }
}

/// <summary>The host DMA allocator (HOST-4) takes no pool lock, so it races a take-over the way FIND-9 does from the
/// other side.</summary>
internal sealed class HostAllocWithoutPoolLocks(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override void HostAllocLockPools() { }

    protected internal override void HostAllocUnlockPools() { }
}

/// <summary>Take-over and release take the pool locks in descending order, against the allocator's ascending order
/// (LOCK-2): the two deadlock.</summary>
internal sealed class OwnershipPoolsDescending(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override void OwnershipLockPools()
    {
        for (int k = PoolCount - 1; k >= 0; k--) LockPoolAt(k);
    }

    protected internal override void OwnershipUnlockPools()
    {
        for (int k = 0; k < PoolCount; k++) UnlockPoolAt(k);
    }
}
