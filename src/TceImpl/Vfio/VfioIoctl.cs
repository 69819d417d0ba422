namespace TceVerify.Impl.Vfio;

/// <summary>
/// ABI-3 ioctl numbers as compile-time constants (powerpc <c>_IO(';', 100 + n)</c>: direction 1 at bit 29,
/// type ';' at bit 8), so dispatch is a switch. They equal <see cref="TceVerify.Contract.Ioctls"/>.
/// </summary>
internal static class VfioIoctl
{
    const uint Base = (1u << 29) | ((uint)';' << 8);

    internal const uint GetApiVersion = Base | 100;
    internal const uint CheckExtension = Base | 101;
    internal const uint SetIommu = Base | 102;
    internal const uint GroupGetStatus = Base | 103;
    internal const uint GroupSetContainer = Base | 104;
    internal const uint GroupUnsetContainer = Base | 105;
    internal const uint GroupGetDeviceFd = Base | 106;
    internal const uint SpaprTceGetInfo = Base | 112;
    internal const uint MapDma = Base | 113;
    internal const uint UnmapDma = Base | 114;
    internal const uint Enable = Base | 115;
    internal const uint Disable = Base | 116;
}
