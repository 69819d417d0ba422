using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;

namespace TceVerify.Impl.Spapr;

/// <summary>
/// The driver's catalog hooks: a computation a catalog entry (src/TceVariants, docs/catalog.md) changes rather than
/// omits. Each is called from one place in SpaprTceDriver.cs, in spec order, and holds the production rule.
/// </summary>
internal partial class SpaprTceDriver
{
    /// <summary>EXT-1 check_extension: the IOMMU types supported.</summary>
    protected internal virtual long CheckExtension(ulong arg) => arg == Abi.SpaprTceIommu ? 1 : 0;

    /// <summary>INFO-1, ABI-8: the write-back is exactly the minsz bytes of the struct, argsz as it was read.</summary>
    protected internal virtual int InfoWriteBack(in Current cur, ulong arg, ReadOnlySpan<byte> info, uint argsz) =>
        UserAccess.CopyToUser(cur, arg, info);

    /// <summary>MAP-7: size and vaddr 4 KiB aligned (iova: TBL-4). By reference so that a deviation can adjust them
    /// instead of rejecting them.</summary>
    protected internal virtual int MapAlignCheck(ref ulong vaddr, ref ulong iova, ref ulong size) =>
        (size & ~Abi.IommuPageMask) != 0 || (vaddr & ~Abi.IommuPageMask) != 0 ? -Errno.EINVAL : 0;

    /// <summary>MAP-9 (adopted, FIND-1): the last entry must lie in the window; both terms are below 2^52.</summary>
    // Stryker disable once Bitwise
    protected internal virtual int MapEndCheck(IommuTable tbl, ulong iova, ulong npages) =>
        (iova >> Abi.IommuPageShift) + npages > (ulong)tbl.WindowEnd ? -Errno.EINVAL : 0; // MAP-9

    /// <summary>MAP-11: undo exactly the <paramref name="built"/> entries from <paramref name="first"/> (TBL-7).</summary>
    protected internal virtual void MapUnwind(IommuTable tbl, long first, long built) => tbl.ClearAndPut(first, built, Omit.FlushBeforePutOnRollback, Omit.MapFlush);

    /// <summary>UNMAP-6, UNMAP-7: size and iova aligned, the range inside the window (without overflow: both terms
    /// are below 2^52). By reference so that a deviation can adjust them instead.</summary>
    protected internal virtual int UnmapRangeCheck(IommuTable tbl, ref ulong iova, ref ulong size)
    {
        if ((size & ~Abi.IommuPageMask) != 0) return -Errno.EINVAL;                    // UNMAP-6
        if ((iova & ~Abi.IommuPageMask) != 0) return -Errno.EINVAL;                    // UNMAP-7: unaligned
        // Stryker disable once Bitwise
        ulong entry = iova >> Abi.IommuPageShift;
        if (entry < (ulong)tbl.ItOffset) return -Errno.EINVAL;                          // UNMAP-7: below
        // Stryker disable once Bitwise
        if (entry + (size >> Abi.IommuPageShift) > (ulong)tbl.WindowEnd) return -Errno.EINVAL; // UNMAP-7: past the end
        return 0;
    }

    /// <summary>npages(tbl) of EN-5 and DIS-2 (adopted, FIND-6): it_size system pages, one per entry.</summary>
    protected internal virtual long ChargePages(IommuTable tbl) => tbl.ItSize;

    /// <summary>EN-5: RLIMIT_MEMLOCK in whole system pages (rounded down).</summary>
    // Stryker disable once Bitwise
    protected internal virtual long ChargeLimitPages(MmStruct mm) => (long)(mm.RlimitMemlock >> Ctx.PageShift);

    /// <summary>The update of locked_vm, mmap_sem held for writing: + npages by EN-5, - npages by DIS-2.</summary>
    protected internal virtual void AddLockedVm(MmStruct mm, long delta) => mm.LockedVm += delta;
}
