using System.Collections.Immutable;
using TceVerify.Contract;

namespace TceVerify.Model.Rules;

/// <summary>STATE-2: pins, puts and dirty bits of physical frames; PAGE-2: their reuse.</summary>
public static class PageRules
{
    /// <summary>STATE-2: a pin adds 1 to the frame's count.</summary>
    public static World Pin(World w, long pfn) => Change(w, pfn, +1, setDirty: false);

    /// <summary>STATE-2: a put removes 1 from the frame's count.</summary>
    public static World Put(World w, long pfn) => Change(w, pfn, -1, setDirty: false);

    /// <summary>STATE-2 on a builder of the page map (used by the per-entry loops of TBL-7).</summary>
    public static void Change(World w, ImmutableSortedDictionary<long, PageState>.Builder pages, long pfn, long delta, bool setDirty)
    {
        if (!w.IsFrame(pfn)) return;                                             // STATE-2: host memory has no count
        var p = pages.TryGetValue(pfn, out var s) ? s : new PageState(Memory.BaseRefCount(pfn), false);
        pages[pfn] = p with { RefCount = p.RefCount + delta, Dirty = p.Dirty || setDirty };
    }

    /// <summary>PAGE-2: a free frame is given to <paramref name="owner"/>: generation + 1, owner recorded.</summary>
    public static World Reuse(World w, long pfn, int owner)
    {
        var p = w.Page(pfn);
        return w with { Pages = w.Pages.SetItem(pfn, p with { Generation = p.Generation + 1, Owner = owner }) };
    }

    static World Change(World w, long pfn, long delta, bool setDirty)
    {
        var pages = w.Pages.ToBuilder();
        Change(w, pages, pfn, delta, setDirty);
        return w with { Pages = pages.ToImmutable() };
    }
}
