using TceVerify.Contract;

namespace TceVerify.Model.Rules;

/// <summary>Host-side actions (HOST): the host DMA allocator, stale entries, platform write failures.</summary>
public static class HostRules
{
    /// <summary>PAGE-3 host_reuse(pfn): the host takes a free frame (owner host, generation + 1) and writes its data
    /// over the frame's first HostReuseBytes bytes.</summary>
    public static Step Reuse(World w, long pfn)
    {
        if (!w.IsFrame(pfn)) return Step.Fail(w, Errno.EINVAL);                           // PAGE-3: not a frame
        if (!w.IsFree(pfn)) return Step.Fail(w, Errno.EBUSY);                              // PAGE-3: not free (PAGE-1)
        w = PageRules.Reuse(w, pfn, FrameOwner.Host);                                     // PAGE-3, PAGE-2
        var bytes = w.Bytes.ToBuilder();
        long at = pfn << w.Config.PageShift;
        for (int i = 0; i < Memory.HostReuseBytes; i++)
            UserMemory.WritePhysical(bytes, at + i, Memory.HostReuseByte);                 // PAGE-3: the host's data
        return Step.Ok(w with { Bytes = bytes.ToImmutable() });
    }

    /// <summary>
    /// HOST-4 host_alloc(g, n), holding every pool lock (LOCK-4): the lowest window entry e such that the n entries
    /// from e have no it_map bit; sets the bits, writes HostTce into each (not subject to HOST-7), flushes. Returns e.
    /// </summary>
    public static Step Alloc(World w, int g, long n)
    {
        if (!w.Tables.TryGetValue(g, out var t)) return Step.Fail(w, Errno.ENOENT);       // HOST-1
        if (n < 1 || n > t.ItSize) return Step.Fail(w, Errno.EINVAL);                     // HOST-4: n out of range
        long found = -1;
        long run = 0;                                                                     // free entries ending at e
        for (long e = t.ItOffset; e < t.WindowEnd; e++)
        {
            run = t.ItMap.Contains(e) ? 0 : run + 1;
            if (run == n) { found = e - n + 1; break; }                                   // HOST-4: the lowest such e
        }
        if (found < 0) return Step.Fail(w, Errno.ENOSPC);                                 // HOST-4: no room
        var map = t.ItMap.ToBuilder();
        for (long e = found; e < found + n; e++)
        {
            map.Add(e);                                                                   // HOST-4: set the bits
            t = t.WithTce(e, Memory.HostTce(e));                                          // HOST-4: HostTce(e'), no HOST-7
        }
        t = t with { ItMap = map.ToImmutable(), FlushPending = true };                    // STATE-5: a TCE write
        w = TableRules.Flush(w.WithTable(t), g);                                          // HOST-4: then a flush (TBL-8)
        return Step.Ok(w, found);
    }

    /// <summary>
    /// HOST-5 host_free(g, e, n), holding every pool lock: every entry of [e, e + n) must be in the window, have its
    /// bit and hold HostTce(entry); each TCE set to 0 (no put), each bit cleared, then a flush.
    /// </summary>
    public static Step Free(World w, int g, long e, long n)
    {
        if (!w.Tables.TryGetValue(g, out var t)) return Step.Fail(w, Errno.ENOENT);       // HOST-1
        if (n < 1) return Step.Fail(w, Errno.EINVAL);                                     // HOST-5: n < 1
        if (e < t.ItOffset || e >= t.WindowEnd || n > t.WindowEnd - e)
            return Step.Fail(w, Errno.EINVAL);                                            // HOST-5: an entry outside the window
        for (long x = e; x < e + n; x++)
        {
            if (!t.ItMap.Contains(x)) return Step.Fail(w, Errno.EINVAL);                  // HOST-5: without its bit
            if (t.Tce(x) != Memory.HostTce(x)) return Step.Fail(w, Errno.EINVAL);         // HOST-5: not holding HostTce
        }
        var map = t.ItMap.ToBuilder();
        for (long x = e; x < e + n; x++)
        {
            t = t.WithTce(x, 0);                                                          // HOST-5: TCE 0, no put
            map.Remove(x);                                                                // HOST-5: bit cleared
        }
        t = t with { ItMap = map.ToImmutable(), FlushPending = true };                    // STATE-5: a TCE write
        return Step.Ok(TableRules.Flush(w.WithTable(t), g));                              // HOST-5: then a flush
    }

    /// <summary>HOST-6 host_write_stale(g, e, tce): a raw TCE with no pin and no bit, under e's pool lock, then a flush.</summary>
    public static Step WriteStale(World w, int g, long e, ulong tce)
    {
        if (!w.Tables.TryGetValue(g, out var t)) return Step.Fail(w, Errno.ENOENT);       // HOST-1
        if (!t.InWindow(e)) return Step.Fail(w, Errno.EINVAL);                            // HOST-6: outside the window
        if (t.Owner is not null) return Step.Fail(w, Errno.EBUSY);                        // HOST-6: owned by a container
        t = t.WithTce(e, tce) with { FlushPending = true };                               // HOST-6: raw value, no pin, no bit
        return Step.Ok(TableRules.Flush(w.WithTable(t), g));                              // HOST-6: then a flush
    }

    /// <summary>HOST-7 inject(g, n): the countdown is set to n; the TBL-5 write that brings it to 0 fails.</summary>
    public static Step Inject(World w, int g, int n)
    {
        if (!w.Tables.TryGetValue(g, out var t)) return Step.Fail(w, Errno.ENOENT);       // HOST-1
        if (n < 1) return Step.Fail(w, Errno.EINVAL);                                     // HOST-7: n < 1
        return Step.Ok(w.WithTable(t with { Countdown = n }));                            // HOST-7: countdown = n
    }
}
