using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;

namespace TceVerify.Variants;

/// <summary>The SPAPR TCE driver with the literal 3.10 behaviours selected by <paramref name="literal"/>.</summary>
internal sealed class LiteralDriver(Literal literal, KernelContext ctx) : SpaprTceDriver(ctx)
{
    bool Has(Literal l) => (literal & l) != 0;

    // FIND-2: tce_iommu_ioctl(MAP_DMA) has no enabled check.
    protected internal override int MapEnabledCheck(TceContainer data) =>
        Has(Literal.MapWithoutEnable) ? 0 : base.MapEnabledCheck(data);

    // FIND-1: iommu_tce_put_param_check is given the start IOVA only; nothing checks the end.
    protected internal override int MapEndCheck(IommuTable tbl, ulong iova, ulong npages) =>
        Has(Literal.MapEndUnchecked) ? 0 : base.MapEndCheck(tbl, iova, npages);

    // FIND-3: tce_iommu_disable only returns the charge; the TCEs and their pins stay until release.
    protected internal override void DisableClearWindow(TceContainer data, IommuTable tbl)
    {
        if (!Has(Literal.DisableKeepsMappings)) base.DisableClearWindow(data, tbl);
    }

    // FIND-4, FIND-5: tce_iommu_disable decrements current->mm->locked_vm, and returns early without an mm.
    protected internal override MmStruct? UnchargeTarget(TceContainer data, in Current cur) =>
        Has(Literal.UnchargeCurrent) ? cur.Mm : base.UnchargeTarget(data, cur);

    // FIND-6: npages = (it_size << IOMMU_PAGE_SHIFT) >> PAGE_SHIFT.
    protected internal override long ChargePages(IommuTable tbl) =>
        Has(Literal.ChargeWindowBytes) ? (tbl.ItSize << Abi.IommuPageShift) >> tbl.PageShift : base.ChargePages(tbl);
}
