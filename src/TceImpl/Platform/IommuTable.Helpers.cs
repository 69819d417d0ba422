using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Platform;

/// <summary>The IOMMU-table helpers of table.md (TBL-4 .. TBL-10), one method each.</summary>
internal partial class IommuTable
{
    /// <summary>
    /// TBL-4 put_param_check(ioba, tce): checks the first entry of a mapping only (MAP-9 checks its end).
    /// </summary>
    protected internal virtual int PutParamCheck(ulong ioba, ulong tce)
    {
        if ((tce & Abi.TcePermMask) == 0) return -Errno.EINVAL;                       // TBL-4: no permission
        if ((tce & ~(Abi.IommuPageMask | Abi.TcePermMask)) != 0) return -Errno.EINVAL; // TBL-4: stray bits
        if ((ioba & ~Abi.IommuPageMask) != 0) return -Errno.EINVAL;                    // TBL-4: ioba unaligned
        // Stryker disable once Bitwise : ioba is unsigned, so >>> is the same shift.
        if ((ioba >> Abi.IommuPageShift) < (ulong)ItOffset) return -Errno.EINVAL;       // TBL-4: below the window
        // Stryker disable once Bitwise : ioba is unsigned, so >>> is the same shift.
        if ((ioba >> Abi.IommuPageShift) + 1 > (ulong)WindowEnd) return -Errno.EINVAL;  // TBL-4: past the window
        return 0;
    }

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
        BuildLockPool(k);                                                   // TBL-5, TBL-3
        _poolTces[k].Write();
        int ret = BuildInUseCheck(LoadTce(entry));                          // TBL-5: in use, nothing written
        if (ret != 0)
        {
            BuildUnlockPool(k);
            return ret;
        }
        if (countdown != 0 && --countdown == 0)
        {
            BuildUnlockPool(k);
            return -Errno.EIO;                                              // HOST-7: the injected failure
        }
        StoreTce(k, entry, tce);
        _flushPending.Set(1);                                               // TBL-5
        BuildUnlockPool(k);
        return 0;
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

    /// <summary>TBL-6 with the HOST-7 countdown the caller took (<see cref="TakeCountdown"/>).</summary>
    internal int PutUserMode(in Current cur, long entry, ulong tce, ref long countdown)
    {
        var mm = cur.Mm;
        if (mm is null) return -Errno.EFAULT;                                // TBL-6: current has no mm
        ulong pageMask = ~((1UL << PageShift) - 1);
        int ret = mm.GetUserPage(tce & pageMask, (tce & Abi.TcePciWrite) != 0, out long pfn); // TBL-6
        if (ret != 0) return ret;                                           // TBL-6: -EFAULT, nothing pinned
        ulong hwaddr = ((ulong)pfn << PageShift) + (tce & ~pageMask & Abi.IommuPageMask);
        ret = Build(entry, hwaddr | (tce & Abi.TcePermMask), ref countdown);
        if (ret != 0) PutUserModeUndo(pfn);                                  // TBL-6: undo the pin, dirty untouched
        return ret;
    }

    /// <summary>
    /// TBL-7 clear_and_put(entry, n): each in-use entry of the range, ascending, under its pool lock, is set to 0
    /// (flush_pending = 1) and its page dirtied (if WRITE) and put. Entries not in use are skipped, 64 at a time.
    /// Returns 0; a range leaving the storage (only a broken variant asks) clears the part inside and gives -EIO.
    /// </summary>
    internal int ClearAndPut(long entry, long n)
    {
        if (n <= 0) return 0;
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
        long pos = entry;
        while (pos < end)
        {
            int k = PoolOf(pos);
            long segEnd = Math.Min(end, PoolEnd(k));
            _poolLock[k].Lock();                                             // TBL-7, TBL-3
            _poolTces[k].Write();
            if (ClearRangeLocked(pos, segEnd, put: true) != 0) _flushPending.Set(1); // TBL-7
            _poolLock[k].Unlock();
            pos = segEnd;
        }
        return ret;
    }

    /// <summary>
    /// HOST-7 under concurrency (LOCK-10): the writes of one MAP consume the countdown as one step. The MAP holds the
    /// table's inject lock from before its first write to after its last (<see cref="ReturnCountdown"/>), and an
    /// inject takes it too, so an inject that overlaps a MAP takes effect wholly before it or wholly after it.
    /// Consumed one write at a time, an inject could land between two writes of one MAP (FIND-24); claimed at the
    /// start with no lock, an inject made during the MAP is ordered after it although the MAP saw later calls
    /// (FIND-25). Catalog hook (with <see cref="ReturnCountdown"/>): how a MAP takes the countdown.
    /// </summary>
    protected internal virtual long TakeCountdown()
    {
        _injectLock.Lock();
        return _countdown.Read();
    }

    /// <summary>HOST-7: stores what the MAP's writes left of the countdown <see cref="TakeCountdown"/> read, and lets
    /// injects in again (LOCK-10). Catalog hook: how the rest goes back.</summary>
    protected internal virtual void ReturnCountdown(long left)
    {
        _countdown.Set(left);
        _injectLock.Unlock();
    }

    /// <summary>The HOST-7 countdown itself, with no lock (for catalog variants of LOCK-10).</summary>
    protected internal IKAtomic Countdown => _countdown;

    /// <summary>TBL-8 flush: the device drops its cached translations.</summary>
    internal void Flush() => _flushPending.Set(0);

    /// <summary>
    /// TBL-9 take_ownership (adopted: FIND-7, FIND-8, FIND-9, FIND-10). All pool locks held: with bit 0 (the
    /// reserved entry, TBL-1) aside, any it_map bit means a host driver still maps something -> -EBUSY with the
    /// table unchanged; else every window bit is set, leftovers are cleared without a put, flush, new owner.
    /// </summary>
    internal int TakeOwnership(int ownerId)
    {
        OwnershipLockPools();                                   // TBL-9, LOCK-4 (FIND-9)
        if (ItOffset == 0) Bitmap.Clear(_itMap, 0, _itMapWords); // TBL-9: the reserved bit does not count
        if (Bitmap.AnySet(_itMap, 0, ItSize, _itMapWords))
        {
            TakeOwnershipRestoreBit0();                         // TBL-9 (FIND-7): the table unchanged
            OwnershipUnlockPools();
            return -Errno.EBUSY;                                // TBL-9: the host still has mappings
        }
        Bitmap.SetRange(_itMap, 0, ItSize, _itMapWords);        // TBL-9: the host allocator finds nothing free
        TakeOwnershipClearWindow();                             // TBL-9 (FIND-8): every leftover zeroed, no put
        OwnershipFlush();                                       // TBL-9 (FIND-10)
        _ownerCell.Write();
        _owner = ownerId;                                       // TBL-9: the container owns the table
        OwnershipUnlockPools();
        return 0;
    }

    /// <summary>
    /// TBL-10 release_ownership (adopted: FIND-9, FIND-10). All pool locks held: the window's in-use TCEs are
    /// cleared as TBL-7 (they hold the user's pins), it_map zeroed but for the reserved bit, flush, host owner.
    /// </summary>
    internal void ReleaseOwnership()
    {
        OwnershipLockPools();                                   // TBL-10, LOCK-4 (FIND-9)
        ClearWindowLocked(put: true);                           // TBL-10: as TBL-7
        Bitmap.ClearRange(_itMap, 0, ItSize, _itMapWords);      // TBL-10
        if (ItOffset == 0) Bitmap.Set(_itMap, 0, _itMapWords);  // TBL-10, TBL-1
        OwnershipFlush();                                       // TBL-10 (FIND-10)
        _ownerCell.Write();
        _owner = 0;                                             // TBL-10: back to the host
        OwnershipUnlockPools();
    }

    // ---------------------------------------------------------------- variant hooks (production behaviour)

    /// <summary>TBL-9/TBL-10 hold every pool lock (LOCK-4). FIND-9's literal code takes none.</summary>
    protected internal virtual void OwnershipLockPools() => LockAllPools();

    /// <summary>Counterpart of <see cref="OwnershipLockPools"/>.</summary>
    protected internal virtual void OwnershipUnlockPools() => UnlockAllPools();

    /// <summary>TBL-9 error path: bit 0 set again when it_offset is 0. FIND-7's literal code forgets it.</summary>
    protected internal virtual void TakeOwnershipRestoreBit0()
    {
        if (ItOffset == 0) Bitmap.Set(_itMap, 0, _itMapWords);
    }

    /// <summary>TBL-9: leftovers cleared without a put (nobody here pinned them). FIND-8's literal code puts them.</summary>
    protected internal virtual void TakeOwnershipClearWindow() => ClearWindowLocked(put: false, inUseOnly: false);

    /// <summary>TBL-9/TBL-10 end with a flush (TBL-8). FIND-10's literal code does not flush.</summary>
    protected internal virtual void OwnershipFlush() => Flush();

    // ---------------------------------------------------------------- catalog hooks (production behaviour)
    // Each is a point where one entry of the bug catalog (src/TceVariants, docs/catalog.md) deviates.

    /// <summary>TBL-5: the entry's pool lock around a build (LOCK-4).</summary>
    protected internal virtual void BuildLockPool(int k) => LockPoolAt(k);

    /// <summary>Counterpart of <see cref="BuildLockPool"/>.</summary>
    protected internal virtual void BuildUnlockPool(int k) => UnlockPoolAt(k);

    /// <summary>TBL-5: a build never replaces a TCE in use (-EBUSY).</summary>
    protected internal virtual int BuildInUseCheck(ulong old) => Abi.InUse(old) ? -Errno.EBUSY : 0;

    /// <summary>TBL-6: a failed build puts back the pin it took (dirty bit untouched).</summary>
    protected internal virtual void PutUserModeUndo(long pfn) => _mem.Put(pfn);

    /// <summary>HOST-4: the host allocator holds every pool lock (LOCK-4).</summary>
    protected internal virtual void HostAllocLockPools() => LockAllPools();

    /// <summary>Counterpart of <see cref="HostAllocLockPools"/>.</summary>
    protected internal virtual void HostAllocUnlockPools() => UnlockAllPools();

    /// <summary>HOST-5: the host free holds every pool lock (LOCK-4): it clears it_map bits, whose words pools share
    /// (LOCK-9), whatever the range <c>[entry, end)</c> it frees.</summary>
    protected internal virtual void HostFreeLockPools(long entry, long end) => LockAllPools();

    /// <summary>Counterpart of <see cref="HostFreeLockPools"/>.</summary>
    protected internal virtual void HostFreeUnlockPools(long entry, long end) => UnlockAllPools();
}
