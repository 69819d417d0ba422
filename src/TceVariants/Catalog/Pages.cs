using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Vfio;

namespace TceVerify.Variants.Catalog;

// What a map, an unmap or a disable does to pages, the table and the charge: rollback (MAP-11), flushes (MAP-12,
// UNMAP-9), puts and dirty bits (TBL-6, TBL-7), locked_vm (EN-5, DIS-2), detach (DET-1), and the container-user
// reference of a device (CORE-27).

/// <summary>MAP-11 one short: the last entry built before the failure stays.</summary>
internal sealed class MapRollbackOneShort(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override void MapUnwind(IommuTable tbl, long first, long built) => tbl.ClearAndPut(first, built - 1, Omit.FlushBeforePutOnRollback, Omit.MapFlush);
}

/// <summary>MAP-11 one too many: the unwind also clears the entry that failed, which for -EBUSY is someone's mapping.</summary>
internal sealed class MapRollbackOneMore(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override void MapUnwind(IommuTable tbl, long first, long built) => tbl.ClearAndPut(first, built + 1, Omit.FlushBeforePutOnRollback, Omit.MapFlush);
}

/// <summary>TBL-7 puts each cleared page twice: its count underflows, the page can be freed while mapped elsewhere.</summary>
internal sealed class ClearDoublePut(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override void PutTcePage(ulong old)
    {
        base.PutTcePage(old);
        Frames.Put((long)((old & Abi.IommuPageMask) >> PageShift));
    }
}

/// <summary>TBL-7 without its put: every cleared entry leaks its pin.</summary>
internal sealed class ClearMissingPut(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override void PutTcePage(ulong old)
    {
        if ((old & Abi.TcePciWrite) != 0) Frames.SetDirty((long)((old & Abi.IommuPageMask) >> PageShift));
    }
}

/// <summary>TBL-7 without the dirty bit: what the device wrote into a page may be lost when it is reclaimed.</summary>
internal sealed class ClearNoDirty(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override void PutTcePage(ulong old) => Frames.Put((long)((old & Abi.IommuPageMask) >> PageShift));
}

/// <summary>TBL-7 dirties every cleared page, also those the device could only read.</summary>
internal sealed class ClearDirtiesReadOnly(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override void PutTcePage(ulong old) => base.PutTcePage(old | Abi.TcePciWrite);
}

/// <summary>EN-5 charges the window twice.</summary>
internal sealed class EnableChargesTwice(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override void AddLockedVm(MmStruct mm, long delta) => base.AddLockedVm(mm, delta > 0 ? 2 * delta : delta);
}

/// <summary>EN-5 charges nothing (but DIS-2 still returns the charge).</summary>
internal sealed class EnableNoCharge(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override void AddLockedVm(MmStruct mm, long delta)
    {
        if (delta <= 0) base.AddLockedVm(mm, delta);
    }
}

/// <summary>DIS-2 returns the charge twice.</summary>
internal sealed class DisableUnchargesTwice(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override void AddLockedVm(MmStruct mm, long delta) => base.AddLockedVm(mm, delta < 0 ? 2 * delta : delta);
}

/// <summary>DET-1 forgets the table of an enabled container without disabling it: the container stays enabled with
/// no table, and its charge is never returned.</summary>
internal sealed class DetachSkipsDisable(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override void DetachLocked(TceContainer data, IommuTable tbl, in Current cur)
    {
        data.TblCell.Read();
        if (data.Tbl != tbl) return;
        data.TblCell.Write();
        data.Tbl = null;
        tbl.ReleaseOwnership();
    }
}

/// <summary>CORE-27 takes a second container-user reference on success: the device file's release gives back one, so
/// the group's count never returns to 0 and the group is never dissolved (INV-7).</summary>
internal sealed class DeviceFdTakesTwoUsers(KernelContext ctx, IIommuDriverOps driver, IReadOnlyList<VfioGroup> groups)
    : VfioCore(ctx, driver, groups)
{
    protected internal override long GetDeviceFdReferenced(VfioGroup group, in Current cur, ReadOnlySpan<byte> name)
    {
        long fd = base.GetDeviceFdReferenced(group, cur, name);
        if (fd >= 0) group.ContainerUsers.Add(1);
        return fd;
    }
}
