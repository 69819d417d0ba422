using System.Buffers.Binary;
using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Vfio;

namespace TceVerify.Impl.Spapr;

/// <summary>
/// The SPAPR TCE VFIO IOMMU driver (driver.md): one ops table (<see cref="Open"/>, <see cref="Release"/>,
/// <see cref="AttachGroup"/>, <see cref="DetachGroup"/>, <see cref="Ioctl"/>) and one method per ioctl.
/// Every check is in spec order and names its clause. The virtual members at the end are the points where
/// a named variant (src/TceVariants) restores one literal 3.10 behaviour (findings.md).
/// </summary>
internal class SpaprTceDriver
{
    protected readonly KernelContext Ctx;

    internal SpaprTceDriver(KernelContext ctx) => Ctx = ctx;

    // ================================================================ ops table

    /// <summary>EXT-1 check_extension: the core may ask with no data at all. Catalog hook: the IOMMU types supported.</summary>
    protected internal virtual long CheckExtension(ulong arg) => arg == Abi.SpaprTceIommu ? 1 : 0;

    /// <summary>OPEN-1 open(arg).</summary>
    internal int Open(ulong arg, int containerId, out TceContainer? data)
    {
        data = null;
        if (arg != Abi.SpaprTceIommu) return -Errno.EINVAL;   // OPEN-1
        data = new TceContainer(containerId, Ctx.Sync);       // OPEN-1: {tbl none, disabled, no payer}
        return 0;
    }

    /// <summary>REL-1 release(data): holding the mutex (adopted), disable, then detach the group still attached.</summary>
    internal void Release(TceContainer data, in Current cur)
    {
        LockMutex(data, DriverOp.Release);                    // REL-1, LOCK-3
        // Stryker disable once Statement : DetachLocked below disables first (DET-1), and a container is enabled only while a table is attached (EN-2).
        DisableLocked(data, cur);                             // REL-1 -> DIS-2
        data.TblCell.Read();
        if (data.Tbl is { } tbl) DetachLocked(data, tbl, cur); // REL-1 -> DET-1
        UnlockMutex(data, DriverOp.Release);
    }

    /// <summary>ATT-1 attach_group(data, g).</summary>
    internal int AttachGroup(TceContainer data, VfioGroup group)
    {
        var tbl = group.Table;
        int ret;
        LockMutex(data, DriverOp.Attach);                     // ATT-1, LOCK-3
        data.TblCell.Read();
        data.StateCell.Read();
        if (data.Tbl is not null) ret = -Errno.EBUSY;         // ATT-1: one group per container
        else if (data.Enabled) ret = -Errno.EBUSY;            // ATT-1: enabled
        else
        {
            ret = tbl.TakeOwnership(data.Id);                 // ATT-1 -> TBL-9
            if (ret == 0)
            {
                data.TblCell.Write();
                data.Tbl = tbl;                               // ATT-1
            }
        }
        UnlockMutex(data, DriverOp.Attach);
        return ret;
    }

    /// <summary>DET-1 detach_group(data, g).</summary>
    internal void DetachGroup(TceContainer data, VfioGroup group, in Current cur)
    {
        LockMutex(data, DriverOp.Detach);                     // DET-1, LOCK-3
        // Stryker disable once Statement : a container with a driver holds exactly one group (ATT-1), so the core's release (REL-1) follows every detach and detaches the same table.
        DetachLocked(data, group.Table, cur);
        UnlockMutex(data, DriverOp.Detach);
    }

    /// <summary>DET-1 with the mutex held: another group's table changes nothing; else disable, forget, hand back.
    /// Variant hook: the order of the last use of the table and its hand-back.</summary>
    protected internal virtual void DetachLocked(TceContainer data, IommuTable tbl, in Current cur)
    {
        data.TblCell.Read();
        if (data.Tbl != tbl) return;                          // DET-1: not this container's table
        data.StateCell.Read();
        if (data.Enabled) DisableLocked(data, cur);           // DET-1 -> DIS-2
        data.TblCell.Write();
        data.Tbl = null;                                      // DET-1
        tbl.ReleaseOwnership();                               // DET-1 -> TBL-10
    }

    /// <summary>DRV-1 ioctl dispatch (the core holds group_lock for reading).</summary>
    internal long Ioctl(TceContainer data, in Current cur, uint cmd, ulong arg)
    {
        switch (cmd)
        {
            case VfioIoctl.CheckExtension:
                return CheckExtension(arg);                   // DRV-1 -> EXT-1
            case VfioIoctl.SpaprTceGetInfo:
                return GetInfo(data, cur, arg);               // DRV-1 -> INFO-1
            case VfioIoctl.MapDma:
                return MapDma(data, cur, arg);                // DRV-1 -> MAP-1
            case VfioIoctl.UnmapDma:
                return UnmapDma(data, cur, arg);              // DRV-1 -> UNMAP-1
            case VfioIoctl.Enable:
                return Enable(data, cur);                     // DRV-1 -> EN-1
            case VfioIoctl.Disable:
                return Disable(data, cur);                    // DRV-1 -> DIS-1
            default:
                return -Errno.ENOTTY;                         // DRV-1
        }
    }

    // ================================================================ GET_INFO

    /// <summary>INFO-1: no driver lock; tbl is stable under the core's group_lock (read).</summary>
    long GetInfo(TceContainer data, in Current cur, ulong arg)
    {
        data.TblCell.Read();
        var tbl = data.Tbl;
        if (tbl is null) return -Errno.ENXIO;                                          // INFO-1
        Span<byte> info = stackalloc byte[Abi.TceInfoMinsz];
        if (UserAccess.CopyFromUser(cur, arg, info) != 0) return -Errno.EFAULT;       // INFO-1, ABI-8
        int ret = InfoArgszCheck(BinaryPrimitives.ReadUInt32LittleEndian(info));       // INFO-1, ABI-8
        if (ret != 0) return ret;
        BinaryPrimitives.WriteUInt32LittleEndian(info[4..], 0);                                       // flags
        BinaryPrimitives.WriteUInt32LittleEndian(info[8..], (uint)(tbl.ItOffset << Abi.IommuPageShift)); // start
        BinaryPrimitives.WriteUInt32LittleEndian(info[12..], (uint)(tbl.ItSize << Abi.IommuPageShift));  // size
        if (InfoWriteBack(cur, arg, info, BinaryPrimitives.ReadUInt32LittleEndian(info)) != 0) return -Errno.EFAULT; // INFO-1, ABI-6, ABI-8
        return 0;
    }

    // ================================================================ MAP_DMA

    /// <summary>MAP-1: the whole operation under the container mutex (adopted, LOCK-3).</summary>
    protected internal virtual long MapDma(TceContainer data, in Current cur, ulong arg)
    {
        LockMutex(data, DriverOp.Map);                        // MAP-1
        int ret = MapDmaLocked(data, cur, arg);
        UnlockMutex(data, DriverOp.Map);
        return ret;
    }

    protected internal int MapDmaLocked(TceContainer data, in Current cur, ulong arg)
    {
        data.TblCell.Read();
        var tbl = data.Tbl;
        if (tbl is null) return -Errno.ENXIO;                                          // MAP-2
        int ret = MapEnabledCheck(data);                                               // MAP-3 (FIND-2)
        if (ret != 0) return ret;
        Span<byte> param = stackalloc byte[Abi.DmaMapMinsz];
        if (UserAccess.CopyFromUser(cur, arg, param) != 0) return -Errno.EFAULT;      // MAP-4
        uint argsz = BinaryPrimitives.ReadUInt32LittleEndian(param);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(param[4..]);
        ulong vaddr = BinaryPrimitives.ReadUInt64LittleEndian(param[8..]);
        ulong iova = BinaryPrimitives.ReadUInt64LittleEndian(param[16..]);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(param[24..]);
        ret = MapArgszCheck(argsz);                                                    // MAP-5
        if (ret != 0) return ret;
        ret = MapFlagsCheck(flags);                                                    // MAP-6
        if (ret != 0) return ret;
        ret = MapAlignCheck(ref vaddr, ref iova, ref size);                            // MAP-7
        if (ret != 0) return ret;
        ulong tce = vaddr;                                                             // MAP-8
        // Stryker disable once Assignment : vaddr is page-aligned (MAP-7), so the permission bits are clear and ^= sets them as |= does.
        if ((flags & Abi.MapFlagRead) != 0) tce |= Abi.TcePciRead;
        // Stryker disable once Assignment : vaddr is page-aligned (MAP-7), so the permission bits are clear and ^= sets them as |= does.
        if ((flags & Abi.MapFlagWrite) != 0) tce |= Abi.TcePciWrite;
        ret = tbl.PutParamCheck(iova, tce);                                            // MAP-8 -> TBL-4
        if (ret != 0) return ret;
        // Stryker disable once Bitwise : the operand is unsigned, so >>> is the same shift.
        ulong npages = size >> Abi.IommuPageShift;
        ret = MapEndCheck(tbl, iova, npages);                                          // MAP-9 (FIND-1)
        if (ret != 0) return ret;
        // Stryker disable once Bitwise : the operand is unsigned, so >>> is the same shift.
        long first = (long)(iova >> Abi.IommuPageShift);
        ulong built = 0;
        long countdown = tbl.TakeCountdown();                                          // HOST-7, LOCK-7: one step per MAP
        for (; built < npages; built++)
        {
            ret = tbl.PutUserMode(cur, first + (long)built, tce + (built << Abi.IommuPageShift), ref countdown); // MAP-10 -> TBL-6
            if (ret != 0) break;                                                       // MAP-10: first error stops
        }
        tbl.ReturnCountdown(countdown);
        if (ret != 0) MapUnwind(tbl, first, (long)built);                              // MAP-11 -> TBL-7
        FlushTable(tbl, DriverOp.Map);                                                 // MAP-12 -> TBL-8
        return ret;                                                                    // MAP-13
    }

    // ================================================================ UNMAP_DMA

    /// <summary>UNMAP-1: under the container mutex (adopted, LOCK-3).</summary>
    long UnmapDma(TceContainer data, in Current cur, ulong arg)
    {
        LockMutex(data, DriverOp.Unmap);                      // UNMAP-1
        int ret = UnmapDmaLocked(data, cur, arg);
        UnlockMutex(data, DriverOp.Unmap);
        return ret;
    }

    int UnmapDmaLocked(TceContainer data, in Current cur, ulong arg)
    {
        data.TblCell.Read();
        var tbl = data.Tbl;
        if (tbl is null) return -Errno.ENXIO;                                          // UNMAP-2
        Span<byte> param = stackalloc byte[Abi.DmaUnmapMinsz];
        if (UserAccess.CopyFromUser(cur, arg, param) != 0) return -Errno.EFAULT;      // UNMAP-3
        uint argsz = BinaryPrimitives.ReadUInt32LittleEndian(param);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(param[4..]);
        ulong iova = BinaryPrimitives.ReadUInt64LittleEndian(param[8..]);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(param[16..]);
        int ret = UnmapArgszCheck(argsz);                                              // UNMAP-4
        if (ret != 0) return ret;
        ret = UnmapFlagsCheck(flags);                                                  // UNMAP-5
        if (ret != 0) return ret;
        ret = UnmapRangeCheck(tbl, ref iova, ref size);                                // UNMAP-6, UNMAP-7
        if (ret != 0) return ret;
        // Stryker disable once Bitwise : the operand is unsigned, so >>> is the same shift.
        ulong npages = size >> Abi.IommuPageShift;                                     // UNMAP-7
        // Stryker disable once Bitwise : the operand is unsigned, so >>> is the same shift.
        ulong entry = iova >> Abi.IommuPageShift;
        ret = tbl.ClearAndPut((long)entry, (long)npages);                              // UNMAP-8 -> TBL-7
        FlushTable(tbl, DriverOp.Unmap);                                               // UNMAP-9
        return ret;                                                                    // UNMAP-9: 0
    }

    // ================================================================ ENABLE / DISABLE

    /// <summary>EN-1 ENABLE, under the container mutex. Variant hook: where the checks are made.</summary>
    protected internal virtual long Enable(TceContainer data, in Current cur)
    {
        LockMutex(data, DriverOp.Enable);                     // EN-1
        int ret = EnableLocked(data, cur);
        UnlockMutex(data, DriverOp.Enable);
        return ret;
    }

    /// <summary>EN-2 .. EN-5 with the mutex held.</summary>
    protected internal int EnableLocked(TceContainer data, in Current cur)
    {
        data.TblCell.Read();
        var tbl = data.Tbl;
        if (tbl is null) return -Errno.ENXIO;                 // EN-2
        var mm = cur.Mm;
        if (mm is null) return -Errno.ESRCH;                  // EN-3
        int ret = EnableBusyCheck(data, tbl, mm);             // EN-4
        if (ret != 0) return ret;
        return EnableCharge(data, cur, tbl, mm);              // EN-5
    }

    /// <summary>EN-5 with the mutex held: the charge, then enabled and the payer.</summary>
    protected internal int EnableCharge(TceContainer data, in Current cur, IommuTable tbl, MmStruct mm)
    {
        long npages = ChargePages(tbl);                       // EN-5 (FIND-6)
        LockMm(mm, DriverOp.Enable);                          // EN-5, LOCK-5
        mm.LockedVmCell.Write();
        long locked = mm.LockedVm + npages;
        long limit = ChargeLimitPages(mm);                    // EN-5
        if (locked > limit && !mm.CapIpcLock)
        {
            UnlockMm(mm, DriverOp.Enable);
            return -Errno.ENOMEM;                             // EN-5
        }
        AddLockedVm(mm, npages, DriverOp.Enable);             // EN-5
        UnlockMm(mm, DriverOp.Enable);
        data.StateCell.Write();
        data.Enabled = true;                                  // EN-5
        data.Payer = cur.Task;                                // EN-5 (adopted, FIND-4)
        return 0;
    }

    /// <summary>DIS-1 DISABLE: always 0.</summary>
    long Disable(TceContainer data, in Current cur)
    {
        LockMutex(data, DriverOp.Disable);                    // DIS-1
        DisableLocked(data, cur);                             // DIS-1 -> DIS-2
        UnlockMutex(data, DriverOp.Disable);
        return 0;
    }

    /// <summary>
    /// DIS-2 disable(data) (adopted: FIND-3, FIND-4, FIND-5), mutex held: the window is cleared (puts, flush)
    /// before the charge goes back to the payer's mm, alive or exited, never current's.
    /// </summary>
    protected internal void DisableLocked(TceContainer data, in Current cur)
    {
        data.StateCell.Read();
        // Stryker disable once Statement : a disabled container has an empty window (MAP-3, DIS-2) and no payer, so going on clears nothing and returns no charge.
        if (!data.Enabled) return;                            // DIS-2
        data.StateCell.Write();
        data.Enabled = false;                                 // DIS-2
        data.TblCell.Read();
        var tbl = data.Tbl;
        if (tbl is not null)
        {
            DisableClearWindow(data, tbl);                    // DIS-2 (FIND-3)
            var mm = UnchargeTarget(data, cur);               // DIS-2 (FIND-4, FIND-5)
            if (mm is not null)
            {
                LockMm(mm, DriverOp.Disable);                 // DIS-2, LOCK-5
                mm.LockedVmCell.Write();
                AddLockedVm(mm, -ChargePages(tbl), DriverOp.Disable); // DIS-2 (FIND-6)
                UnlockMm(mm, DriverOp.Disable);
            }
        }
        data.Payer = null;                                    // DIS-2
    }

    // ================================================================ variant hooks (production behaviour)

    /// <summary>MAP-3 (adopted, FIND-2): a disabled container maps nothing. The literal code never looks.</summary>
    protected internal virtual int MapEnabledCheck(TceContainer data)
    {
        data.StateCell.Read();
        return data.Enabled ? 0 : -Errno.EPERM;               // MAP-3
    }

    /// <summary>MAP-9 (adopted, FIND-1): the last entry must lie in the window; both terms are below 2^52.
    /// The literal code checks the first entry only.</summary>
    // Stryker disable once Bitwise : the operand is unsigned, so >>> is the same shift.
    protected internal virtual int MapEndCheck(IommuTable tbl, ulong iova, ulong npages) =>
        (iova >> Abi.IommuPageShift) + npages > (ulong)tbl.WindowEnd ? -Errno.EINVAL : 0; // MAP-9

    /// <summary>DIS-2 (adopted, FIND-3): every in-use window TCE cleared as TBL-7, then a flush.
    /// The literal code keeps the mappings.</summary>
    protected internal virtual void DisableClearWindow(TceContainer data, IommuTable tbl)
    {
        tbl.ClearAndPut(tbl.ItOffset, tbl.ItSize);            // DIS-2 -> TBL-7
        FlushTable(tbl, DriverOp.Disable);                    // DIS-2 -> TBL-8
    }

    /// <summary>DIS-2 (adopted, FIND-4, FIND-5): the mm the charge is returned to is the payer's.
    /// The literal code uses current's (none on the exit path).</summary>
    protected internal virtual MmStruct? UnchargeTarget(TceContainer data, in Current cur) => data.Payer?.Mm;

    /// <summary>npages(tbl) of EN-5 and DIS-2 (adopted, FIND-6): it_size system pages, one per entry.
    /// The literal code charges the window's bytes in system pages.</summary>
    protected internal virtual long ChargePages(IommuTable tbl) => tbl.ItSize;

    // ---------------------------------------------------------------- catalog hooks (production behaviour)
    // Each is a point where one entry of the bug catalog (src/TceVariants, docs/catalog.md) deviates.

    /// <summary>The container mutex around every driver operation but GET_INFO (LOCK-3).</summary>
    protected internal virtual void LockMutex(TceContainer data, DriverOp op) => data.Mutex.Lock();

    /// <summary>Counterpart of <see cref="LockMutex"/>.</summary>
    protected internal virtual void UnlockMutex(TceContainer data, DriverOp op) => data.Mutex.Unlock();

    /// <summary>The mm's mmap_sem for writing around a charge or its return (EN-5, DIS-2, LOCK-5).</summary>
    protected internal virtual void LockMm(MmStruct mm, DriverOp op) => mm.MmapSem.DownWrite();

    /// <summary>Counterpart of <see cref="LockMm"/>.</summary>
    protected internal virtual void UnlockMm(MmStruct mm, DriverOp op) => mm.MmapSem.UpWrite();

    /// <summary>The update of locked_vm (EN-5: + npages; DIS-2: - npages), mmap_sem held for writing.</summary>
    protected internal virtual void AddLockedVm(MmStruct mm, long delta, DriverOp op) => mm.LockedVm += delta;

    /// <summary>EN-4: an enabled container is not enabled again.</summary>
    protected internal virtual int EnableBusyCheck(TceContainer data, IommuTable tbl, MmStruct mm)
    {
        data.StateCell.Read();
        return data.Enabled ? -Errno.EBUSY : 0;               // EN-4
    }

    /// <summary>INFO-1, ABI-8: argsz below minsz.</summary>
    protected internal virtual int InfoArgszCheck(uint argsz) => argsz < Abi.TceInfoMinsz ? -Errno.EINVAL : 0;

    /// <summary>INFO-1, ABI-8: the write-back is exactly the minsz bytes of the struct, argsz as it was read.</summary>
    protected internal virtual int InfoWriteBack(in Current cur, ulong arg, ReadOnlySpan<byte> info, uint argsz) => UserAccess.CopyToUser(cur, arg, info);

    /// <summary>EN-5: RLIMIT_MEMLOCK in whole system pages (rounded down).</summary>
    // Stryker disable once Bitwise : the operand is unsigned, so >>> is the same shift.
    protected internal virtual long ChargeLimitPages(MmStruct mm) => (long)(mm.RlimitMemlock >> Ctx.PageShift);

    /// <summary>MAP-5, ABI-8: argsz below minsz.</summary>
    protected internal virtual int MapArgszCheck(uint argsz) => argsz < Abi.DmaMapMinsz ? -Errno.EINVAL : 0;

    /// <summary>MAP-6: a flag other than READ | WRITE.</summary>
    protected internal virtual int MapFlagsCheck(uint flags) =>
        (flags & ~(Abi.MapFlagRead | Abi.MapFlagWrite)) != 0 ? -Errno.EINVAL : 0;

    /// <summary>MAP-7: size and vaddr 4 KiB aligned (iova: TBL-4). The parameters are by reference so that a
    /// deviation can adjust them instead of rejecting them.</summary>
    protected internal virtual int MapAlignCheck(ref ulong vaddr, ref ulong iova, ref ulong size) =>
        (size & ~Abi.IommuPageMask) != 0 || (vaddr & ~Abi.IommuPageMask) != 0 ? -Errno.EINVAL : 0;

    /// <summary>MAP-11: undo exactly the <paramref name="built"/> entries from <paramref name="first"/> (TBL-7).</summary>
    protected internal virtual void MapUnwind(IommuTable tbl, long first, long built) => tbl.ClearAndPut(first, built);

    /// <summary>The flush that ends MAP (MAP-12), UNMAP (UNMAP-9) and disable's clear (DIS-2).</summary>
    protected internal virtual void FlushTable(IommuTable tbl, DriverOp op) => tbl.Flush();

    /// <summary>UNMAP-4, ABI-8: argsz below minsz.</summary>
    protected internal virtual int UnmapArgszCheck(uint argsz) => argsz < Abi.DmaUnmapMinsz ? -Errno.EINVAL : 0;

    /// <summary>UNMAP-5: no flag is defined.</summary>
    protected internal virtual int UnmapFlagsCheck(uint flags) => flags != 0 ? -Errno.EINVAL : 0;

    /// <summary>UNMAP-6, UNMAP-7: size and iova aligned, the range inside the window (without overflow: both terms
    /// are below 2^52). By reference so that a deviation can adjust them instead.</summary>
    protected internal virtual int UnmapRangeCheck(IommuTable tbl, ref ulong iova, ref ulong size)
    {
        if ((size & ~Abi.IommuPageMask) != 0) return -Errno.EINVAL;                    // UNMAP-6
        if ((iova & ~Abi.IommuPageMask) != 0) return -Errno.EINVAL;                    // UNMAP-7: unaligned
        // Stryker disable once Bitwise : the operand is unsigned, so >>> is the same shift.
        ulong entry = iova >> Abi.IommuPageShift;
        if (entry < (ulong)tbl.ItOffset) return -Errno.EINVAL;                          // UNMAP-7: below
        // Stryker disable once Bitwise : the operand is unsigned, so >>> is the same shift.
        if (entry + (size >> Abi.IommuPageShift) > (ulong)tbl.WindowEnd) return -Errno.EINVAL; // UNMAP-7: past the end
        return 0;
    }
}

/// <summary>The driver operation a catalog hook is called for.</summary>
internal enum DriverOp
{
    Release,
    Attach,
    Detach,
    Map,
    Unmap,
    Enable,
    Disable,
}
