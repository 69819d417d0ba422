using System.Numerics;
using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Platform;

/// <summary>
/// Word-level operations on bitmaps stored as <c>ulong[]</c> (bit i is bit i % 64 of word i / 64). Every range
/// operation touches whole 64-bit words and skips empty ones, so window-scale scans cost words, not entries.
/// Indices are relative to the bitmap; ranges are half-open <c>[from, end)</c>.
/// A bitmap whose words several locks share (LOCK-9) passes its <see cref="ISharedWords"/>: every word loaded is
/// reported before the load, and every word stored is a read-modify-write reported as a read and then a write
/// (<see cref="Update"/>). With no cells (production) the operations are the plain word operations.
/// </summary>
internal static class Bitmap
{
    /// <summary>The word holding bit <paramref name="i"/> (i >= 0).</summary>
    // Stryker disable once Bitwise
    internal static long WordOf(long i) => i >> 6;

    internal static int Words(long bits) => (int)WordOf(bits + 63);

    internal static bool Test(ulong[] map, long i, ISharedWords? cells = null) => (Load(map, WordOf(i), cells) & (1UL << (int)(i & 63))) != 0;

    internal static void Set(ulong[] map, long i, ISharedWords? cells = null) => Update(map, WordOf(i), 1UL << (int)(i & 63), 0, cells);

    internal static void Clear(ulong[] map, long i, ISharedWords? cells = null) => Update(map, WordOf(i), 0, 1UL << (int)(i & 63), cells);

    /// <summary>Word <paramref name="w"/>, reported as a read.</summary>
    internal static ulong Load(ulong[] map, long w, ISharedWords? cells)
    {
        cells?.Read(w);
        return map[w];
    }

    /// <summary>
    /// Word <paramref name="w"/> gets the bits of <paramref name="set"/> and loses those of <paramref name="clear"/>:
    /// a read, then a write of what was computed from the value read (two scheduling points under the controlled
    /// layer, so a concurrent store in between is lost, as it would be on hardware without the word's locks).
    /// </summary>
    internal static void Update(ulong[] map, long w, ulong set, ulong clear, ISharedWords? cells)
    {
        if (cells is null)
        {
            map[w] = (map[w] | set) & ~clear;
            return;
        }
        cells.Read(w);
        ulong old = map[w];
        cells.Write(w);
        map[w] = (old | set) & ~clear;
    }

    /// <summary>Mask of the bits of word <paramref name="w"/> that lie in [from, end).</summary>
    static ulong WordMask(long w, long from, long end)
    {
        long lo = w << 6;
        ulong mask = ~0UL;
        // Stryker disable once Equality,Arithmetic
        if (from > lo) mask &= ~0UL << (int)(from - lo);
        // Stryker disable once Arithmetic
        if (end < lo + 64) mask &= (1UL << (int)(end - lo)) - 1;
        return mask;
    }

    internal static void SetRange(ulong[] map, long from, long end, ISharedWords? cells = null)
    {
        // Stryker disable once Equality,Statement
        if (from >= end) return;
        long wFirst = WordOf(from), wLast = WordOf(end - 1);
        for (long w = wFirst; w <= wLast; w++) Update(map, w, WordMask(w, from, end), 0, cells);
    }

    internal static void ClearRange(ulong[] map, long from, long end, ISharedWords? cells = null)
    {
        // Stryker disable once Equality,Statement
        if (from >= end) return;
        long wFirst = WordOf(from), wLast = WordOf(end - 1);
        for (long w = wFirst; w <= wLast; w++) Update(map, w, 0, WordMask(w, from, end), cells);
    }

    internal static bool AnySet(ulong[] map, long from, long end, ISharedWords? cells = null) => NextSet(map, from, end, cells) < end;

    /// <summary>The first set bit in [from, end), or <paramref name="end"/>.</summary>
    internal static long NextSet(ulong[] map, long from, long end, ISharedWords? cells = null)
    {
        // Stryker disable once Equality
        if (from >= end) return end;
        long wFirst = WordOf(from), wLast = WordOf(end - 1);
        for (long w = wFirst; w <= wLast; w++)
        {
            ulong bits = Load(map, w, cells) & WordMask(w, from, end);
            if (bits != 0) return (w << 6) + BitOperations.TrailingZeroCount(bits);
        }
        return end;
    }

    /// <summary>The first clear bit in [from, end), or <paramref name="end"/>.</summary>
    internal static long NextClear(ulong[] map, long from, long end, ISharedWords? cells = null)
    {
        // Stryker disable once Equality
        if (from >= end) return end;
        long wFirst = WordOf(from), wLast = WordOf(end - 1);
        for (long w = wFirst; w <= wLast; w++)
        {
            ulong bits = ~Load(map, w, cells) & WordMask(w, from, end);
            if (bits != 0) return (w << 6) + BitOperations.TrailingZeroCount(bits);
        }
        return end;
    }

    /// <summary>The lowest i such that bits [i, i + n) are all clear and i + n &lt;= size, or -1.</summary>
    internal static long FindClearRun(ulong[] map, long size, long n, ISharedWords? cells = null)
    {
        long pos = 0;
        while (true)
        {
            long start = NextClear(map, pos, size, cells);
            if (start + n > size) return -1;     // also ends the scan: start >= pos
            long blocker = NextSet(map, start, start + n, cells);
            if (blocker == start + n) return start;
            pos = blocker + 1;
        }
    }

    /// <summary>The set bits as inclusive ranges, offset by <paramref name="bias"/>.</summary>
    internal static List<(long First, long Last)> Ranges(ulong[] map, long size, long bias)
    {
        var result = new List<(long, long)>();
        long i = NextSet(map, 0, size);
        while (i < size)
        {
            long end = NextClear(map, i, size);
            result.Add((i + bias, end - 1 + bias));
            i = NextSet(map, end, size);
        }
        return result;
    }
}
