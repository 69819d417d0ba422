using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Vfio;

namespace TceVerify.Variants;

/// <summary>Kernel parts with one component replaced by a catalog subclass, the rest pristine.</summary>
internal sealed class Parts(
    Func<GroupConfig, KernelContext, IommuTable>? table = null,
    Func<KernelContext, SpaprTceDriver>? driver = null,
    Func<KernelContext, SpaprTceDriver, IReadOnlyList<VfioGroup>, VfioCore>? core = null) : KernelParts
{
    internal static Func<KernelParts> Table(Func<GroupConfig, KernelContext, IommuTable> make) => () => new Parts(table: make);

    internal static Func<KernelParts> Driver(Func<KernelContext, SpaprTceDriver> make) => () => new Parts(driver: make);

    internal static Func<KernelParts> Core(Func<KernelContext, SpaprTceDriver, IReadOnlyList<VfioGroup>, VfioCore> make) => () => new Parts(core: make);

    internal override IommuTable CreateTable(GroupConfig group, KernelContext ctx) => table?.Invoke(group, ctx) ?? base.CreateTable(group, ctx);

    internal override SpaprTceDriver CreateDriver(KernelContext ctx) => driver?.Invoke(ctx) ?? base.CreateDriver(ctx);

    internal override VfioCore CreateCore(KernelContext ctx, SpaprTceDriver d, IReadOnlyList<VfioGroup> groups) =>
        core?.Invoke(ctx, d, groups) ?? base.CreateCore(ctx, d, groups);
}
