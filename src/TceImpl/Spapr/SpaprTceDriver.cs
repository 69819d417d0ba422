using System.Buffers.Binary;
using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Vfio;

namespace TceVerify.Impl.Spapr;

/// <summary>
/// The SPAPR TCE VFIO IOMMU driver (driver.md): one ops table (<see cref="Open"/>, <see cref="Release"/>,
/// <see cref="AttachGroup"/>, <see cref="DetachGroup"/>, <see cref="Ioctl"/>) and one method per ioctl.
/// Every check is in spec order and names its clause. A catalog variant (src/TceVariants) omits a step
/// (<see cref="Omit"/>), overrides a whole operation (<see cref="MapDma"/>, <see cref="Enable"/>,
/// <see cref="DetachLocked"/>) or one of the hooks in SpaprTceDriver.Hooks.cs.
/// </summary>
internal partial class SpaprTceDriver : IIommuDriverOps
{
    protected readonly KernelContext Ctx;

    internal SpaprTceDriver(KernelContext ctx) => Ctx = ctx;

    // ================================================================ ops table

    /// <summary>OPEN-1 open(arg).</summary>
    public int Open(ulong arg, int containerId, out TceContainer? data)
    {
        data = null;
        if (arg != Abi.SpaprTceIommu) return -Errno.EINVAL;   // OPEN-1
        data = new TceContainer(containerId, Ctx.Sync);       // OPEN-1: {tbl none, disabled, no payer}
        return 0;
    }

    /// <summary>REL-1 release(data): holding the mutex (adopted), disable, then detach the group still attached.</summary>
    public void Release(TceContainer data, in Current cur)
    {
        data.Mutex.Lock();                                    // REL-1, LOCK-3
        // Stryker disable once Statement
        DisableLocked(data, cur);                             // REL-1 -> DIS-2
        data.TblCell.Read();
        if (data.Tbl is { } tbl) DetachLocked(data, tbl, cur); // REL-1 -> DET-1
        data.Mutex.Unlock();
    }

    /// <summary>ATT-1 attach_group(data, g).</summary>
    public int AttachGroup(TceContainer data, VfioGroup group)
    {
        var tbl = group.Table;
        int ret;
        Ctx.Lock(data.Mutex, Omit.MutexOnAttach);             // ATT-1, LOCK-3
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
        Ctx.Unlock(data.Mutex, Omit.MutexOnAttach);
        return ret;
    }

    /// <summary>DET-1 detach_group(data, g).</summary>
    public void DetachGroup(TceContainer data, VfioGroup group, in Current cur)
    {
        data.Mutex.Lock();                                    // DET-1, LOCK-3
        // Stryker disable once Statement
        DetachLocked(data, group.Table, cur);
        data.Mutex.Unlock();
    }

    /// <summary>DET-1 with the mutex held: another group's table changes nothing; else disable, forget, hand back.
    /// Catalog hook: the order of the last use of the table and its hand-back.</summary>
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

    /// <summary>DRV-1 ioctl dispatch (the core holds group_lock for reading). Only CHECK_EXTENSION is asked without
    /// data (CORE-3, CORE-4: the core has not opened the driver yet).</summary>
    public long Ioctl(TceContainer? data, in Current cur, uint cmd, ulong arg)
    {
        switch (cmd)
        {
            case VfioIoctl.CheckExtension:
                return CheckExtension(arg);                   // DRV-1 -> EXT-1
            case VfioIoctl.SpaprTceGetInfo:
                return GetInfo(data!, cur, arg);              // DRV-1 -> INFO-1
            case VfioIoctl.MapDma:
                return MapDma(data!, cur, arg);               // DRV-1 -> MAP-1
            case VfioIoctl.UnmapDma:
                return UnmapDma(data!, cur, arg);             // DRV-1 -> UNMAP-1
            case VfioIoctl.Enable:
                return Enable(data!, cur);                    // DRV-1 -> EN-1
            case VfioIoctl.Disable:
                return Disable(data!, cur);                   // DRV-1 -> DIS-1
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
        if (BinaryPrimitives.ReadUInt32LittleEndian(info) < Abi.TceInfoMinsz
            && !Ctx.Omits(Omit.InfoArgszCheck)) return -Errno.EINVAL;                  // INFO-1, ABI-8
        BinaryPrimitives.WriteUInt32LittleEndian(info[4..], 0);                                       // flags
        BinaryPrimitives.WriteUInt32LittleEndian(info[8..], (uint)(tbl.ItOffset << Abi.IommuPageShift)); // start
        BinaryPrimitives.WriteUInt32LittleEndian(info[12..], (uint)(tbl.ItSize << Abi.IommuPageShift));  // size
        if (InfoWriteBack(cur, arg, info, BinaryPrimitives.ReadUInt32LittleEndian(info)) != 0) return -Errno.EFAULT; // INFO-1, ABI-6, ABI-8
        return 0;
    }

    // ================================================================ MAP_DMA

    /// <summary>MAP-1: the whole operation under the container mutex (adopted, LOCK-3). Catalog hook: where the
    /// checks are made.</summary>
    protected internal virtual long MapDma(TceContainer data, in Current cur, ulong arg)
    {
        Ctx.Lock(data.Mutex, Omit.MutexOnMap);                // MAP-1
        int ret = MapDmaLocked(data, cur, arg);
        Ctx.Unlock(data.Mutex, Omit.MutexOnMap);
        return ret;
    }

    protected internal int MapDmaLocked(TceContainer data, in Current cur, ulong arg)
    {
        data.TblCell.Read();
        var tbl = data.Tbl;
        if (tbl is null) return -Errno.ENXIO;                                          // MAP-2
        if (!Ctx.Omits(Omit.MapEnabledCheck))
        {
            data.StateCell.Read();
            if (!data.Enabled) return -Errno.EPERM;                                    // MAP-3 (adopted, FIND-2)
        }
        Span<byte> param = stackalloc byte[Abi.DmaMapMinsz];
        if (UserAccess.CopyFromUser(cur, arg, param) != 0) return -Errno.EFAULT;      // MAP-4
        uint argsz = BinaryPrimitives.ReadUInt32LittleEndian(param);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(param[4..]);
        ulong vaddr = BinaryPrimitives.ReadUInt64LittleEndian(param[8..]);
        ulong iova = BinaryPrimitives.ReadUInt64LittleEndian(param[16..]);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(param[24..]);
        if (argsz < Abi.DmaMapMinsz && !Ctx.Omits(Omit.MapArgszCheck)) return -Errno.EINVAL; // MAP-5, ABI-8
        if ((flags & ~(Abi.MapFlagRead | Abi.MapFlagWrite)) != 0
            && !Ctx.Omits(Omit.MapFlagsCheck)) return -Errno.EINVAL;                   // MAP-6
        int ret = MapAlignCheck(ref vaddr, ref iova, ref size);                        // MAP-7
        if (ret != 0) return ret;
        ulong tce = vaddr;                                                             // MAP-8
        // Stryker disable once Assignment
        if ((flags & Abi.MapFlagRead) != 0) tce |= Abi.TcePciRead;
        // Stryker disable once Assignment
        if ((flags & Abi.MapFlagWrite) != 0) tce |= Abi.TcePciWrite;
        ret = tbl.PutParamCheck(iova, tce);                                            // MAP-8 -> TBL-4
        if (ret != 0) return ret;
        // Stryker disable once Bitwise
        ulong npages = size >> Abi.IommuPageShift;
        if (!Ctx.Omits(Omit.MapEndCheck))
        {
            ret = MapEndCheck(tbl, iova, npages);                                      // MAP-9 (adopted, FIND-1)
            if (ret != 0) return ret;
        }
        // Stryker disable once Bitwise
        long first = (long)(iova >> Abi.IommuPageShift);
        ulong built = 0;
        long countdown = tbl.TakeCountdown();                                          // HOST-7, LOCK-7: one step per MAP
        for (; built < npages; built++)
        {
            ret = tbl.PutUserMode(cur, first + (long)built, tce + (built << Abi.IommuPageShift), ref countdown); // MAP-10 -> TBL-6
            if (ret != 0) break;                                                       // MAP-10: first error stops
        }
        tbl.ReturnCountdown(countdown);
        if (ret != 0 && !Ctx.Omits(Omit.MapUnwind)) MapUnwind(tbl, first, (long)built); // MAP-11 -> TBL-7
        if (!Ctx.Omits(Omit.MapFlush)) tbl.Flush();                                    // MAP-12 -> TBL-8
        return ret;                                                                    // MAP-13
    }

    // ================================================================ UNMAP_DMA

    /// <summary>UNMAP-1: under the container mutex (adopted, LOCK-3).</summary>
    long UnmapDma(TceContainer data, in Current cur, ulong arg)
    {
        data.Mutex.Lock();                                    // UNMAP-1
        int ret = UnmapDmaLocked(data, cur, arg);
        data.Mutex.Unlock();
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
        if (argsz < Abi.DmaUnmapMinsz && !Ctx.Omits(Omit.UnmapArgszCheck)) return -Errno.EINVAL; // UNMAP-4, ABI-8
        if (flags != 0 && !Ctx.Omits(Omit.UnmapFlagsCheck)) return -Errno.EINVAL;     // UNMAP-5: no flag is defined
        int ret = UnmapRangeCheck(tbl, ref iova, ref size);                            // UNMAP-6, UNMAP-7
        if (ret != 0) return ret;
        // Stryker disable once Bitwise
        ulong npages = size >> Abi.IommuPageShift;                                     // UNMAP-7
        // Stryker disable once Bitwise
        ulong entry = iova >> Abi.IommuPageShift;
        // UNMAP-8 -> TBL-7, with UNMAP-9's flush made before the puts (adopted, FIND-26)
        ret = tbl.ClearAndPut((long)entry, (long)npages, Omit.FlushBeforePutOnUnmap, Omit.UnmapFlush);
        return ret;                                                                    // UNMAP-9: 0
    }

    // ================================================================ ENABLE / DISABLE

    /// <summary>EN-1 ENABLE, under the container mutex. Catalog hook: where the checks are made.</summary>
    protected internal virtual long Enable(TceContainer data, in Current cur)
    {
        Ctx.Lock(data.Mutex, Omit.MutexOnEnable);             // EN-1
        int ret = EnableLocked(data, cur);
        Ctx.Unlock(data.Mutex, Omit.MutexOnEnable);
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
        if (!Ctx.Omits(Omit.EnableBusyCheck))
        {
            data.StateCell.Read();
            if (data.Enabled) return -Errno.EBUSY;            // EN-4
        }
        long npages = ChargePages(tbl);                       // EN-5 (FIND-6)
        Ctx.DownWrite(mm.MmapSem, Omit.MmapSemOnCharge);      // EN-5, LOCK-5
        mm.LockedVmCell.Write();
        long locked = mm.LockedVm + npages;
        long limit = ChargeLimitPages(mm);                    // EN-5
        if (locked > limit && !mm.CapIpcLock)
        {
            Ctx.UpWrite(mm.MmapSem, Omit.MmapSemOnCharge);
            return -Errno.ENOMEM;                             // EN-5
        }
        AddLockedVm(mm, npages);                              // EN-5
        Ctx.UpWrite(mm.MmapSem, Omit.MmapSemOnCharge);
        data.StateCell.Write();
        data.Enabled = true;                                  // EN-5
        data.Payer = cur.Task;                                // EN-5 (adopted, FIND-4)
        return 0;
    }

    /// <summary>DIS-1 DISABLE: always 0.</summary>
    long Disable(TceContainer data, in Current cur)
    {
        data.Mutex.Lock();                                    // DIS-1
        DisableLocked(data, cur);                             // DIS-1 -> DIS-2
        data.Mutex.Unlock();
        return 0;
    }

    /// <summary>
    /// DIS-2 disable(data) (adopted: FIND-3, FIND-4, FIND-5), mutex held: the window is cleared (puts, flush)
    /// before the charge goes back to the payer's mm, alive or exited, never current's.
    /// </summary>
    protected internal void DisableLocked(TceContainer data, in Current cur)
    {
        data.StateCell.Read();
        // Stryker disable once Statement
        if (!data.Enabled) return;                            // DIS-2
        data.StateCell.Write();
        data.Enabled = false;                                 // DIS-2
        data.TblCell.Read();
        var tbl = data.Tbl;
        if (tbl is not null)
        {
            if (!Ctx.Omits(Omit.DisableClearWindow))
            {
                // DIS-2 (adopted, FIND-3) -> TBL-7, with DIS-2's flush made before the puts (adopted, FIND-28)
                tbl.ClearAndPut(tbl.ItOffset, tbl.ItSize, Omit.FlushBeforePutOnDisable);
            }
            // DIS-2 (adopted, FIND-4, FIND-5): the payer's mm, alive or exited; the literal code uses current's.
            var mm = Ctx.Omits(Omit.UnchargePayer) ? cur.Mm : data.Payer?.Mm;
            if (mm is not null && !Ctx.Omits(Omit.Uncharge))
            {
                Ctx.DownWrite(mm.MmapSem, Omit.MmapSemOnUncharge); // DIS-2, LOCK-5
                mm.LockedVmCell.Write();
                AddLockedVm(mm, -ChargePages(tbl));           // DIS-2 (FIND-6)
                Ctx.UpWrite(mm.MmapSem, Omit.MmapSemOnUncharge);
            }
        }
        data.Payer = null;                                    // DIS-2
    }
}
