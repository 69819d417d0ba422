using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Vfio;

namespace TceVerify.Variants;

/// <summary>Kernel parts that omit steps (<see cref="Omit"/>) or replace one component by a catalog subclass, the rest pristine.</summary>
internal static class Parts
{
    internal static Func<KernelParts> Omitting(Omit steps) => () => new KernelParts { Omits = steps };

    internal static Func<KernelParts> Table(Func<GroupConfig, KernelContext, IommuTable> make) => () => new KernelParts { Table = make };

    internal static Func<KernelParts> Driver(Func<KernelContext, SpaprTceDriver> make, Omit omits = Omit.None) =>
        () => new KernelParts { Driver = make, Omits = omits };

    internal static Func<KernelParts> Core(Func<KernelContext, IIommuDriverOps, IReadOnlyList<VfioGroup>, VfioCore> make) =>
        () => new KernelParts { Core = make };
}
