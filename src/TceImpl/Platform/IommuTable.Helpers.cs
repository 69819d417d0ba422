using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Platform;

/// <summary>The IOMMU-table helpers of table.md (TBL-5 .. TBL-10), one method each; TBL-4, which catalog entries
/// change, is in IommuTable.Hooks.cs.</summary>
internal partial class IommuTable
{
    /// <summary>One build on its own (<see cref="Build(long, ulong, ref long)"/>), taking the countdown and giving back the rest.</summary>
    internal int Build(long entry, ulong tce)
    {
        long countdown = TakeCountdown();
        int ret = Build(entry, tce, ref countdown);
        ReturnCountdown(countdown);
        return ret;
    }

    /// <summary>
    /// TBL-5 build(entry, tce): under the entry's pool lock, an entry in use is never replaced (-EBUSY);
    /// otherwise the platform write, which HOST-7 may fail with -EIO, sets the TCE and flush_pending.
    /// <paramref name="countdown"/> is the HOST-7 countdown the caller took (<see cref="TakeCountdown"/>).
    /// </summary>
    internal int Build(long entry, ulong tce, ref long countdown)
    {
        if (entry < StorageStart || entry >= StorageEnd) return -Errno.EIO; // TBL-2: the hypervisor rejects it
        int k = PoolOf(entry);
        bool locks = !Omits(Omit.PoolLockOnBuild);
        if (locks) _poolLock[k].Lock();                                     // TBL-5, TBL-3
        _poolTces[k].Write();
        int ret = 0;
        if (Abi.InUse(LoadTce(entry)) && !Omits(Omit.BuildInUseCheck))
            ret = -Errno.EBUSY;                                             // TBL-5: in use, nothing written
        else if (countdown != 0 && --countdown == 0)
            ret = -Errno.EIO;                                               // HOST-7: the injected failure
        else
        {
            StoreTce(k, entry, tce);
            _flushPending.Set(1);                                           // TBL-5
        }
        if (locks) _poolLock[k].Unlock();
        return ret;
    }

    /// <summary>
    /// TBL-6 put_user_mode(entry, tce), tce = user address | perms: pin the system page (current's address space),
    /// build the TCE pointing at the 4 KiB piece of it, and put the pin back if the build fails.
    /// </summary>
    internal int PutUserMode(in Current cur, long entry, ulong tce)
    {
        long countdown = TakeCountdown();
        int ret = PutUserMode(cur, entry, tce, ref countdown);
        ReturnCountdown(countdown);
        return ret;
    }

    /// <summary>TBL-6 with the HOST-7 countdown the caller took (<see cref="TakeCountdown"/>); with
    /// <paramref name="mmapSemHeld"/> the caller holds current's mmap_sem for reading (MAP-10, FIND-31).</summary>
    internal int PutUserMode(in Current cur, long entry, ulong tce, ref long countdown, bool mmapSemHeld = false)
    {
        var mm = cur.Mm;
        if (mm is null) return -Errno.EFAULT;                                // TBL-6: current has no mm
        ulong pageMask = ~((1UL << PageShift) - 1);
        int ret = mm.GetUserPage(tce & pageMask, (tce & Abi.TcePciWrite) != 0, out long pfn, mmapSemHeld); // TBL-6
        if (ret != 0) return ret;                                           // TBL-6: -EFAULT, nothing pinned
        ulong hwaddr = ((ulong)pfn << PageShift) + (tce & ~pageMask & Abi.IommuPageMask);
        ret = Build(entry, hwaddr | (tce & Abi.TcePermMask), ref countdown);
        if (ret != 0 && !Omits(Omit.PutUserModeUndo)) _mem.Put(pfn);        // TBL-6: undo the pin, dirty untouched
        return ret;
    }

    /// <summary>
    /// TBL-7 clear_and_put(entry, n) (adopted, FIND-26 .. FIND-28): each in-use entry of the range, ascending, under its
    /// pool lock, is set to 0 (flush_pending = 1) and its old value kept; entries not in use are skipped, 64 at a time.
    /// Then the caller's flush (UNMAP-9, MAP-12, DIS-2; <paramref name="flushSite"/> names it for the variants that drop
    /// it), and only then each kept page is dirtied (if WRITE) and put, so no page is released while the device may hold
    /// a cached translation to it (INV-12). A machine that omits <paramref name="orderSite"/> puts inside the loop,
    /// before that flush: the literal order.
    /// Returns 0; a range leaving the storage (only a broken variant asks) clears the part inside and gives -EIO.
    /// </summary>
    internal int ClearAndPut(long entry, long n, Omit orderSite = Omit.None, Omit flushSite = Omit.None)
    {
        if (n <= 0)
        {
            if (!Omits(flushSite)) Flush();                                  // TBL-7 (2)
            return 0;
        }
        long end = entry + n;
        int ret = 0;
        if (entry < StorageStart)
        {
            ret = -Errno.EIO;                                                // TBL-2
            entry = StorageStart;
        }
        if (end > StorageEnd)
        {
            ret = -Errno.EIO;                                                // TBL-2
            end = StorageEnd;
        }
        var deferred = Omits(orderSite) ? default : DeferredPuts.Collecting();
        long pos = entry;
        while (pos < end)
        {
            int k = PoolOf(pos);
            long segEnd = Math.Min(end, PoolEnd(k));
            _poolLock[k].Lock();                                             // TBL-7 (1), TBL-3
            _poolTces[k].Write();
            if (ClearRangeLocked(pos, segEnd, true, true, ref deferred) != 0) _flushPending.Set(1); // TBL-7 (1)
            _poolLock[k].Unlock();
            pos = segEnd;
        }
        if (!Omits(flushSite)) Flush();                                      // TBL-7 (2), TBL-8
        deferred.PutAll(this);                                               // TBL-7 (3)
        return ret;
    }

    /// <summary>TBL-8 flush: the table's translation cache is invalidated (DEV-3), flush_pending = 0.</summary>
    internal void Flush()
    {
        if (!Omits(Omit.FlushInvalidation)) InvalidateTranslations();       // TBL-8, DEV-3
        _flushPending.Set(0);                                                // TBL-8
    }

    /// <summary>
    /// TBL-9 take_ownership (adopted: FIND-7, FIND-8, FIND-9, FIND-10). All pool locks held: with bit 0 (the
    /// reserved entry, TBL-1) aside, any it_map bit means a host driver still maps something -> -EBUSY with the
    /// table unchanged; else every window bit is set, leftovers are cleared without a put, flush, new owner.
    /// </summary>
    internal int TakeOwnership(int ownerId)
    {
        LockPools(Omit.PoolLocksOnOwnership, ItOffset, WindowEnd); // TBL-9, LOCK-4 (adopted, FIND-9)
        if (ItOffset == 0) Bitmap.Clear(_itMap, 0, _itMapWords); // TBL-9: the reserved bit does not count
        if (Bitmap.AnySet(_itMap, 0, ItSize, _itMapWords))
        {
            if (ItOffset == 0 && !Omits(Omit.TakeOwnershipRestoreBit0))
                Bitmap.Set(_itMap, 0, _itMapWords);             // TBL-9 (adopted, FIND-7): the table unchanged
            UnlockPools(Omit.PoolLocksOnOwnership, ItOffset, WindowEnd);
            return -Errno.EBUSY;                                // TBL-9: the host still has mappings
        }
        Bitmap.SetRange(_itMap, 0, ItSize, _itMapWords);        // TBL-9: the host allocator finds nothing free
        if (!Omits(Omit.TakeOwnershipClear))                    // TBL-9: every leftover zeroed ...
        {
            bool put = Omits(Omit.TakeOwnershipClearWithoutPut);
            ClearWindowLocked(put, inUseOnly: put);             // ... without a put (adopted, FIND-8)
        }
        if (!Omits(Omit.OwnershipFlush)) Flush();              // TBL-9 (adopted, FIND-10)
        _ownerCell.Write();
        _owner = ownerId;                                       // TBL-9: the container owns the table
        UnlockPools(Omit.PoolLocksOnOwnership, ItOffset, WindowEnd);
        return 0;
    }

    /// <summary>
    /// TBL-10 release_ownership (adopted: FIND-9, FIND-10, FIND-29). All pool locks held: the window's in-use TCEs are
    /// cleared, it_map zeroed but for the reserved bit, flush, then their pages put as TBL-7 (they held the user's
    /// pins), host owner.
    /// </summary>
    internal void ReleaseOwnership()
    {
        LockPools(Omit.PoolLocksOnOwnership, ItOffset, WindowEnd); // TBL-10, LOCK-4 (adopted, FIND-9)
        var deferred = Omits(Omit.FlushBeforePutOnRelease) ? default : DeferredPuts.Collecting();
        ClearWindowLocked(true, true, ref deferred);            // TBL-10: clear, keeping the old values (FIND-29)
        Bitmap.ClearRange(_itMap, 0, ItSize, _itMapWords);      // TBL-10
        if (ItOffset == 0) Bitmap.Set(_itMap, 0, _itMapWords);  // TBL-10, TBL-1
        if (!Omits(Omit.OwnershipFlush)) Flush();              // TBL-10 (adopted, FIND-10)
        deferred.PutAll(this);                                  // TBL-10: the puts after the flush (adopted, FIND-29)
        _ownerCell.Write();
        _owner = 0;                                             // TBL-10: back to the host
        UnlockPools(Omit.PoolLocksOnOwnership, ItOffset, WindowEnd);
    }
}
