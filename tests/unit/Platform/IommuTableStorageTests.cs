using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.TestKit;
using Xunit;
using static TceVerify.Tests.Unit.IommuTableTests;

namespace TceVerify.Tests.Unit;

/// <summary>The table's storage primitives: the occupancy bitmap, clears that end on a word boundary, the window
/// clear at hand-over, and values without permissions.</summary>
public sealed class IommuTableStorageTests
{
    /// <summary>TBL-2: the occupancy bitmap stays exact through every writer: host allocation, host free (zeroes),
    /// stale host writes (including a zero), take-over, builds and clears.</summary>
    [Fact]
    [Spec("TBL-2", "TBL-5", "TBL-7", "TBL-9", "HOST-4", "HOST-5", "HOST-6")]
    public void The_occupancy_bitmap_marks_exactly_the_non_zero_entries()
    {
        var rng = new Random(4242);
        var (t, mem, g) = Table(0x3d, 300, 3);
        Assert.True(t.OccupancyIsExact());
        long a = t.HostAlloc(70), b = t.HostAlloc(5);
        Assert.True(a >= g.ItOffset && b >= g.ItOffset);
        Assert.True(t.OccupancyIsExact());
        Assert.Equal(0, t.HostFree(a, 70));
        Assert.True(t.OccupancyIsExact());
        Assert.Equal(0, t.HostWriteStale(g.ItOffset + 200, 0x7000));
        Assert.Equal(0, t.HostWriteStale(g.ItOffset + 200, 0));
        Assert.Equal(0, t.HostWriteStale(g.ItOffset + 201, 0x7000));
        Assert.True(t.OccupancyIsExact());
        Assert.Equal(0, t.HostFree(b, 5));
        Assert.Equal(0, t.TakeOwnership(3));
        Assert.True(t.OccupancyIsExact());
        for (int round = 0; round < 200; round++)
        {
            long e = g.ItOffset + rng.Next((int)g.ItSize);
            long pfn = rng.Next(20);
            mem.Get(pfn);
            if (t.Build(e, Tce(pfn)) != 0) mem.Put(pfn);
            if (round % 7 == 0) t.ClearAndPut(g.ItOffset + rng.Next((int)g.ItSize), rng.Next(1, 140));
            Assert.True(t.OccupancyIsExact(), $"round {round}");
        }
        t.ReleaseOwnership();
        Assert.True(t.OccupancyIsExact());
    }

    /// <summary>TBL-7: a clear whose end falls on a 64-entry word boundary stops there; the entries after it stay.</summary>
    [Fact]
    [Spec("TBL-7", "UNMAP-8")]
    public void A_clear_ending_on_a_word_boundary_keeps_the_next_word()
    {
        foreach (long words in new long[] { 1, 2, 3 })
        {
            var (t, mem, g) = Table(0x3d, 300, 1);
            for (long e = g.ItOffset; e < g.ItOffset + g.ItSize; e++)
            {
                mem.Get(1);
                Assert.Equal(0, t.Build(e, Tce(1)));
            }
            long end = t.StorageStart + 64 * words;          // storage index a multiple of 64
            long first = Math.Max(g.ItOffset, end - 64);
            Assert.Equal(0, t.ClearAndPut(first, end - first));
            var left = t.NonZeroTcesForDump().Where(x => x.Entry >= g.ItOffset).Select(x => x.Entry).ToHashSet();
            for (long e = g.ItOffset; e < g.ItOffset + g.ItSize; e++)
                Assert.True(left.Contains(e) == (e < first || e >= end), $"entry {e:x} after clearing [{first:x}, {end:x})");
        }
    }

    /// <summary>TBL-9 / TBL-10: the window clear leaves a flush pending exactly when it cleared something, and touches
    /// only the window: the guard entries above it stay.</summary>
    [Fact]
    [Spec("TBL-2", "TBL-7", "TBL-9", "TBL-10")]
    public void The_window_clear_touches_only_the_window_and_flags_a_flush_when_it_cleared()
    {
        var (t, mem, g) = Table(0x3d, 150, 3);
        long guard = g.ItOffset + g.ItSize + 1;
        Assert.Equal(0, t.Build(guard, Tce(2)));
        t.Flush();
        t.LockAllPools();
        t.ClearWindowLocked(put: false, inUseOnly: false);
        t.UnlockAllPools();
        Assert.False(t.FlushPendingForDump);                   // nothing in the window: nothing to flush
        mem.Get(3);
        Assert.Equal(0, t.Build(g.ItOffset + 100, Tce(3)));
        t.Flush();
        t.LockAllPools();
        t.ClearWindowLocked(put: true);
        t.UnlockAllPools();
        Assert.True(t.FlushPendingForDump);
        Assert.Equal([guard], t.NonZeroTcesForDump().Where(x => x.Entry >= g.ItOffset).Select(x => x.Entry));
    }

    /// <summary>TBL-7: a value without permission bits is not a mapping, so a clear of in-use entries keeps it; the
    /// take-over clear (TBL-9) removes every non-zero value. HOST-6 writes such a value at the window's first entry.</summary>
    [Fact]
    [Spec("TBL-7", "TBL-9", "HOST-6")]
    public void A_value_without_permissions_survives_a_clear_of_in_use_entries()
    {
        var (t, _, g) = Table(0x40, 64, 2);
        Assert.Equal(-Errno.EINVAL, t.HostWriteStale(g.ItOffset - 1, 0x5000));
        Assert.Equal(0, t.HostWriteStale(g.ItOffset, 0x5000));
        t.LockAllPools();
        Assert.Equal(0, t.ClearRangeLocked(g.ItOffset, g.ItOffset + 1, put: false));
        Assert.Contains(t.NonZeroTcesForDump(), x => x.Entry == g.ItOffset);
        Assert.Equal(1, t.ClearRangeLocked(g.ItOffset, g.ItOffset + 1, put: false, inUseOnly: false));
        t.UnlockAllPools();
        Assert.DoesNotContain(t.NonZeroTcesForDump(), x => x.Entry == g.ItOffset);
    }
}
