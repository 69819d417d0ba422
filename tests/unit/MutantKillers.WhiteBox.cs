using System.Collections.Immutable;
using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Sync;
using TceVerify.Impl.Vfio;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// White-box tests of TceImpl's building blocks (through InternalsVisibleTo), written for mutants the clause suites let
// live because no call of the system can reach the code on its own (defensive paths), or because the system always
// repeats its effect (a flush right after a set, a clear right after a clear). Each test checks what the block's own
// clause says it does.

/// <summary>Bitmap operations against a naive bool[] model, on sizes around the 64-bit word boundaries.</summary>
public sealed class BitmapTests
{
    static readonly int[] Sizes = [1, 2, 63, 64, 65, 127, 128, 129, 200];

    [Fact]
    [Spec("TBL-1", "TBL-9")]
    public void Bitmap_matches_a_naive_model()
    {
        var rng = new Random(20121123);
        foreach (int size in Sizes)
        {
            Assert.Equal((size + 63) / 64, Bitmap.Words(size));
            var map = new ulong[Bitmap.Words(size)];
            var model = new bool[size];
            for (int step = 0; step < 400; step++)
            {
                long a = rng.Next(size + 1), b = rng.Next(size + 1);
                long from = Math.Min(a, b), end = Math.Max(a, b);
                long i = rng.Next(size);
                switch (rng.Next(5))
                {
                    case 0: Bitmap.Set(map, i); model[i] = true; break;
                    case 1: Bitmap.Clear(map, i); model[i] = false; break;
                    case 2: Bitmap.SetRange(map, from, end); for (long j = from; j < end; j++) model[j] = true; break;
                    case 3: Bitmap.ClearRange(map, from, end); for (long j = from; j < end; j++) model[j] = false; break;
                    default: break;
                }
                for (long j = 0; j < size; j++) Assert.Equal(model[j], Bitmap.Test(map, j));
                Assert.Equal(NaiveNext(model, from, end, true), Bitmap.NextSet(map, from, end));
                Assert.Equal(NaiveNext(model, from, end, false), Bitmap.NextClear(map, from, end));
                Assert.Equal(NaiveNext(model, from, end, true) < end, Bitmap.AnySet(map, from, end));
                long n = rng.Next(1, Math.Min(size, 70) + 1);
                Assert.Equal(NaiveRun(model, n), Bitmap.FindClearRun(map, size, n));
                Assert.Equal(NaiveRanges(model, 1000), Bitmap.Ranges(map, size, 1000));
                // Bits past the size stay clear (no range operation spills into the word's tail).
                for (long j = size; j < map.Length * 64L; j++) Assert.False(Bitmap.Test(map, j), $"bit {j} of {size}");
            }
        }
    }

    [Fact]
    [Spec("TBL-1")]
    public void Setting_a_set_bit_keeps_it_and_clearing_touches_one_bit()
    {
        var map = new ulong[3];
        Bitmap.Set(map, 70);
        Bitmap.Set(map, 70);
        Assert.True(Bitmap.Test(map, 70));
        Bitmap.SetRange(map, 60, 140);
        Bitmap.SetRange(map, 60, 140);
        Assert.True(Bitmap.Test(map, 100));
        Bitmap.Clear(map, 65);
        Assert.False(Bitmap.Test(map, 65));
        Assert.True(Bitmap.Test(map, 64) && Bitmap.Test(map, 66));
        Bitmap.ClearRange(map, 80, 80);
        Assert.True(Bitmap.Test(map, 80));
        Assert.Equal(-1, Bitmap.FindClearRun(map, 140, 80));
    }

    static long NaiveNext(bool[] m, long from, long end, bool value)
    {
        for (long j = from; j < end; j++) if (m[j] == value) return j;
        return end;
    }

    static long NaiveRun(bool[] m, long n)
    {
        for (long s = 0; s + n <= m.Length; s++)
        {
            bool free = true;
            for (long j = s; j < s + n && free; j++) free = !m[j];
            if (free) return s;
        }
        return -1;
    }

    static List<(long, long)> NaiveRanges(bool[] m, long bias)
    {
        var r = new List<(long, long)>();
        for (long j = 0; j < m.Length; j++)
        {
            if (!m[j]) continue;
            long s = j;
            while (j + 1 < m.Length && m[j + 1]) j++;
            r.Add((s + bias, j + bias));
        }
        return r;
    }
}

/// <summary>The building blocks of one table (TBL-2 .. TBL-10) on their own, on windows that do not start on a
/// 64-entry word and span several words.</summary>
public sealed class TableBlockTests
{
    internal static (IommuTable Table, PhysicalMemory Memory, GroupConfig Group) Table(long offset = 0x3d, long size = 150, int pools = 3, int pageShift = 12)
    {
        var g = new GroupConfig(1, offset, size, pools, true, ["0000:01:00.0"]);
        var config = PlatformConfig.Small(pageShift) with { Groups = [g] };
        var mem = new PhysicalMemory(config.PhysicalPages, pageShift);
        return (new IommuTable(g, new KernelContext(config, RealSync.Instance, mem)), mem, g);
    }

    internal static ulong Tce(long pfn, ulong perms = Abi.TcePermMask) => ((ulong)pfn << 12) | perms;

    public static TheoryData<long, long, int> Shapes => new()
    {
        { 0, 64, 4 }, { 0x3d, 150, 3 }, { 0x800, 32, 2 }, { 3, 1, 1 }, { 0x41, 129, 5 }, { 0, 200, 7 },
    };

    /// <summary>TBL-3: the pools partition the storage as <see cref="Memory.PoolOf"/> says; each pool's range is
    /// contiguous and the first and last pools also cover the guard bands.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    [Spec("TBL-2", "TBL-3")]
    public void Pools_partition_the_storage(long offset, long size, int pools)
    {
        var (t, _, g) = Table(offset, size, pools);
        Assert.Equal(Memory.StorageStart(g), t.StorageStart);
        Assert.Equal(Memory.StorageEnd(g), t.StorageEnd);
        int expectedPools = Enumerable.Range(0, (int)size).Select(i => Memory.PoolOf(g, offset + i)).Distinct().Count();
        Assert.Equal(expectedPools, t.PoolCount);
        for (long e = t.StorageStart; e < t.StorageEnd; e++)
        {
            int k = t.PoolOf(e);
            Assert.Equal(Memory.PoolOf(g, e), k);
            Assert.True(t.PoolFirst(k) <= e && e < t.PoolEnd(k), $"entry {e:x} outside pool {k} [{t.PoolFirst(k):x}, {t.PoolEnd(k):x})");
        }
        Assert.Equal(t.StorageStart, t.PoolFirst(0));
        Assert.Equal(t.StorageEnd, t.PoolEnd(t.PoolCount - 1));
        for (int k = 1; k < t.PoolCount; k++) Assert.Equal(t.PoolEnd(k - 1), t.PoolFirst(k));
    }

    /// <summary>TBL-2, TBL-5, TBL-7: builds outside the storage fail with -EIO; a build leaves a flush pending; a
    /// clear of any sub-range (across words, pools and the guard bands) clears exactly the in-use entries in it, puts
    /// their pages, dirties those with WRITE, leaves a flush pending, and reports -EIO for the part outside the
    /// storage.</summary>
    [Fact]
    [Spec("TBL-2", "TBL-5", "TBL-7", "TBL-8")]
    public void Build_and_clear_any_range()
    {
        var rng = new Random(7);
        for (int round = 0; round < 60; round++)
        {
            var (t, mem, g) = Table();
            Assert.Equal(-Errno.EIO, t.Build(t.StorageStart - 1, Tce(1)));
            Assert.Equal(-Errno.EIO, t.Build(t.StorageEnd, Tce(1)));
            Assert.Equal(-Errno.EIO, t.Build(-1, Tce(1)));
            var built = new Dictionary<long, ulong>();
            for (int i = 0; i < 40; i++)
            {
                long e = g.ItOffset + rng.Next((int)g.ItSize);
                if (built.ContainsKey(e)) continue;
                ulong tce = Tce(rng.Next(20), (ulong)rng.Next(1, 4));
                mem.Get((long)(tce >> 12));
                t.Flush();
                Assert.Equal(0, t.Build(e, tce));
                Assert.True(t.FlushPendingForDump);
                Assert.Equal(-Errno.EBUSY, t.Build(e, tce));
                built[e] = tce;
            }
            t.Flush();
            long a = t.StorageStart - 3 + rng.Next((int)(t.StorageEnd - t.StorageStart) + 6);
            long n = rng.Next(-1, 120);
            var refsBefore = Enumerable.Range(0, 20).Select(p => mem.RefCount(p)).ToArray();
            int ret = t.ClearAndPut(a, n);
            bool leaves = n > 0 && (a < t.StorageStart || a + n > t.StorageEnd);
            Assert.Equal(leaves ? -Errno.EIO : 0, ret);
            var left = t.NonZeroTcesForDump().ToDictionary(x => x.Entry, x => x.Value);
            var puts = new int[20];
            bool any = false;
            foreach (var (e, tce) in built)
            {
                bool inRange = n > 0 && e >= a && e < a + n;
                Assert.Equal(!inRange, left.ContainsKey(e));
                if (!inRange) continue;
                any = true;
                long pfn = (long)(tce >> 12);
                puts[pfn]++;
                if ((tce & Abi.TcePciWrite) != 0) Assert.True(mem.IsDirty(pfn));
            }
            for (int p = 0; p < 20; p++) Assert.Equal(refsBefore[p] - puts[p], mem.RefCount(p));
            Assert.Equal(any, t.FlushPendingForDump);
        }
    }

    [Fact]
    [Spec("TBL-7")]
    public void Empty_clears_change_nothing()
    {
        var (t, _, _) = Table(0, 64, 4);
        Assert.Equal(0, t.ClearAndPut(-1, 0));
        Assert.Equal(0, t.ClearAndPut(t.StorageEnd, 0));
        Assert.Equal(0, t.ClearAndPut(5, -3));
        Assert.Equal(0, t.ClearAndPut(t.StorageStart, t.StorageEnd - t.StorageStart));
        Assert.False(t.FlushPendingForDump);
    }

    /// <summary>TBL-4 checks each condition in order, including the stray bits a user address can never have.</summary>
    [Fact]
    [Spec("TBL-4")]
    public void Put_check_rejects_each_condition()
    {
        var (t, _, g) = Table(0x40, 64, 2);
        ulong ok = (ulong)g.ItOffset << 12;
        Assert.Equal(0, t.PutParamCheck(ok, 0x5000 | Abi.TcePciRead));
        Assert.Equal(-Errno.EINVAL, t.PutParamCheck(ok, 0x5000));
        Assert.Equal(-Errno.EINVAL, t.PutParamCheck(ok, 0x5004 | Abi.TcePciRead));
        Assert.Equal(-Errno.EINVAL, t.PutParamCheck(ok + 1, 0x5000 | Abi.TcePciRead));
        Assert.Equal(-Errno.EINVAL, t.PutParamCheck(ok - 0x1000, 0x5000 | Abi.TcePciRead));
        Assert.Equal(0, t.PutParamCheck((ulong)(g.ItOffset + g.ItSize - 1) << 12, 0x5000 | Abi.TcePciRead));
        Assert.Equal(-Errno.EINVAL, t.PutParamCheck((ulong)(g.ItOffset + g.ItSize) << 12, 0x5000 | Abi.TcePciRead));
    }

    /// <summary>TBL-10 on its own: the user's in-use entries are cleared with puts and dirty bits, it_map is handed back
    /// with only the reserved bit, and the change is flushed; TBL-9 then takes a clean table again.</summary>
    [Theory]
    [InlineData(0L)]
    [InlineData(0x3dL)]
    [Spec("TBL-9", "TBL-10", "TBL-1")]
    public void Release_ownership_clears_puts_and_flushes(long offset)
    {
        var (t, mem, g) = Table(offset, 150, 3);
        Assert.Equal(0, t.TakeOwnership(7));
        Assert.Equal(7, t.OwnerForDump);
        mem.Get(3);
        mem.Get(4);
        Assert.Equal(0, t.Build(g.ItOffset + 70, Tce(3, Abi.TcePciWrite)));
        Assert.Equal(0, t.Build(g.ItOffset + 149, Tce(4, Abi.TcePciRead)));
        long r3 = mem.RefCount(3), r4 = mem.RefCount(4);
        t.ReleaseOwnership();
        Assert.DoesNotContain(t.NonZeroTcesForDump(), x => x.Entry >= g.ItOffset);
        Assert.Equal(r3 - 1, mem.RefCount(3));
        Assert.Equal(r4 - 1, mem.RefCount(4));
        Assert.True(mem.IsDirty(3));
        Assert.False(mem.IsDirty(4));
        Assert.False(t.FlushPendingForDump);
        Assert.Equal(0, t.OwnerForDump);
        Assert.Equal(offset == 0 ? [(0L, 0L)] : new List<(long, long)>(), t.ItMapRangesForDump());
        Assert.Equal(0, t.TakeOwnership(8));
    }

    /// <summary>TBL-6 with no mm (the exit path): -EFAULT, nothing pinned.</summary>
    [Fact]
    [Spec("TBL-6", "STATE-9")]
    public void Put_user_mode_without_an_mm_faults()
    {
        var (t, mem, g) = Table(0, 64, 4);
        var p = Proc(mem);
        Assert.Equal(-Errno.EFAULT, t.PutUserMode(new Current(p, null), 1, 0x10000 | Abi.TcePciRead));
        Assert.DoesNotContain(t.NonZeroTcesForDump(), x => x.Entry >= g.ItOffset);
    }

    internal static Process Proc(PhysicalMemory mem, int pageShift = 12)
    {
        var mm = new MmStruct(1, 64UL << 20, false, mem, pageShift, RealSync.Instance);
        mm.MapAtBoot(0x10, 0, true);
        return new Process(1, mm, new FdTable(1, RealSync.Instance), RealSync.Instance);
    }
}

/// <summary>Frames (STATE-2): host memory is not a frame, so puts and dirty bits of host addresses are ignored.</summary>
public sealed class FrameTests
{
    [Fact]
    [Spec("STATE-2", "HOST-5")]
    public void Host_addresses_have_no_count_and_no_dirty_bit()
    {
        var mem = new PhysicalMemory(2100, 12);
        long host = (long)(Memory.HostDmaBase >> 12);
        mem.Put(host);
        mem.SetDirty(host);
        mem.Put(-1);
        mem.SetDirty(2100);
        for (long p = 0; p < 130; p++)
        {
            Assert.Equal(Memory.BaseRefCount(p), mem.RefCount(p));
            Assert.False(mem.IsDirty(p));
        }
        mem.SetDirty(129);
        mem.SetDirty(64);
        Assert.True(mem.IsDirty(129) && mem.IsDirty(64));
        Assert.False(mem.IsDirty(128) || mem.IsDirty(65) || mem.IsDirty(1));
        mem.Write(1025, 3, [7, 8]);
        Assert.Equal(7, mem.PageBytes(1025)[3]);
        Assert.Equal(0, mem.PageBytes(1024)[3]);
    }

    [Fact]
    [Spec("LOCK-1")]
    public void Real_atomics_do_what_the_kernel_helpers_do()
    {
        var a = RealSync.Instance.CreateAtomic("a", 0);
        Assert.False(a.IncrementUnlessZero());
        Assert.Equal(0, a.Read());
        Assert.Equal(-1, a.DecrementIfPositive());
        Assert.Equal(0, a.Read());
        a.Set(2);
        Assert.True(a.IncrementUnlessZero());
        Assert.Equal(3, a.Read());
        Assert.Equal(2, a.DecrementIfPositive());
        Assert.Equal(2, a.CompareExchange(2, 9));
        Assert.Equal(9, a.Read());
        Assert.Equal(9, a.CompareExchange(2, 1));
        Assert.Equal(9, a.Read());
    }
}

/// <summary>User memory (ABI-5, ABI-6, ABI-10, PROC-8) at the top of the address space and with no mm.</summary>
public sealed class UserMemoryTests
{
    const ulong Top = ulong.MaxValue;

    internal static (MmStruct Mm, PhysicalMemory Mem) TopMapped(int pageShift)
    {
        var mem = new PhysicalMemory(24, pageShift);
        var mm = new MmStruct(1, 0, false, mem, pageShift, RealSync.Instance);
        mm.MapAtBoot(Top >> pageShift, 3, true);               // the last page of the address space
        mm.MapAtBoot((Top >> pageShift) - 1, 4, true);
        mm.MapAtBoot(0, 5, true);                              // page 0: a wrap would land here
        mm.MapAtBoot(0x20, 6, false);                          // read-only
        return (mm, mem);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(16)]
    [Spec("ABI-5", "ABI-6", "PROC-8")]
    public void Accesses_that_end_at_2_to_the_64_fit_and_one_byte_more_wraps(int pageShift)
    {
        var (mm, _) = TopMapped(pageShift);
        var four = new byte[] { 1, 2, 3, 4 };
        Assert.Equal(0, mm.Poke(Top - 3, four));
        Assert.Equal(-Errno.EFAULT, mm.Poke(Top - 2, four));
        var buf = new byte[4];
        Assert.Equal(0, mm.Read(Top - 3, buf));
        Assert.Equal(four, buf);
        Assert.Equal(-Errno.EFAULT, mm.Read(Top - 2, buf));
        Assert.Equal(0, mm.WriteUser(Top - 3, [9, 9, 9, 9]));
        Assert.Equal(-Errno.EFAULT, mm.WriteUser(Top - 1, [5, 5, 5, 5]));   // two bytes fit, then it would wrap
        mm.Read(Top - 3, buf);
        Assert.Equal(new byte[] { 9, 9, 5, 5 }, buf);
        var zero = new byte[4];
        Assert.Equal(0, mm.Read(0, zero));
        Assert.Equal(new byte[4], zero);                                    // nothing wrapped onto page 0
        // Across the two top pages.
        ulong boundary = (Top >> pageShift) << pageShift;
        Assert.Equal(0, mm.Poke(boundary - 2, four));
        Assert.Equal(0, mm.Read(boundary - 2, buf));
        Assert.Equal(four, buf);
        Assert.Equal(0, mm.WriteUser(boundary - 1, [6, 6]));
        // Read-only pages are readable, not writable by copy_to_user (ABI-6).
        Assert.Equal(-Errno.EFAULT, mm.WriteUser(0x20UL << pageShift, [1]));
        Assert.Equal(0, mm.Read(0x20UL << pageShift, buf));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(16)]
    [Spec("ABI-10")]
    public void Names_at_the_top_and_at_the_length_limit(int pageShift)
    {
        var (mm, _) = TopMapped(pageShift);
        int page = 1 << pageShift;
        // A name whose NUL is the very last byte of the address space.
        Assert.Equal(0, mm.Poke(Top - 2, [(byte)'a', (byte)'b', 0]));
        Assert.Equal(0, mm.ReadString(Top - 2, page, out var s));
        Assert.Equal("ab"u8.ToArray(), s);
        // No NUL before 2^64: the scan would wrap onto page 0 (mapped), which counts as a fault, not as more name.
        Assert.Equal(0, mm.Poke(Top - 1, [(byte)'x', (byte)'y']));
        Assert.Equal(-Errno.EFAULT, mm.ReadString(Top - 1, page, out s));
        Assert.Null(s);
        // A name that spans the two top pages.
        ulong boundary = (Top >> pageShift) << pageShift;
        Assert.Equal(0, mm.Poke(boundary - 2, [(byte)'p', (byte)'q', (byte)'r', 0]));
        Assert.Equal(0, mm.ReadString(boundary - 2, page, out s));
        Assert.Equal("pqr"u8.ToArray(), s);
        // No NUL within the limit -> -EINVAL; an unmapped byte before the limit -> -EFAULT.
        var full = Enumerable.Repeat((byte)'z', 16).ToArray();
        Assert.Equal(0, mm.Poke(0, full));
        Assert.Equal(-Errno.EINVAL, mm.ReadString(0, 16, out s));
        Assert.Equal(-Errno.EINVAL, mm.ReadString(3, 10, out s));
        Assert.Equal(0, mm.Poke(boundary - 4, full.AsSpan(0, 4)));
        Assert.Equal(-Errno.EINVAL, mm.ReadString(boundary - 4, 5, out s));   // "zzzzr", then the NUL one byte too far
        Assert.Equal(0, mm.ReadString(boundary - 4, 6, out s));
        Assert.Equal("zzzzr"u8.ToArray(), s);
        Assert.Equal(-Errno.EFAULT, mm.ReadString(0x30UL << pageShift, 16, out s));
    }

    [Fact]
    [Spec("ABI-5", "ABI-6", "ABI-10", "STATE-9")]
    public void Without_an_mm_every_access_faults()
    {
        var mem = new PhysicalMemory(24, 12);
        var cur = new Current(TableBlockTests.Proc(mem), null);
        Assert.Equal(-Errno.EFAULT, UserAccess.CopyFromUser(cur, 0x10000, new byte[4]));
        Assert.Equal(-Errno.EFAULT, UserAccess.CopyToUser(cur, 0x10000, new byte[4]));
        Assert.Equal(0, UserAccess.CopyToUser(cur, 0x10000, ReadOnlySpan<byte>.Empty));
        Assert.Equal(-Errno.EFAULT, UserAccess.StrndupUser(cur, 0x10000, 4096, out var s));
        Assert.Null(s);
        Assert.Equal(-Errno.EFAULT, UserAccess.GetUserInt32(cur, 0x10000, out int v));
        Assert.Equal(0, v);
    }

    [Fact]
    [Spec("TBL-6")]
    public void A_pin_needs_a_mapped_page_and_write_access_for_write()
    {
        var mem = new PhysicalMemory(24, 12);
        var mm = new MmStruct(1, 0, false, mem, 12, RealSync.Instance);
        mm.MapAtBoot(0x10, 9, true);
        mm.MapAtBoot(0x11, 10, false);
        Assert.Equal(0, mm.GetUserPage(0x10fff, true, out long pfn));
        Assert.Equal(9, pfn);
        Assert.Equal(Memory.BaseRefCount(9) + 1, mem.RefCount(9));
        Assert.Equal(0, mm.GetUserPage(0x11000, false, out pfn));
        Assert.Equal(10, pfn);
        Assert.Equal(-Errno.EFAULT, mm.GetUserPage(0x11000, true, out _));
        Assert.Equal(-Errno.EFAULT, mm.GetUserPage(0x12000, false, out _));
        Assert.Equal(Memory.BaseRefCount(10) + 1, mem.RefCount(10));
    }
}

/// <summary>The driver on its own (driver.md): the paths no call through the core reaches, because the core only ever
/// hands it data with a table, asks it only for the type it supports, and never calls it with no mm.</summary>
public sealed class DriverAloneTests
{
    static (SpaprTceDriver Driver, VfioGroup Group, VfioGroup Other, PhysicalMemory Mem) Make()
    {
        var config = PlatformConfig.Small();
        var mem = new PhysicalMemory(config.PhysicalPages, 12);
        var ctx = new KernelContext(config, RealSync.Instance, mem);
        var g1 = new VfioGroup(config.Groups[0], new IommuTable(config.Groups[0], ctx), RealSync.Instance);
        var g2 = new VfioGroup(config.Groups[1], new IommuTable(config.Groups[1], ctx), RealSync.Instance);
        return (new SpaprTceDriver(ctx), g1, g2, mem);
    }

    [Fact]
    [Spec("OPEN-1", "EXT-1")]
    public void Open_accepts_only_the_spapr_type()
    {
        var (d, _, _, _) = Make();
        Assert.Equal(-Errno.EINVAL, d.Open(Abi.Type1Iommu, 1, out var data));
        Assert.Null(data);
        Assert.Equal(0, d.Open(Abi.SpaprTceIommu, 1, out data));
        Assert.NotNull(data);
        Assert.Null(data!.Tbl);
        Assert.False(data.Enabled);
        Assert.Equal(1, d.CheckExtension(Abi.SpaprTceIommu));
        Assert.Equal(0, d.CheckExtension(Abi.Type1Iommu));
    }

    [Fact]
    [Spec("INFO-1", "MAP-2", "UNMAP-2", "EN-2", "DIS-1", "DRV-1")]
    public void Without_a_table_every_table_ioctl_is_enxio()
    {
        var (d, _, _, mem) = Make();
        d.Open(Abi.SpaprTceIommu, 1, out var data);
        var p = TableBlockTests.Proc(mem);
        var cur = new Current(p, p.Mm);
        Assert.Equal(-Errno.ENXIO, d.Ioctl(data!, cur, Ioctls.SpaprTceGetInfo, 0x10000));
        Assert.Equal(-Errno.ENXIO, d.Ioctl(data!, cur, Ioctls.MapDma, 0x10000));
        Assert.Equal(-Errno.ENXIO, d.Ioctl(data!, cur, Ioctls.UnmapDma, 0x10000));
        Assert.Equal(-Errno.ENXIO, d.Ioctl(data!, cur, Ioctls.Enable, 0));
        Assert.Equal(0, d.Ioctl(data!, cur, Ioctls.Disable, 0));
        Assert.Equal(1, d.Ioctl(data!, cur, Ioctls.CheckExtension, Abi.SpaprTceIommu));
        Assert.Equal(-Errno.ENOTTY, d.Ioctl(data!, cur, Ioctls.GetApiVersion, 0));
    }

    [Fact]
    [Spec("EN-3", "ATT-1", "DET-1", "REL-1")]
    public void Attach_enable_detach_on_their_own()
    {
        var (d, g1, g2, mem) = Make();
        d.Open(Abi.SpaprTceIommu, 1, out var data);
        var p = TableBlockTests.Proc(mem);
        Assert.Equal(0, d.AttachGroup(data!, g1));
        Assert.Equal(-Errno.EBUSY, d.AttachGroup(data!, g2));               // ATT-1: one group per container
        Assert.Equal(-Errno.ESRCH, d.Ioctl(data!, new Current(p, null), Ioctls.Enable, 0)); // EN-3: no mm
        Assert.False(data!.Enabled);
        d.DetachGroup(data, g2, new Current(p, p.Mm));                     // DET-1: not this container's table
        Assert.Same(g1.Table, data.Tbl);
        Assert.Equal(1, g1.Table.OwnerForDump);
        Assert.Equal(0, d.Ioctl(data, new Current(p, p.Mm), Ioctls.Enable, 0));
        Assert.Equal(64, p.Mm.LockedVm);
        d.Release(data, new Current(p, p.Mm));                             // REL-1: disable, then detach
        Assert.False(data.Enabled);
        Assert.Null(data.Tbl);
        Assert.Equal(0, p.Mm.LockedVm);
        Assert.Equal(0, g1.Table.OwnerForDump);
        // ATT-1's second check: an enabled container (with no table, which only a broken caller could make) is busy.
        d.Open(Abi.SpaprTceIommu, 2, out var data2);
        data2!.Enabled = true;
        Assert.Equal(-Errno.EBUSY, d.AttachGroup(data2, g2));
        Assert.Equal(0, g2.Table.OwnerForDump);
    }
}
