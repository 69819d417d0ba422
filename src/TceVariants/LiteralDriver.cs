using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;

namespace TceVerify.Variants;

/// <summary>The SPAPR TCE driver with FIND-6's literal charge; the other literal behaviours of the driver omit a step
/// (<see cref="LiteralParts"/>).</summary>
internal sealed class LiteralDriver(KernelContext ctx) : SpaprTceDriver(ctx)
{
    // FIND-6: npages = (it_size << IOMMU_PAGE_SHIFT) >> PAGE_SHIFT.
    protected internal override long ChargePages(IommuTable tbl) => (tbl.ItSize << Abi.IommuPageShift) >> tbl.PageShift;
}
