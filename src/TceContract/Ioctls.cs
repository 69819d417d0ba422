namespace TceVerify.Contract;

/// <summary>
/// VFIO ioctl numbers as computed by the powerpc _IO(';', 100 + n) macro (ABI-3):
/// direction field _IOC_NONE = 1 at bit 29, type ';' (0x3B) at bit 8, number in the low byte, size 0.
/// </summary>
public static class Ioctls
{
    public const uint VfioType = ';';
    public const int VfioBase = 100;

    /// <summary>powerpc _IO(type, nr).</summary>
    public static uint Io(uint type, int nr) => (1u << 29) | (type << 8) | (uint)(nr & 0xff);

    public static readonly uint GetApiVersion = Io(VfioType, VfioBase + 0);
    public static readonly uint CheckExtension = Io(VfioType, VfioBase + 1);
    public static readonly uint SetIommu = Io(VfioType, VfioBase + 2);
    public static readonly uint GroupGetStatus = Io(VfioType, VfioBase + 3);
    public static readonly uint GroupSetContainer = Io(VfioType, VfioBase + 4);
    public static readonly uint GroupUnsetContainer = Io(VfioType, VfioBase + 5);
    public static readonly uint GroupGetDeviceFd = Io(VfioType, VfioBase + 6);
    public static readonly uint SpaprTceGetInfo = Io(VfioType, VfioBase + 12);
    public static readonly uint MapDma = Io(VfioType, VfioBase + 13);
    public static readonly uint UnmapDma = Io(VfioType, VfioBase + 14);
    public static readonly uint Enable = Io(VfioType, VfioBase + 15);
    public static readonly uint Disable = Io(VfioType, VfioBase + 16);

    /// <summary>All named commands, for generators and the decision table.</summary>
    public static IReadOnlyList<(string Name, uint Cmd)> All { get; } =
    [
        ("GET_API_VERSION", GetApiVersion), ("CHECK_EXTENSION", CheckExtension), ("SET_IOMMU", SetIommu),
        ("GROUP_GET_STATUS", GroupGetStatus), ("GROUP_SET_CONTAINER", GroupSetContainer),
        ("GROUP_UNSET_CONTAINER", GroupUnsetContainer), ("GROUP_GET_DEVICE_FD", GroupGetDeviceFd),
        ("SPAPR_TCE_GET_INFO", SpaprTceGetInfo), ("MAP_DMA", MapDma), ("UNMAP_DMA", UnmapDma),
        ("ENABLE", Enable), ("DISABLE", Disable),
    ];

    public static string Name(uint cmd)
    {
        foreach (var (name, c) in All)
            if (c == cmd) return name;
        return $"0x{cmd:x8}";
    }
}
