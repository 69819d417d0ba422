using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Vfio;

namespace TceVerify.Impl;

/// <summary>
/// How <see cref="ImplSystem"/> builds its kernel: the steps it omits (none in the pristine machine) and the factory
/// of each component. A variant (TceVerify.Variants) sets <see cref="Omits"/> or replaces one factory with a subclass
/// that overrides a hook of the component's <c>*.Hooks.cs</c> file. The members are internal because the component
/// classes are; TceVerify.Variants and the unit tests see them through InternalsVisibleTo.
/// </summary>
public sealed record KernelParts
{
    /// <summary>The pristine machine.</summary>
    public static KernelParts Default { get; } = new();

    /// <summary>The steps of the spec this machine leaves out.</summary>
    internal Omit Omits { get; init; }

    /// <summary>One group's IOMMU table (Platform/).</summary>
    internal Func<GroupConfig, KernelContext, IommuTable> Table { get; init; } = (g, ctx) => new(g, ctx);

    /// <summary>The SPAPR TCE driver, registered once (Spapr/, STATE-8).</summary>
    internal Func<KernelContext, SpaprTceDriver> Driver { get; init; } = ctx => new(ctx);

    /// <summary>How calls hold their process's exit lock, close and exit (Mm/, LOCK-8).</summary>
    internal Func<TaskList, Omit, CallLifetime> Lifetime { get; init; } = (tasks, omits) => new(tasks, omits);

    /// <summary>The VFIO core over the machine's groups (Vfio/).</summary>
    internal Func<KernelContext, SpaprTceDriver, IReadOnlyList<VfioGroup>, VfioCore> Core { get; init; } =
        (ctx, driver, groups) => new(ctx, driver, groups);
}
