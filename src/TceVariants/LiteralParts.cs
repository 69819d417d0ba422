using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Vfio;

namespace TceVerify.Variants;

/// <summary>Builds the components a set of literal behaviours touches as Literal* subclasses, the rest pristine.</summary>
internal sealed class LiteralParts(Literal literal) : KernelParts
{
    internal override IommuTable CreateTable(GroupConfig group, KernelContext ctx) =>
        (literal & Literal.TableFlags) != 0 ? new LiteralTable(literal, group, ctx) : base.CreateTable(group, ctx);

    internal override SpaprTceDriver CreateDriver(KernelContext ctx) =>
        (literal & Literal.DriverFlags) != 0 ? new LiteralDriver(literal, ctx) : base.CreateDriver(ctx);

    internal override CallLifetime CreateLifetime(TaskList tasks) =>
        (literal & Literal.LifetimeFlags) != 0 ? new LiteralLifetime(literal, tasks) : base.CreateLifetime(tasks);

    internal override VfioCore CreateCore(KernelContext ctx, SpaprTceDriver driver, IReadOnlyList<VfioGroup> groups) =>
        (literal & Literal.CoreFlags) != 0 ? new LiteralCore(literal, ctx, driver, groups) : base.CreateCore(ctx, driver, groups);
}
