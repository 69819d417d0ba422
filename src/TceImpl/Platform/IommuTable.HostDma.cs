using TceVerify.Contract;

namespace TceVerify.Impl.Platform;

/// <summary>The host side of the table (HOST-4 .. HOST-7): the host DMA allocator and the fault hooks.</summary>
internal partial class IommuTable
{
    /// <summary>
    /// HOST-4 host_alloc(n): every pool lock held, the lowest run of n entries without an it_map bit gets its
    /// bits and host TCEs (not subject to HOST-7), then a flush. Returns the first entry (absolute).
    /// </summary>
    internal long HostAlloc(long n)
    {
        if (n < 1 || n > ItSize) return -Errno.EINVAL;          // HOST-4
        LockPools(Omit.PoolLocksOnHostAlloc, ItOffset, WindowEnd);                                   // HOST-4, LOCK-4
        long rel = Bitmap.FindClearRun(_itMap, ItSize, n, _itMapWords);
        if (rel < 0)
        {
            UnlockPools(Omit.PoolLocksOnHostAlloc, ItOffset, WindowEnd);
            return -Errno.ENOSPC;                               // HOST-4: no free run (or a container owns it)
        }
        Bitmap.SetRange(_itMap, rel, rel + n, _itMapWords);
        long first = ItOffset + rel, end = first + n;
        for (long pos = first; pos < end;)
        {
            int k = PoolOf(pos);
            long segEnd = Math.Min(end, PoolEnd(k));
            _poolTces[k].Write();
            for (long e = pos; e < segEnd; e++) StoreTce(k, e, Memory.HostTce(e));
            pos = segEnd;
        }
        // Stryker disable once Statement
        _flushPending.Set(1);                                   // STATE-5: a TCE write
        Flush();                                                // HOST-4
        UnlockPools(Omit.PoolLocksOnHostAlloc, ItOffset, WindowEnd);
        return first;
    }

    /// <summary>
    /// HOST-5 host_free(e, n): every entry of the range must be in the window, hold its it_map bit and its host
    /// TCE (-EINVAL otherwise, nothing changed); then, all pool locks held, TCEs zeroed (no put), bits cleared, flush.
    /// </summary>
    internal int HostFree(long entry, long n)
    {
        if (n < 1) return -Errno.EINVAL;                                            // HOST-5
        if (entry < ItOffset || n > WindowEnd - entry) return -Errno.EINVAL;        // HOST-5: window (n >= 1)
        long end = entry + n;
        LockPools(Omit.PoolLocksOnHostFree, entry, end);                                              // HOST-5, LOCK-4
        for (long pos = entry; pos < end;)
        {
            int k = PoolOf(pos);
            long segEnd = Math.Min(end, PoolEnd(k));
            _poolTces[k].Read();
            for (long e = pos; e < segEnd; e++)
            {
                if (!Bitmap.Test(_itMap, e - ItOffset, _itMapWords) || LoadTce(e) != Memory.HostTce(e))
                {
                    UnlockPools(Omit.PoolLocksOnHostFree, entry, end);
                    return -Errno.EINVAL;                                           // HOST-5: not the host's mapping
                }
            }
            pos = segEnd;
        }
        for (long pos = entry; pos < end;)
        {
            int k = PoolOf(pos);
            long segEnd = Math.Min(end, PoolEnd(k));
            _poolTces[k].Write();
            for (long e = pos; e < segEnd; e++) StoreTce(k, e, 0);                  // HOST-5: no put, host memory
            pos = segEnd;
        }
        // Stryker disable once Statement
        _flushPending.Set(1);
        Bitmap.ClearRange(_itMap, entry - ItOffset, end - ItOffset, _itMapWords);
        Flush();                                                                    // HOST-5
        UnlockPools(Omit.PoolLocksOnHostFree, entry, end);
        return 0;
    }

    /// <summary>
    /// HOST-6 host_write_stale(e, tce): a raw TCE with no allocator bit and no pin, under e's pool lock, then a
    /// flush; refused (-EBUSY) while a container owns the table.
    /// </summary>
    internal int HostWriteStale(long entry, ulong tce)
    {
        if (entry < ItOffset || entry >= WindowEnd) return -Errno.EINVAL;          // HOST-6
        int k = PoolOf(entry);
        _poolLock[k].Lock();                                                        // HOST-6, LOCK-3
        _ownerCell.Read();
        if (_owner != 0 && !Omits(Omit.HostWriteOwnerCheck))
        {
            _poolLock[k].Unlock();
            return -Errno.EBUSY;                                                    // HOST-6: a container owns it
        }
        _poolTces[k].Write();
        StoreTce(k, entry, tce);
        // Stryker disable once Statement
        _flushPending.Set(1);
        _poolLock[k].Unlock();
        Flush();                                                                    // HOST-6
        return 0;
    }

    /// <summary>HOST-7 inject(n): the n-th next TBL-5 platform write fails with -EIO.</summary>
    internal int InjectWriteFailure(int n)
    {
        if (n < 1) return -Errno.EINVAL;                                            // HOST-7
        _injectLock.Lock();                                                         // LOCK-10: never inside a MAP
        _countdown.Set(n);
        _injectLock.Unlock();
        return 0;
    }
}
