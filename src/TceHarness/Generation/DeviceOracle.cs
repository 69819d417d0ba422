using TceVerify.Contract;
using TceVerify.Harness.Observation;
using TceVerify.Harness.Programs;

namespace TceVerify.Harness.Generation;

/// <summary>
/// DEV-1 and PAGE-3 written from the clauses, on an observation of the state a call starts in, independent of the
/// model: what a DMA must return (its checks in order, every touched IOMMU page before any byte), and which bytes of
/// user memory a successful DMA write or host reuse may change.
/// </summary>
public static class DeviceOracle
{
    /// <summary>DEV-1's result for <paramref name="d"/> on the state <paramref name="before"/>: 0 (a read then returns
    /// its digest) or the negated errno, and why.</summary>
    public static long Expected(PlatformConfig config, Observed before, DmaCmd d, out string why)
    {
        if (config.FindGroup(d.Group) is not { } g || !before.Tables.TryGetValue(d.Group, out var t))
        { why = $"no group {d.Group}"; return -Errno.ENOENT; }                                           // DEV-1, HOST-1
        if (d.Length < 1 || d.Length > Memory.DmaMaxBytes)
        { why = $"length {d.Length} outside [1, {Memory.DmaMaxBytes}]"; return -Errno.EINVAL; }         // DEV-1
        ulong n = (ulong)d.Length;
        if (d.Iova > ulong.MaxValue - (n - 1)) { why = "iova + len past 2^64"; return -Errno.EFAULT; }   // DEV-1
        ulong need = d.Direction == DmaDirection.Write ? Abi.TcePciWrite : Abi.TcePciRead;
        ulong last = d.Iova + (n - 1);
        for (ulong page = d.Iova >> Abi.IommuPageShift; page <= last >> Abi.IommuPageShift; page++)
        {
            if (page < (ulong)g.ItOffset || page >= (ulong)(g.ItOffset + g.ItSize))
            { why = $"entry 0x{page:x} outside the window"; return -Errno.EFAULT; }
            ulong tce = t.Tces.GetValueOrDefault((long)page);
            if ((tce & need) == 0)
            { why = $"entry 0x{page:x} = 0x{tce:x} gives no {(need == Abi.TcePciWrite ? "WRITE" : "READ")} permission"; return -Errno.EFAULT; }
            ulong phys = tce & Abi.IommuPageMask;
            if (phys >= UserEnd(config) && phys < Memory.HostDmaBase)
            { why = $"entry 0x{page:x} = 0x{tce:x} translates to no memory"; return -Errno.EFAULT; }
        }
        why = "every touched entry translates with permission";
        return 0;
    }

    /// <summary>The user bytes (pfn, offset in the frame) a successful <paramref name="cmd"/> may write: those a DMA
    /// write's translations reach (DEV-1; host memory is not modelled), the first bytes of a reused frame (PAGE-3);
    /// none for any other command.</summary>
    public static HashSet<(long Pfn, long Offset)> Writes(PlatformConfig config, Observed before, Command cmd)
    {
        var set = new HashSet<(long, long)>();
        if (cmd is HostReuseCmd r)
            for (int i = 0; i < Memory.HostReuseBytes; i++) set.Add((r.Pfn, i));
        if (cmd is DmaCmd { Direction: DmaDirection.Write } d && Expected(config, before, d, out _) == 0)
        {
            var t = before.Tables[d.Group];
            for (ulong i = 0; i < (ulong)d.Length; i++)
            {
                ulong addr = d.Iova + i;
                ulong phys = (t.Tces.GetValueOrDefault((long)(addr >> Abi.IommuPageShift)) & Abi.IommuPageMask) + (addr & ~Abi.IommuPageMask);
                if (phys < UserEnd(config)) set.Add(((long)(phys >> config.PageShift), (long)(phys & (config.PageSize - 1))));
            }
        }
        return set;
    }

    static ulong UserEnd(PlatformConfig config) => (ulong)config.PhysicalPages << config.PageShift;
}
