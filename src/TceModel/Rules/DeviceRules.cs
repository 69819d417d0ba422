using TceVerify.Contract;

namespace TceVerify.Model.Rules;

/// <summary>The device (DEV): what every DMA must do. The model translates through the table itself (DEV-2: it has
/// no cache), so a DMA sees exactly the TCEs of the instant it runs.</summary>
public static class DeviceRules
{
    /// <summary>
    /// DEV-1 dma(g, iova, dir, data): checks every IOMMU page of the range before it touches one; a read fills
    /// <paramref name="data"/>, a write copies it to memory. Host memory reads as zeros and absorbs writes.
    /// </summary>
    public static Step Dma(World w, int g, ulong iova, DmaDirection dir, Span<byte> data)
    {
        if (!w.Tables.TryGetValue(g, out var t)) return Step.Fail(w, Errno.ENOENT);          // DEV-1, HOST-1
        if (data.Length < 1 || data.Length > Memory.DmaMaxBytes) return Step.Fail(w, Errno.EINVAL); // DEV-1: length
        if (UserMemory.Wraps(iova, (ulong)data.Length)) return Step.Fail(w, Errno.EFAULT);  // DEV-1: past 2^64
        ulong need = dir == DmaDirection.Write ? Abi.TcePciWrite : Abi.TcePciRead;
        ulong last = iova + (ulong)data.Length - 1;
        for (ulong page = iova >> Abi.IommuPageShift; page <= last >> Abi.IommuPageShift; page++)
            if (Translate(w, t, page, need) is null) return Step.Fail(w, Errno.EFAULT);        // DEV-1: a fault, nothing touched

        var bytes = dir == DmaDirection.Write ? w.Bytes.ToBuilder() : null;
        for (int i = 0; i < data.Length; i++)
        {
            ulong addr = iova + (ulong)i;
            ulong phys = Translate(w, t, addr >> Abi.IommuPageShift, need)!.Value + (addr & ~Abi.IommuPageMask);
            bool user = IsUserByte(w, phys);
            if (bytes is null) data[i] = user ? UserMemory.ReadPhysical(w, (long)phys) : (byte)0; // DEV-1: host memory reads 0
            else if (user) UserMemory.WritePhysical(bytes, (long)phys, data[i]);                  // DEV-1: bytes only, no dirty bit
        }
        return Step.Ok(bytes is null ? w : w with { Bytes = bytes.ToImmutable() });
    }

    /// <summary>DEV-1: the base address an IOMMU page translates to, or null when the access faults (outside the
    /// window, no permission for it, or an address that is neither a user frame nor host memory).</summary>
    static ulong? Translate(World w, Table t, ulong page, ulong need)
    {
        if (page < (ulong)t.ItOffset || page >= (ulong)t.WindowEnd) return null;            // DEV-1: outside the window
        ulong tce = t.Tce((long)page);                                                     // DEV-2: the TCE of this instant
        if ((tce & need) == 0) return null;                                                // DEV-1: no permission
        ulong phys = tce & Abi.IommuPageMask;
        if (!IsUserByte(w, phys) && phys < Memory.HostDmaBase) return null;                // DEV-1: no such memory
        return phys;
    }

    static bool IsUserByte(World w, ulong phys) => phys < (ulong)w.Config.PhysicalPages << w.Config.PageShift;
}
