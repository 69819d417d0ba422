using TceVerify.Contract;
using TceVerify.Harness.Programs;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Sync;
using TceVerify.TestKit;
using Xunit;
using static TceVerify.Tests.Unit.TableBlockTests;

namespace TceVerify.Tests.Unit;

// Tests written while triaging the mutants that survived the first full Stryker run (docs/catalog.md, "Mutation
// score"). Each checks what its clause says; the equivalent survivors carry a Stryker comment with the reason instead.

/// <summary>The table's storage primitives: the occupancy bitmap, clears that end on a word boundary, the window
/// clear at hand-over, and values without permissions.</summary>
public sealed class TableStorageTests
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

/// <summary>Files (STATE-4, PROC-2, PROC-6): fget after the last close, and fd tables that outgrow their first array.</summary>
public sealed class FileTests
{
    sealed class CountingRwSemaphore : IKRwSemaphore
    {
        public int Readers, Writers;
        public void DownRead() { Assert.Equal(0, Writers); Readers++; }
        public void UpRead() { Assert.True(Readers > 0); Readers--; }
        public void DownWrite() { Assert.Equal(0, Readers); Assert.Equal(0, Writers); Writers = 1; }
        public void UpWrite() { Assert.Equal(1, Writers); Writers = 0; }
    }

    sealed class CountingSync : ISyncLayer
    {
        public readonly List<CountingRwSemaphore> Semaphores = new();
        public IKMutex CreateMutex(string name) => RealSync.Instance.CreateMutex(name);
        public IKMutex CreateSpinLock(string name) => RealSync.Instance.CreateSpinLock(name);
        public IKAtomic CreateAtomic(string name, long initial) => RealSync.Instance.CreateAtomic(name, initial);
        public ISharedCell CreateCell(string name) => RealSync.Instance.CreateCell(name);
        public IKRwSemaphore CreateRwSemaphore(string name)
        {
            var s = new CountingRwSemaphore();
            Semaphores.Add(s);
            return s;
        }
    }

    sealed class PlainFile(ISyncLayer sync) : KFile(sync, "plain")
    {
        public int Releases;
        internal override long Ioctl(in Current cur, uint cmd, ulong arg) => -Errno.ENOTTY;
        protected override void Release(in Current cur) => Releases++;
    }

    /// <summary>PROC-6: the last entry's drop releases the file once; a later fget fails (PROC-2: -EBADF for its
    /// caller) and leaves the file's user count as it was.</summary>
    [Fact]
    [Spec("PROC-2", "PROC-6", "LOCK-7")]
    public void Fget_after_the_last_close_fails_and_holds_nothing()
    {
        var sync = new CountingSync();
        var f = new PlainFile(sync);
        var users = Assert.Single(sync.Semaphores);
        var mem = new PhysicalMemory(16, 12);
        var cur = new Current(Proc(mem), null);
        Assert.True(f.TryGet());
        Assert.Equal(1, users.Readers);
        f.Put();
        f.Entries.Add(1);                                      // a second fd table entry
        f.DropEntry(cur);
        Assert.Equal(0, f.Releases);
        Assert.True(f.TryGet());
        f.Put();
        f.DropEntry(cur);
        Assert.Equal(1, f.Releases);
        Assert.False(f.TryGet());
        Assert.Equal(0, users.Readers);
        Assert.False(f.TryGet());
        Assert.Equal(0, users.Readers);
    }

    /// <summary>STATE-4: the lowest free fd is used, however many are open, and numbers freed in the middle are reused.</summary>
    [Fact]
    [Spec("STATE-4", "PROC-6")]
    public void Many_open_files_get_the_lowest_free_numbers()
    {
        var config = PlatformConfig.Small();
        var s = new Script(config);
        for (int i = 0; i < 20; i++) s.OpenContainer(1);   // fds 3 .. 22
        s.Close(1, 5).Close(1, 17).OpenContainer(1).OpenContainer(1).OpenContainer(1).Fork(1).OpenContainer(3);
        SequenceTests.Agree(config, s.Commands);
    }
}

/// <summary>User memory (ABI-5, PROC-8) at the bottom of the address space.</summary>
public sealed class LowAddressTests
{
    /// <summary>An access that starts just above 0 and is longer than its address neither wraps nor faults.</summary>
    [Theory]
    [InlineData(12)]
    [InlineData(16)]
    [Spec("ABI-5", "PROC-8")]
    public void Accesses_just_above_address_zero_succeed(int pageShift)
    {
        var (mm, _) = UserMemoryTests.TopMapped(pageShift);    // page 0 is mapped
        var eight = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        Assert.Equal(0, mm.Poke(1, eight));
        var buf = new byte[8];
        Assert.Equal(0, mm.Read(1, buf));
        Assert.Equal(eight, buf);
        Assert.Equal(0, mm.Read(3, buf));
        Assert.Equal(0, mm.Poke(7, eight));
    }
}
