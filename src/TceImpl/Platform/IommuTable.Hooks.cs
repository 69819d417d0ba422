using TceVerify.Contract;
using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Platform;

/// <summary>
/// The table's catalog hooks: a rule a catalog entry (src/TceVariants, docs/catalog.md) changes rather than omits
/// (<see cref="Omit"/>), each holding the production rule. <see cref="ClearPoolRangeLocked"/>, the word-by-word scan,
/// is virtual where it stands in IommuTable.cs.
/// </summary>
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
        // Stryker disable once Bitwise
        if ((ioba >> Abi.IommuPageShift) < (ulong)ItOffset) return -Errno.EINVAL;       // TBL-4: below the window
        // Stryker disable once Bitwise
        if ((ioba >> Abi.IommuPageShift) + 1 > (ulong)WindowEnd) return -Errno.EINVAL;  // TBL-4: past the window
        return 0;
    }

    /// <summary>
    /// The pool locks of a whole-table operation (LOCK-4): every pool, ascending, at <paramref name="site"/> (HOST-4,
    /// HOST-5, TBL-9, TBL-10), unless the machine omits that site. HOST-5 takes every lock whatever the range
    /// <c>[first, end)</c> it frees: it clears it_map bits, whose words pools share (LOCK-9).
    /// </summary>
    protected internal virtual void LockPools(Omit site, long first, long end)
    {
        if (!Omits(site)) LockAllPools();
    }

    /// <summary>Counterpart of <see cref="LockPools"/>.</summary>
    protected internal virtual void UnlockPools(Omit site, long first, long end)
    {
        if (!Omits(site)) UnlockAllPools();
    }

    /// <summary>TBL-7: the page an old TCE pointed at gets its dirty bit if the device could write it, then a put.</summary>
    protected internal virtual void PutTcePage(ulong old)
    {
        // Stryker disable once Bitwise
        long pfn = (long)((old & Abi.IommuPageMask) >> PageShift);
        if ((old & Abi.TcePciWrite) != 0) _mem.SetDirty(pfn);
        _mem.Put(pfn);
    }

    /// <summary>
    /// HOST-7 under concurrency (LOCK-10): the writes of one MAP consume the countdown as one step. The MAP holds the
    /// table's inject lock from before its first write to after its last (<see cref="ReturnCountdown"/>), and an
    /// inject takes it too, so an inject that overlaps a MAP takes effect wholly before it or wholly after it.
    /// Consumed one write at a time, an inject could land between two writes of one MAP (FIND-24); claimed at the
    /// start with no lock, an inject made during the MAP is ordered after it although the MAP saw later calls
    /// (FIND-25).
    /// </summary>
    protected internal virtual long TakeCountdown()
    {
        _injectLock.Lock();
        return _countdown.Read();
    }

    /// <summary>HOST-7: stores what the MAP's writes left of the countdown <see cref="TakeCountdown"/> read, and lets
    /// injects in again (LOCK-10).</summary>
    protected internal virtual void ReturnCountdown(long left)
    {
        _countdown.Set(left);
        _injectLock.Unlock();
    }

    /// <summary>
    /// TBL-8, DEV-3: the platform invalidates the table's whole translation cache, waiting for the DMA in flight (the
    /// cache's lock). DEV-4: before the first DMA there is no cache and nothing to wait for. The full fence pairs with
    /// the publication of the cache in <see cref="Iotlb"/>: either the DMA sees the TCEs this flush follows, or this
    /// flush sees its cache.
    /// </summary>
    protected internal virtual void InvalidateTranslations()
    {
        Interlocked.MemoryBarrier();
        var cache = Volatile.Read(ref _iotlb);
        if (cache is null) return;                              // DEV-4: no device ever ran
        cache.Lock();
        cache.InvalidateAll();                                  // DEV-3
        cache.Unlock();
    }

    /// <summary>The HOST-7 countdown itself, with no lock (for the catalog's variants of LOCK-10).</summary>
    protected internal IKAtomic Countdown => _countdown;
}
