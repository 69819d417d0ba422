using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Vfio;

namespace TceVerify.Variants.Catalog;

// Missing or wrong checks on the error paths of the ioctls (MAP-5..9, TBL-4, UNMAP-4..7, INFO-1), and two wrong
// error precedences (EN-4/EN-5, CORE-23). Each overrides one check hook with the pristine check less one condition,
// or with one condition changed.

/// <summary>MAP-7 checks size only: an unaligned vaddr maps the page it falls in.</summary>
internal sealed class MapVaddrUnaligned(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int MapAlignCheck(ref ulong vaddr, ref ulong iova, ref ulong size) =>
        (size & ~Abi.IommuPageMask) != 0 ? -Errno.EINVAL : 0;
}

/// <summary>MAP-7 checks vaddr only: an unaligned size is truncated to whole entries.</summary>
internal sealed class MapSizeUnaligned(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int MapAlignCheck(ref ulong vaddr, ref ulong iova, ref ulong size) =>
        (vaddr & ~Abi.IommuPageMask) != 0 ? -Errno.EINVAL : 0;
}

/// <summary>TBL-4 without its iova alignment check: an unaligned iova maps the entry it falls in.</summary>
internal sealed class PutCheckIovaUnaligned(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override int PutParamCheck(ulong ioba, ulong tce) => base.PutParamCheck(ioba & Abi.IommuPageMask, tce);
}

/// <summary>TBL-4 without its permission check: MAP with flags 0 pins pages behind TCEs that are not in use, pins
/// nothing ever puts.</summary>
internal sealed class PutCheckNoPermission(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override int PutParamCheck(ulong ioba, ulong tce) => base.PutParamCheck(ioba, tce | Abi.TcePciRead);
}

/// <summary>TBL-4 without its window-start check: a map below the window reaches the guard band.</summary>
internal sealed class PutCheckBelowWindow(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override int PutParamCheck(ulong ioba, ulong tce)
    {
        if ((tce & Abi.TcePermMask) == 0) return -Errno.EINVAL;
        if ((tce & ~(Abi.IommuPageMask | Abi.TcePermMask)) != 0) return -Errno.EINVAL;
        if ((ioba & ~Abi.IommuPageMask) != 0) return -Errno.EINVAL;
        return (ioba >> Abi.IommuPageShift) + 1 > (ulong)WindowEnd ? -Errno.EINVAL : 0;
    }
}

/// <summary>MAP-9 off by one: a map may end one entry past the window, into the guard band above it.</summary>
internal sealed class MapEndOffByOne(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int MapEndCheck(IommuTable tbl, ulong iova, ulong npages) =>
        (iova >> Abi.IommuPageShift) + npages > (ulong)tbl.WindowEnd + 1 ? -Errno.EINVAL : 0;
}

/// <summary>MAP-9 computed in bytes: <c>iova + size</c> wraps past 2^64 for a huge size, and the map is accepted.</summary>
internal sealed class MapEndWraps(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int MapEndCheck(IommuTable tbl, ulong iova, ulong npages) =>
        iova + (npages << Abi.IommuPageShift) > (ulong)tbl.WindowEnd << Abi.IommuPageShift ? -Errno.EINVAL : 0;
}

/// <summary>UNMAP-6 dropped: an unaligned size is truncated to whole entries.</summary>
internal sealed class UnmapSizeUnaligned(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int UnmapRangeCheck(IommuTable tbl, ref ulong iova, ref ulong size)
    {
        ulong whole = size & Abi.IommuPageMask;
        return base.UnmapRangeCheck(tbl, ref iova, ref whole);
    }
}

/// <summary>UNMAP-7 without its alignment check: an unaligned iova unmaps the entry it falls in.</summary>
internal sealed class UnmapIovaUnaligned(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int UnmapRangeCheck(IommuTable tbl, ref ulong iova, ref ulong size)
    {
        ulong aligned = iova & Abi.IommuPageMask;
        return base.UnmapRangeCheck(tbl, ref aligned, ref size);
    }
}

/// <summary>UNMAP-7 without its window-start check: an unmap below the window clears the host's guard entries.</summary>
internal sealed class UnmapBelowWindow(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int UnmapRangeCheck(IommuTable tbl, ref ulong iova, ref ulong size)
    {
        if ((size & ~Abi.IommuPageMask) != 0 || (iova & ~Abi.IommuPageMask) != 0) return -Errno.EINVAL;
        return (iova >> Abi.IommuPageShift) + (size >> Abi.IommuPageShift) > (ulong)tbl.WindowEnd ? -Errno.EINVAL : 0;
    }
}

/// <summary>UNMAP-7 without its window-end check: an unmap may run past the window.</summary>
internal sealed class UnmapPastWindow(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int UnmapRangeCheck(IommuTable tbl, ref ulong iova, ref ulong size)
    {
        if ((size & ~Abi.IommuPageMask) != 0 || (iova & ~Abi.IommuPageMask) != 0) return -Errno.EINVAL;
        return (iova >> Abi.IommuPageShift) < (ulong)tbl.ItOffset ? -Errno.EINVAL : 0;
    }
}

/// <summary>UNMAP-7 off by one: an unmap may end one entry past the window.</summary>
internal sealed class UnmapEndOffByOne(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int UnmapRangeCheck(IommuTable tbl, ref ulong iova, ref ulong size)
    {
        ulong shorter = size >= Abi.IommuPageSize ? size - Abi.IommuPageSize : size;
        return base.UnmapRangeCheck(tbl, ref iova, ref shorter);
    }
}

/// <summary>UNMAP-7 computed in bytes: <c>iova + size</c> wraps past 2^64 for a huge size, and the unmap clears
/// everything from iova to the end of the table.</summary>
internal sealed class UnmapEndWraps(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int UnmapRangeCheck(IommuTable tbl, ref ulong iova, ref ulong size)
    {
        if ((size & ~Abi.IommuPageMask) != 0 || (iova & ~Abi.IommuPageMask) != 0) return -Errno.EINVAL;
        if ((iova >> Abi.IommuPageShift) < (ulong)tbl.ItOffset) return -Errno.EINVAL;
        return iova + size > (ulong)tbl.WindowEnd << Abi.IommuPageShift ? -Errno.EINVAL : 0;
    }
}

/// <summary>CHECK_EXTENSION (EXT-1) also claims VFIO_TYPE1_IOMMU: the core then picks this driver for SET_IOMMU(1),
/// whose open fails with -EINVAL instead of the core's -ENODEV (CORE-4).</summary>
internal sealed class CheckExtensionAcceptsType1(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override long CheckExtension(ulong arg) => arg == Abi.Type1Iommu ? 1 : base.CheckExtension(arg);
}

/// <summary>Wrong precedence in ENABLE: the RLIMIT_MEMLOCK check (EN-5, -ENOMEM) before the enabled check (EN-4,
/// -EBUSY), so enabling an enabled container near its limit says -ENOMEM.</summary>
internal sealed class EnableLimitBeforeBusy(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override long Enable(TceContainer data, in Current cur)
    {
        Ctx.Lock(data.Mutex, Omit.MutexOnEnable);
        int ret = 0;
        data.TblCell.Read();
        if (data.Tbl is { } tbl && cur.Mm is { } mm)
        {
            long limit = (long)(mm.RlimitMemlock >> tbl.PageShift);
            if (mm.LockedVm + ChargePages(tbl) > limit && !mm.CapIpcLock) ret = -Errno.ENOMEM;
        }
        if (ret == 0) ret = EnableLocked(data, cur);
        Ctx.Unlock(data.Mutex, Omit.MutexOnEnable);
        return ret;
    }
}

/// <summary>Wrong precedence in SET_CONTAINER: the fd lookup (-EBADF) before the container_users check (-EINVAL),
/// so a group that already has a container, given a bad fd, says -EBADF.</summary>
internal sealed class SetContainerFdFirst(KernelContext ctx, IIommuDriverOps driver, IReadOnlyList<VfioGroup> groups)
    : VfioCore(ctx, driver, groups)
{
    protected internal override int SetContainerUsersCheck(VfioGroup group, in Current cur, int fd) =>
        cur.Task.Files.Lookup(fd) is null ? -Errno.EBADF : base.SetContainerUsersCheck(group, cur, fd);
}
