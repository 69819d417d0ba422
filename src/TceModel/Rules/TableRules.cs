using System.Collections.Immutable;
using TceVerify.Contract;

namespace TceVerify.Model.Rules;

/// <summary>
/// The IOMMU-table helpers (TBL). Tables are named by their group id. TBL-3 pool locks and LOCK-4 are held around
/// every read-modify-write below; the model is sequential, so they leave no trace here.
/// </summary>
public static class TableRules
{
    /// <summary>TBL-4 put_param_check(ioba, tce): 0 or -EINVAL. Checks the first entry only (MAP-9 checks the end).</summary>
    public static long PutParamCheck(Table t, ulong ioba, ulong tce)
    {
        if ((tce & Abi.TcePermMask) == 0) return -Errno.EINVAL;                          // TBL-4: neither READ nor WRITE
        if ((tce & ~(Abi.IommuPageMask | Abi.TcePermMask)) != 0) return -Errno.EINVAL;  // TBL-4: stray bits
        if ((ioba & ~Abi.IommuPageMask) != 0) return -Errno.EINVAL;                     // TBL-4: ioba not 4 KiB aligned
        if ((ioba >> Abi.IommuPageShift) < (ulong)t.ItOffset) return -Errno.EINVAL;      // TBL-4: below the window
        if ((ioba >> Abi.IommuPageShift) + 1 > (ulong)t.WindowEnd) return -Errno.EINVAL; // TBL-4: past the window
        return 0;
    }

    /// <summary>
    /// TBL-5 build(entry, value): an in-use entry -> -EBUSY, nothing written; else the platform write (TBL-2, HOST-7
    /// may fail it with -EIO, nothing written); on success the TCE holds the value and flush_pending = 1.
    /// </summary>
    public static Step Build(World w, int g, long entry, ulong value)
    {
        var t = w.Tables[g];
        if (Abi.InUse(t.Tce(entry))) return Step.Fail(w, Errno.EBUSY);                // TBL-5: in use, nothing written
        // The platform write.
        if (!t.InStorage(entry)) return Step.Fail(w, Errno.EIO);                          // TBL-2: the hypervisor rejects it
        if (t.Countdown != 0)                                                             // HOST-7: an injected failure pends
        {
            t = t with { Countdown = t.Countdown - 1 };                                   // HOST-7: each write decrements
            if (t.Countdown == 0) return new Step(w.WithTable(t), -Errno.EIO);            // HOST-7: the write reaching 0 fails
        }
        t = t.WithTce(entry, value) with { FlushPending = true };                         // TBL-5: written, flush_pending = 1
        return Step.Ok(w.WithTable(t));
    }

    /// <summary>
    /// TBL-6 put_user_mode(entry, tce): pins the system page holding tce &amp; PAGE_MASK in current's address space and
    /// builds the entry (TBL-5); a failed build puts the pin back (dirty bit untouched).
    /// </summary>
    public static Step PutUserMode(World w, Caller c, int g, long entry, ulong tce)
    {
        int shift = w.Config.PageShift;
        ulong pageMask = ~(w.Config.PageSize - 1);
        if (!c.HasMm) return Step.Fail(w, Errno.EFAULT);                                   // TBL-6: current has no mm
        var mm = w.MmOf(c.Pid);
        if (!mm.Vm.TryGetValue((tce & pageMask) >> shift, out var page))
            return Step.Fail(w, Errno.EFAULT);                                             // TBL-6: unmapped, nothing pinned
        if ((tce & Abi.TcePciWrite) != 0 && !page.Writable)
            return Step.Fail(w, Errno.EFAULT);                                             // TBL-6: WRITE on a read-only page
        var pinned = PageRules.Pin(w, page.Pfn);                                           // TBL-6: count + 1
        ulong hwaddr = ((ulong)page.Pfn << shift) + (tce & ~pageMask & Abi.IommuPageMask); // TBL-6: the 4 KiB page inside
        var built = Build(pinned, g, entry, hwaddr | (tce & Abi.TcePermMask));            // TBL-6 -> TBL-5
        if (built.Failed)
            return new Step(PageRules.Put(built.World, page.Pfn), built.Result);          // TBL-6: put the pin back
        return built;
    }

    /// <summary>
    /// TBL-7 clear_and_put(entry, n): for each entry ascending, an in-use TCE is set to 0 (flush_pending = 1) and the
    /// page it pointed at gets its dirty bit if the old value had WRITE, then a put. Entries not in use are skipped.
    /// Never fails (HOST-7: clears are not subject to injection).
    /// </summary>
    public static World ClearAndPut(World w, int g, long entry, long n)
    {
        var t = w.Tables[g];
        var tces = t.Tces.ToBuilder();
        var pages = w.Pages.ToBuilder();
        bool flushPending = t.FlushPending;
        for (long e = entry; e < entry + n; e++)
        {
            if (!tces.TryGetValue(e, out var old) || !Abi.InUse(old)) continue;          // TBL-7: not in use, skipped
            tces.Remove(e);                                                               // TBL-7: set to 0
            flushPending = true;                                                          // TBL-7: flush_pending = 1
            long pfn = (long)((old & Abi.IommuPageMask) >> w.Config.PageShift);           // TBL-7: the page it pointed at
            bool dirty = (old & Abi.TcePciWrite) != 0;                                    // TBL-7: dirty if old had WRITE
            PageRules.Change(w, pages, pfn, -1, setDirty: dirty);                         // TBL-7: then a put
        }
        t = t with { Tces = tces.ToImmutable(), FlushPending = flushPending };
        return w.WithTable(t) with { Pages = pages.ToImmutable() };
    }

    /// <summary>TBL-8 flush: the device drops cached translations; flush_pending = 0.</summary>
    public static World Flush(World w, int g) => w.WithTable(w.Tables[g] with { FlushPending = false });

    /// <summary>
    /// TBL-9 take ownership (adopted: FIND-7, FIND-8, FIND-9, FIND-10), holding every pool lock (LOCK-4). -EBUSY leaves
    /// the table unchanged; success sets every window bit, clears every in-use window TCE without a put, flushes and
    /// makes the container the owner.
    /// </summary>
    public static Step TakeOwnership(World w, int g, int containerId)
    {
        var t = w.Tables[g];
        var map = t.ItOffset == 0 ? t.ItMap.Remove(0) : t.ItMap;                          // TBL-9, TBL-1: clear bit 0
        if (!map.IsEmpty)
            return Step.Fail(w, Errno.EBUSY);                                             // TBL-9 (FIND-7): bit 0 set again,
                                                                                          // i.e. the table as it was
        var window = ImmutableSortedSet.CreateRange(Entries(t.ItOffset, t.ItSize));     // TBL-9: every window bit set
        var tces = t.Tces.ToBuilder();
        bool flushPending = t.FlushPending;
        foreach (var (e, old) in t.Tces)                                                  // the non-zero storage TCEs
        {
            if (!t.InWindow(e)) continue;                                                 // TBL-9: every non-zero window TCE
            tces.Remove(e);                                                               // TBL-9 (FIND-8): set to 0, no put
            flushPending = true;                                                          // STATE-5: any TCE write
        }
        t = t with { ItMap = window, Tces = tces.ToImmutable(), FlushPending = flushPending };
        w = Flush(w.WithTable(t), g);                                                     // TBL-9 (FIND-10): flush
        return Step.Ok(w.WithTable(w.Tables[g] with { Owner = containerId }));            // TBL-9: the container owns it
    }

    /// <summary>
    /// TBL-10 release ownership (adopted: FIND-9, FIND-10), holding every pool lock (LOCK-4): every in-use window TCE
    /// cleared as TBL-7, it_map zeroed (bit 0 set again when it_offset == 0), a flush, the host owns it.
    /// </summary>
    public static World ReleaseOwnership(World w, int g)
    {
        var t = w.Tables[g];
        w = ClearAndPut(w, g, t.ItOffset, t.ItSize);                                      // TBL-10: clear as TBL-7
        var map = t.ItOffset == 0 ? ImmutableSortedSet.Create(0L) : ImmutableSortedSet<long>.Empty; // TBL-10, TBL-1
        w = w.WithTable(w.Tables[g] with { ItMap = map });
        w = Flush(w, g);                                                                  // TBL-10 (FIND-10): flush
        return w.WithTable(w.Tables[g] with { Owner = null });                            // TBL-10: the host owns it
    }

    /// <summary>The entries first .. first + count - 1, ascending.</summary>
    public static IEnumerable<long> Entries(long first, long count)
    {
        for (long e = first; e < first + count; e++)
            yield return e;
    }
}
