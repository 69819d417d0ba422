using System.Buffers.Binary;
using TceVerify.Contract;

namespace TceVerify.Model.Rules;

/// <summary>
/// The SPAPR TCE driver (OPEN, REL, ATT, DET, EXT, INFO, MAP, UNMAP, EN, DIS, DRV). Callbacks take the container id
/// (the table owner of TBL-9) and the driver data, and return the data as it is afterwards; the core decides where
/// the data lives (CORE-4 keeps it aside until SET_IOMMU succeeds). The container mutex of LOCK-1/LOCK-3 is held by
/// the clauses that say so; the model is sequential.
/// </summary>
public static class DriverRules
{
    /// <summary>npages(tbl): the window's charge, it_size system pages (adopted, FIND-6).</summary>
    public static long NPages(Table t) => t.ItSize;

    /// <summary>OPEN-1 open(arg): arg != 2 -> -EINVAL; else fresh data.</summary>
    public static DriverData? Open(ulong arg, out long result)
    {
        if (arg != Abi.SpaprTceIommu)
        {
            result = -Errno.EINVAL;                                                        // OPEN-1: wrong IOMMU type
            return null;
        }
        result = 0;
        return new DriverData(Tbl: null, Enabled: false, Payer: null);                     // OPEN-1
    }

    /// <summary>REL-1 release(data), holding the container mutex: disable (DIS-2), then detach tbl's group if
    /// still set (DET-1). The data is freed.</summary>
    public static World Release(World w, int containerId, DriverData d)
    {
        (w, d) = DisableData(w, d);                                                        // REL-1 -> DIS-2
        if (d.Tbl is int g)
            (w, _) = Detach(w, containerId, d, g);                                         // REL-1 -> DET-1
        return w;                                                                          // REL-1: data freed
    }

    /// <summary>ATT-1 attach_group(data, g), holding the container mutex.</summary>
    public static DriverStep Attach(World w, int containerId, DriverData d, int g)
    {
        if (d.Tbl is not null) return new DriverStep(w, d, -Errno.EBUSY);                  // ATT-1: one group per container
        if (d.Enabled) return new DriverStep(w, d, -Errno.EBUSY);                          // ATT-1: enabled
        var taken = TableRules.TakeOwnership(w, g, containerId);                           // ATT-1 -> TBL-9
        if (taken.Failed) return new DriverStep(w, d, taken.Result);                       // ATT-1: TBL-9's -EBUSY
        return new DriverStep(taken.World, d with { Tbl = g }, 0);                         // ATT-1: tbl = g's table
    }

    /// <summary>DET-1 detach_group(data, g), holding the container mutex.</summary>
    public static (World World, DriverData Data) Detach(World w, int containerId, DriverData d, int g)
    {
        if (d.Tbl != g) return (w, d);                                                     // DET-1: not tbl, nothing happens
        if (d.Enabled) (w, d) = DisableData(w, d);                                         // DET-1: enabled -> DIS-2
        d = d with { Tbl = null };                                                         // DET-1: tbl = none
        return (TableRules.ReleaseOwnership(w, g), d);                                     // DET-1 -> TBL-10
    }

    /// <summary>EXT-1 CHECK_EXTENSION: 1 if arg == 2, else 0; touches no data.</summary>
    public static long CheckExtension(ulong arg) => arg == Abi.SpaprTceIommu ? 1 : 0;     // EXT-1

    /// <summary>DRV-1 the driver's ioctl dispatch.</summary>
    public static DriverStep Ioctl(World w, Caller c, DriverData d, Command cmd, ulong arg)
    {
        switch (cmd)
        {
            case Command.CheckExtension:                                                   // DRV-1 -> EXT-1
                return new DriverStep(w, d, CheckExtension(arg));
            case Command.SpaprTceGetInfo:                                                  // DRV-1 -> INFO-1
            {
                var s = GetInfo(w, c, d, arg);
                return new DriverStep(s.World, d, s.Result);
            }
            case Command.MapDma:                                                           // DRV-1 -> MAP-1
            {
                var s = MapDma(w, c, d, arg);
                return new DriverStep(s.World, d, s.Result);
            }
            case Command.UnmapDma:                                                         // DRV-1 -> UNMAP-1
            {
                var s = UnmapDma(w, c, d, arg);
                return new DriverStep(s.World, d, s.Result);
            }
            case Command.Enable:                                                           // DRV-1 -> EN-1
                return Enable(w, c, d);
            case Command.Disable:                                                          // DRV-1 -> DIS-1
                return Disable(w, d);
            default:
                return new DriverStep(w, d, -Errno.ENOTTY);                                // DRV-1: any other command
        }
    }

    /// <summary>INFO-1 SPAPR_TCE_GET_INFO (no driver lock).</summary>
    public static Step GetInfo(World w, Caller c, DriverData d, ulong arg)
    {
        if (d.Tbl is not int g) return Step.Fail(w, Errno.ENXIO);                         // INFO-1: tbl none
        var raw = UserMemory.CopyFromUser(w, c, arg, Abi.TceInfoMinsz);
        if (raw is null) return Step.Fail(w, Errno.EFAULT);                                // INFO-1 (ABI-8, ABI-5)
        uint argsz = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(0));
        if (argsz < Abi.TceInfoMinsz) return Step.Fail(w, Errno.EINVAL);                  // INFO-1 (ABI-8): argsz < 16
        var t = w.Tables[g];
        // ABI-7: tce_info {u32 argsz; u32 flags; u32 dma32_window_start; u32 dma32_window_size}, start and size in
        // bytes, the start an absolute bus address.
        var info = new byte[Abi.TceInfoMinsz];
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(0), argsz);                   // INFO-1: argsz as read
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(4), 0);                       // INFO-1: flags = 0
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(8),
            unchecked((uint)(t.ItOffset << Abi.IommuPageShift)));                          // INFO-1: it_offset << 12
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(12),
            unchecked((uint)(t.ItSize << Abi.IommuPageShift)));                            // INFO-1: it_size << 12
        return UserMemory.CopyToUser(w, c, arg, info);                                     // INFO-1 (ABI-6): 0 or -EFAULT
    }

    /// <summary>MAP-1 .. MAP-13 MAP_DMA, holding the container mutex for the whole operation (adopted, LOCK-3).</summary>
    public static Step MapDma(World w, Caller c, DriverData d, ulong arg)
    {
        if (d.Tbl is not int g) return Step.Fail(w, Errno.ENXIO);                         // MAP-2: tbl none
        if (!d.Enabled) return Step.Fail(w, Errno.EPERM);                                  // MAP-3 (FIND-2): not enabled
        var raw = UserMemory.CopyFromUser(w, c, arg, Abi.DmaMapMinsz);
        if (raw is null) return Step.Fail(w, Errno.EFAULT);                                // MAP-4 (ABI-5)
        // ABI-7: dma_map {u32 argsz; u32 flags; u64 vaddr; u64 iova; u64 size}, little-endian.
        uint argsz = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(0));
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(4));
        ulong vaddr = BinaryPrimitives.ReadUInt64LittleEndian(raw.AsSpan(8));
        ulong iova = BinaryPrimitives.ReadUInt64LittleEndian(raw.AsSpan(16));
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(raw.AsSpan(24));
        if (argsz < Abi.DmaMapMinsz) return Step.Fail(w, Errno.EINVAL);                   // MAP-5 (ABI-8)
        if ((flags & ~(Abi.MapFlagRead | Abi.MapFlagWrite)) != 0)
            return Step.Fail(w, Errno.EINVAL);                                             // MAP-6: unknown flag
        if ((size & ~Abi.IommuPageMask) != 0 || (vaddr & ~Abi.IommuPageMask) != 0)
            return Step.Fail(w, Errno.EINVAL);                                             // MAP-7: size or vaddr unaligned
        ulong tce = vaddr;                                                                 // MAP-8: tce = vaddr | perms
        if ((flags & Abi.MapFlagRead) != 0) tce |= Abi.TcePciRead;
        if ((flags & Abi.MapFlagWrite) != 0) tce |= Abi.TcePciWrite;
        var t = w.Tables[g];
        long check = TableRules.PutParamCheck(t, iova, tce);
        if (check < 0) return new Step(w, check);                                          // MAP-8 (TBL-4)
        ulong n = size >> Abi.IommuPageShift;                                              // MAP-9 (FIND-1)
        if ((iova >> Abi.IommuPageShift) + n > (ulong)t.WindowEnd)                         // both terms below 2^52
            return Step.Fail(w, Errno.EINVAL);                                             // MAP-9: the end past the window
        long first = (long)(iova >> Abi.IommuPageShift);
        long result = 0;
        long built = 0;
        for (long i = 0; i < (long)n; i++)                                                 // MAP-10
        {
            var s = TableRules.PutUserMode(w, c, g, first + i, unchecked(tce + (ulong)i * Abi.IommuPageSize));
            w = s.World;                                                                   // HOST-7: a consumed countdown stays
            if (s.Failed) { result = s.Result; break; }                                    // MAP-10: stop at the first error
            built++;
        }
        if (result < 0)
            w = TableRules.ClearAndPut(w, g, first, built);                                // MAP-11: undo exactly those k
        w = TableRules.Flush(w, g);                                                        // MAP-12: flush on success and failure
        return new Step(w, result);                                                        // MAP-13: 0 or MAP-10's error
    }

    /// <summary>UNMAP-1 .. UNMAP-9 UNMAP_DMA, holding the container mutex (adopted, LOCK-3).</summary>
    public static Step UnmapDma(World w, Caller c, DriverData d, ulong arg)
    {
        if (d.Tbl is not int g) return Step.Fail(w, Errno.ENXIO);                         // UNMAP-2: tbl none
        var raw = UserMemory.CopyFromUser(w, c, arg, Abi.DmaUnmapMinsz);
        if (raw is null) return Step.Fail(w, Errno.EFAULT);                                // UNMAP-3 (ABI-5)
        // ABI-7: dma_unmap {u32 argsz; u32 flags; u64 iova; u64 size}, little-endian.
        uint argsz = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(0));
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(4));
        ulong iova = BinaryPrimitives.ReadUInt64LittleEndian(raw.AsSpan(8));
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(raw.AsSpan(16));
        if (argsz < Abi.DmaUnmapMinsz) return Step.Fail(w, Errno.EINVAL);                 // UNMAP-4 (ABI-8)
        if (flags != 0) return Step.Fail(w, Errno.EINVAL);                                 // UNMAP-5: flags != 0
        if ((size & ~Abi.IommuPageMask) != 0) return Step.Fail(w, Errno.EINVAL);          // UNMAP-6: size unaligned
        var t = w.Tables[g];
        ulong n = size >> Abi.IommuPageShift;                                              // UNMAP-7
        if ((iova & ~Abi.IommuPageMask) != 0) return Step.Fail(w, Errno.EINVAL);          // UNMAP-7: iova unaligned
        if ((iova >> Abi.IommuPageShift) < (ulong)t.ItOffset) return Step.Fail(w, Errno.EINVAL); // UNMAP-7: below
        if ((iova >> Abi.IommuPageShift) + n > (ulong)t.WindowEnd)                         // both terms below 2^52
            return Step.Fail(w, Errno.EINVAL);                                             // UNMAP-7: past the window
        w = TableRules.ClearAndPut(w, g, (long)(iova >> Abi.IommuPageShift), (long)n);     // UNMAP-8 (TBL-7)
        return Step.Ok(TableRules.Flush(w, g));                                            // UNMAP-9: flush, 0
    }

    /// <summary>EN-1 .. EN-5 ENABLE (arg ignored), holding the container mutex.</summary>
    public static DriverStep Enable(World w, Caller c, DriverData d)
    {
        if (d.Tbl is not int g) return new DriverStep(w, d, -Errno.ENXIO);                // EN-2: tbl none
        if (!c.HasMm) return new DriverStep(w, d, -Errno.ESRCH);                           // EN-3: current has no mm
        if (d.Enabled) return new DriverStep(w, d, -Errno.EBUSY);                          // EN-4: already enabled
        // EN-5, LOCK-5: check and charge under current's mmap_sem for writing.
        var mm = w.MmOf(c.Pid);
        long npages = NPages(w.Tables[g]);
        ulong limit = mm.RlimitMemlock >> w.Config.PageShift;
        if ((ulong)(mm.LockedVm + npages) > limit && !mm.CapIpcLock)                       // locked_vm >= 0 (INV-4a)
            return new DriverStep(w, d, -Errno.ENOMEM);                                    // EN-5: over RLIMIT_MEMLOCK
        w = w.WithMm(c.Pid, mm with { LockedVm = mm.LockedVm + npages });                  // EN-5: locked_vm += npages
        return new DriverStep(w, d with { Enabled = true, Payer = c.Pid }, 0);             // EN-5 (FIND-4): payer = current
    }

    /// <summary>DIS-1 DISABLE (arg ignored), holding the container mutex: DIS-2; always 0.</summary>
    public static DriverStep Disable(World w, DriverData d)
    {
        var (w2, d2) = DisableData(w, d);                                                  // DIS-1 -> DIS-2
        return new DriverStep(w2, d2, 0);                                                  // DIS-1: always 0
    }

    /// <summary>
    /// DIS-2 disable(data) (adopted: FIND-3, FIND-4, FIND-5): clears the window with puts and flushes, then returns
    /// the charge to the payer's mm (alive or exited; never current's).
    /// </summary>
    public static (World World, DriverData Data) DisableData(World w, DriverData d)
    {
        if (!d.Enabled) return (w, d);                                                     // DIS-2: not enabled, nothing
        d = d with { Enabled = false };                                                    // DIS-2: enabled = false
        if (d.Tbl is int g)
        {
            var t = w.Tables[g];
            w = TableRules.ClearAndPut(w, g, t.ItOffset, t.ItSize);                        // DIS-2 (FIND-3): clear as TBL-7
            w = TableRules.Flush(w, g);                                                    // DIS-2: then a flush
            if (d.Payer is int payer)                                                      // DIS-2 (FIND-4, FIND-5): the payer
            {
                var mm = w.MmOf(payer);                                                    // LOCK-5: payer's mmap_sem, write
                w = w.WithMm(payer, mm with { LockedVm = mm.LockedVm - NPages(t) });       // DIS-2: locked_vm -= npages
            }
        }
        return (w, d with { Payer = null });                                               // DIS-2: payer = none
    }
}
