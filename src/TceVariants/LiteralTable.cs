using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Platform;

namespace TceVerify.Variants;

/// <summary>The IOMMU table helpers with the literal 3.10 behaviours selected by <paramref name="literal"/>.</summary>
internal sealed class LiteralTable(Literal literal, GroupConfig group, KernelContext ctx) : IommuTable(group, ctx)
{
    bool Has(Literal l) => (literal & l) != 0;

    // FIND-9: iommu_take_ownership / iommu_release_ownership take no pool lock.
    protected internal override void OwnershipLockPools()
    {
        if (!Has(Literal.OwnershipWithoutPoolLocks)) base.OwnershipLockPools();
    }

    protected internal override void OwnershipUnlockPools()
    {
        if (!Has(Literal.OwnershipWithoutPoolLocks)) base.OwnershipUnlockPools();
    }

    // FIND-7: the -EBUSY return leaves bit 0 cleared.
    protected internal override void TakeOwnershipRestoreBit0()
    {
        if (!Has(Literal.TakeOwnershipDropsBit0)) base.TakeOwnershipRestoreBit0();
    }

    // FIND-8: the window is cleared with iommu_clear_tces_and_put_pages, a put for every leftover.
    protected internal override void TakeOwnershipClearWindow()
    {
        if (Has(Literal.TakeOwnershipPutsStale)) ClearWindowLocked(put: true);
        else base.TakeOwnershipClearWindow();
    }

    // FIND-10: neither take-over nor release calls iommu_flush_tce.
    protected internal override void OwnershipFlush()
    {
        if (!Has(Literal.OwnershipWithoutFlush)) base.OwnershipFlush();
    }
}
