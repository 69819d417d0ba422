using TceVerify.Impl.Mm;
using TceVerify.Impl.Vfio;

namespace TceVerify.Impl.Spapr;

/// <summary>
/// The ops table an IOMMU driver registers with the VFIO core (driver.md, STATE-8), shaped like the kernel's
/// <c>vfio_iommu_driver_ops</c>: open and release of the driver's data, the ioctls the core passes through (and
/// CHECK_EXTENSION, asked with no data), attach and detach of a group.
/// </summary>
internal interface IIommuDriverOps
{
    /// <summary>OPEN-1: the driver's data for a container, or an error.</summary>
    int Open(ulong arg, int containerId, out TceContainer? data);

    /// <summary>REL-1.</summary>
    void Release(TceContainer data, in Current cur);

    /// <summary>DRV-1; <paramref name="data"/> is null only for CHECK_EXTENSION (EXT-1).</summary>
    long Ioctl(TceContainer? data, in Current cur, uint cmd, ulong arg);

    /// <summary>ATT-1.</summary>
    int AttachGroup(TceContainer data, VfioGroup group);

    /// <summary>DET-1.</summary>
    void DetachGroup(TceContainer data, VfioGroup group, in Current cur);
}
