using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;

namespace TceVerify.Variants.Catalog;

// The first posted version of the driver (Nov 2012, "[1/2] vfio powerpc: implemented IOMMU driver for VFIO") and the
// four behaviours its review thread objected to, one entry each.

/// <summary>MAP_DMA: <c>param.size += param.iova &amp; ~IOMMU_PAGE_MASK; param.size = _ALIGN_UP(param.size,
/// IOMMU_PAGE_SIZE)</c>, then <c>iova &gt;&gt; IOMMU_PAGE_SHIFT</c> and <c>vaddr &amp; IOMMU_PAGE_MASK</c>: nothing
/// unaligned is ever rejected ("What does it imply to the user if they're always aligned to work here?").</summary>
internal sealed class PatchMapAligns(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int MapAlignCheck(ref ulong vaddr, ref ulong iova, ref ulong size)
    {
        size += iova & ~Abi.IommuPageMask;
        size = (size + ~Abi.IommuPageMask) & Abi.IommuPageMask;
        iova &= Abi.IommuPageMask;
        vaddr &= Abi.IommuPageMask;
        return 0;
    }
}

/// <summary>UNMAP_DMA of the same patch: the same silent alignment, so an unaligned unmap clears whole pages.</summary>
internal sealed class PatchUnmapAligns(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int UnmapRangeCheck(IommuTable tbl, ref ulong iova, ref ulong size)
    {
        size += iova & ~Abi.IommuPageMask;
        size = (size + ~Abi.IommuPageMask) & Abi.IommuPageMask;
        iova &= Abi.IommuPageMask;
        return base.UnmapRangeCheck(tbl, ref iova, ref size);
    }
}

/// <summary>No locked-memory accounting at all: nothing is charged to locked_vm, nothing is limited by RLIMIT_MEMLOCK.</summary>
internal sealed class PatchNoAccounting(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override long ChargePages(IommuTable tbl) => 0;
}
