using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Vfio;

namespace TceVerify.Impl;

/// <summary>
/// The factory through which <see cref="ImplSystem"/> builds its kernel components. The production parts build
/// the pristine classes; a variant (TceVerify.Variants) derives from it and returns subclasses that override
/// one <c>protected internal virtual</c> hook each. The factory methods are internal because the component
/// classes are; TceVerify.Variants and the unit tests see them through InternalsVisibleTo.
/// </summary>
public class KernelParts
{
    /// <summary>The pristine machine.</summary>
    public static KernelParts Default { get; } = new();

    /// <summary>One group's IOMMU table (Platform/).</summary>
    internal virtual IommuTable CreateTable(GroupConfig group, KernelContext ctx) => new(group, ctx);

    /// <summary>The SPAPR TCE driver, registered once (Spapr/, STATE-8).</summary>
    internal virtual SpaprTceDriver CreateDriver(KernelContext ctx) => new(ctx);

    /// <summary>How calls hold their process's exit lock, close and exit (Mm/, LOCK-8).</summary>
    internal virtual CallLifetime CreateLifetime(TaskList tasks) => new(tasks);

    /// <summary>The VFIO core over the machine's groups (Vfio/).</summary>
    internal virtual VfioCore CreateCore(KernelContext ctx, SpaprTceDriver driver, IReadOnlyList<VfioGroup> groups) =>
        new(ctx, driver, groups);
}
