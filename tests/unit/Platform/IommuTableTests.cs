using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Sync;
using TceVerify.Impl;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

/// <summary>The building blocks of one table (TBL-2 .. TBL-10) on their own, on windows that do not start on a
/// 64-entry word and span several words.</summary>
public sealed class IommuTableTests
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
            foreach (var (e, tce) in built)
            {
                bool inRange = n > 0 && e >= a && e < a + n;
                Assert.Equal(!inRange, left.ContainsKey(e));
                if (!inRange) continue;
                long pfn = (long)(tce >> 12);
                puts[pfn]++;
                if ((tce & Abi.TcePciWrite) != 0) Assert.True(mem.IsDirty(pfn));
            }
            for (int p = 0; p < 20; p++) Assert.Equal(refsBefore[p] - puts[p], mem.RefCount(p));
            Assert.False(t.FlushPendingForDump); // TBL-7 (2): a clear that cleared something flushed before its puts
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
