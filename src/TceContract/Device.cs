namespace TceVerify.Contract;

/// <summary>DEV-1: which way a DMA moves bytes. A read needs the TCE's READ bit, a write its WRITE bit (ABI-7).</summary>
public enum DmaDirection
{
    /// <summary>Memory to device.</summary>
    Read,
    /// <summary>Device to memory.</summary>
    Write,
}

/// <summary>DEV-2: one translation a table's cache holds (group id, entry, the TCE value it cached).</summary>
public readonly record struct CachedTranslation(int Group, long Entry, ulong Tce);

/// <summary>INV-12(b): a DMA that went through a container-owned table's translation into a frame that was free,
/// held by the host (a reused frame: only the host reuses, PAGE-3), or into host memory.</summary>
public readonly record struct DmaBreach(int Group, long Entry, ulong Tce, long Pfn, string Why)
{
    public override string ToString() => $"DMA through table {Group} entry 0x{Entry:x} (tce 0x{Tce:x}) reached frame 0x{Pfn:x}, {Why}";
}

/// <summary>The hardware state of DEV-2 and INV-12(b) that STATE-10 does not show.</summary>
public sealed record DeviceState(IReadOnlyList<CachedTranslation> Cached, IReadOnlyList<DmaBreach> Breaches)
{
    public static DeviceState None { get; } = new([], []);
}

/// <summary>PAGE-2: who a frame was last given to. A pid is positive.</summary>
public static class FrameOwner
{
    public const int None = 0;
    public const int Host = -1;

    public static string Describe(int owner) => owner switch
    {
        None => "none",
        Host => "host",
        _ => $"pid {owner}",
    };
}
