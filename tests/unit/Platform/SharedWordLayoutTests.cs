using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Sync;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

/// <summary>
/// Issue 11 in TceImpl's table: each pool's occupancy bits start a word of their own, so no occupancy word is
/// shared by two pools and a pool's lock guards every word its entries use (LOCK-9); and a MAP's writes consume the
/// HOST-7 countdown as one step (LOCK-10).
/// </summary>
public sealed class SharedWordLayoutTests
{
    static IommuTable Table(GroupConfig g, PlatformConfig config) =>
        new(g, new KernelContext(config, RealSync.Instance, new PhysicalMemory(config.PhysicalPages, config.PageShift)));

    public static TheoryData<string, int> Windows()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { "small", "wide" })
            for (int g = 0; g < 2; g++) data.Add(name, g);
        return data;
    }

    static PlatformConfig Config(string name) => name == "wide" ? PlatformConfig.Wide() : PlatformConfig.Small();

    [Theory]
    [MemberData(nameof(Windows))]
    [Spec("LOCK-9", "TBL-2", "TBL-3")]
    public void Every_occupancy_word_belongs_to_one_pool_and_every_storage_entry_to_one_word(string platform, int index)
    {
        var config = Config(platform);
        var g = config.Groups[index];
        var words = Table(g, config).OccupancyWordsForTests();
        foreach (var (first, end) in words)
        {
            Assert.True(first < end && end - first <= 64, $"word [{first:x}, {end:x})");
            Assert.Equal(Memory.PoolOf(g, first), Memory.PoolOf(g, end - 1));
        }
        // The words' entries tile the storage (TBL-2) in order, none twice.
        Assert.Equal(Memory.StorageStart(g), words[0].First);
        Assert.Equal(Memory.StorageEnd(g), words[^1].End);
        for (int w = 1; w < words.Count; w++) Assert.Equal(words[w - 1].End, words[w].First);
    }

    [Fact]
    [Spec("LOCK-9", "FIND-23")]
    public void The_layout_before_the_fix_shares_words_between_pools()
    {
        // The wide machine's table 2 (window at 0x829, pools of 75): its flat storage word 1 holds pools 0 and 1.
        var config = PlatformConfig.Wide();
        var flat = new IommuTable(config.Groups[1],
            new KernelContext(config, RealSync.Instance, new PhysicalMemory(config.PhysicalPages, 12), Omit.OccupancyWordsPerPool));
        var (first, end) = flat.OccupancyWordsForTests()[1];
        Assert.Equal((0x825L + 64, 0x825L + 128), (first, end));
        Assert.NotEqual(Memory.PoolOf(config.Groups[1], first), Memory.PoolOf(config.Groups[1], end - 1));
    }

    [Theory]
    [MemberData(nameof(Windows))]
    [Spec("TBL-5", "TBL-7", "TBL-9", "TBL-10", "HOST-4", "HOST-5", "HOST-6")]
    public void The_occupancy_map_stays_exact_through_every_table_operation(string platform, int index)
    {
        var config = Config(platform);
        var g = config.Groups[index];
        var t = Table(g, config);
        var rng = new Random(11 + index);
        for (int round = 0; round < 200; round++)
        {
            long e = g.ItOffset + rng.Next((int)g.ItSize);
            switch (rng.Next(6))
            {
                case 0: t.HostWriteStale(e, ((ulong)rng.Next(0, 3) << 12) | (uint)rng.Next(0, 4)); break;
                case 1: t.HostAlloc(rng.Next(1, 90)); break;
                case 2: t.HostFree(e, rng.Next(1, 90)); break;
                case 3: t.ClearAndPut(e, rng.Next(1, 140)); break;
                case 4: if (t.TakeOwnership(1) == 0) t.ReleaseOwnership(); break;
                default: t.Build(e, ((ulong)rng.Next(0, 3) << 12) | Abi.TcePciRead); break;
            }
            Assert.True(t.OccupancyIsExact(), $"round {round}");
        }
    }

    [Fact]
    [Spec("HOST-7", "LOCK-10")]
    public void A_map_holds_the_countdown_and_gives_back_what_its_writes_left()
    {
        var config = PlatformConfig.Small();
        var t = Table(config.Groups[0], config);
        Assert.Equal(0, t.InjectWriteFailure(5));
        long countdown = t.TakeCountdown();
        Assert.Equal(5, countdown);
        Assert.Equal(0, t.Build(t.ItOffset + 1, Abi.TcePciRead, ref countdown));   // one write consumes one
        Assert.Equal(4, countdown);
        t.ReturnCountdown(countdown);
        Assert.Equal(4, t.CountdownForDump);

        Assert.Equal(-Errno.EINVAL, t.InjectWriteFailure(0));          // rejected: the countdown stays
        Assert.Equal(4, t.CountdownForDump);
        Assert.Equal(0, t.InjectWriteFailure(1));
        countdown = t.TakeCountdown();
        Assert.Equal(-Errno.EIO, t.Build(t.ItOffset + 2, Abi.TcePciRead, ref countdown)); // the injected write fails
        t.ReturnCountdown(countdown);
        Assert.Equal(0, t.CountdownForDump);                           // all consumed: nothing goes back
    }
}
