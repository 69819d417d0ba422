using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>--shard i/n splits the seed space: the shards of a hunt explore disjoint seeds that together cover it.</summary>
public sealed class ShardTests
{
    [Theory]
    [InlineData(1, 0UL)]
    [InlineData(2, 0UL)]
    [InlineData(3, 0UL)]
    [InlineData(8, 0UL)]
    [InlineData(5, 1000UL)]
    public void Shards_cover_the_seeds_without_overlap(int n, ulong baseSeed)
    {
        const int units = 50;
        var all = new List<ulong>();
        for (int i = 0; i < n; i++)
        {
            var shard = Shard.Parse($"{i}/{n}");
            var seeds = shard.Seeds(baseSeed, units).ToList();
            if (baseSeed == 0) Assert.All(seeds, s => Assert.Equal((ulong)i, s % (ulong)n)); // shard i: the seeds ≡ i mod n
            all.AddRange(seeds);
        }
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, n * units).Select(k => baseSeed + (ulong)k), all.Order());
    }

    [Fact]
    public void Dfs_shards_split_the_scenarios()
    {
        const int scenarios = 17, n = 4;
        var owners = Enumerable.Range(0, scenarios).Select(k => Enumerable.Range(0, n).Single(i => new Shard(i, n).Owns(k))).ToList();
        Assert.Equal(scenarios, owners.Count);
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/8", 3, 8)]
    [InlineData(" 2 / 5 ", 2, 5)]
    public void Shard_parses(string text, int index, int count) => Assert.Equal(new Shard(index, count), Shard.Parse(text));

    [Theory]
    [InlineData("5/4")]
    [InlineData("4/4")]
    [InlineData("0/0")]
    [InlineData("1")]
    [InlineData("a/b")]
    public void Bad_shards_are_rejected(string text) => Assert.Throws<UsageException>(() => Shard.Parse(text));

    [Fact]
    public void Two_shards_of_one_hunt_explore_disjoint_seeds()
    {
        string[] common = ["hunt", "--format", "json", "--scenario", "map-vs-disable", "--batch", "5", "--iterations", "15", "--workers", "1"];
        var a = CliRunner.Run([.. common, "--shard", "0/2"]).Json();
        var b = CliRunner.Run([.. common, "--shard", "1/2"]).Json();
        Assert.Equal(0UL, a.GetProperty("firstSeed").GetUInt64());
        Assert.Equal(4UL, a.GetProperty("lastSeed").GetUInt64());   // 0, 2, 4
        Assert.Equal(1UL, b.GetProperty("firstSeed").GetUInt64());
        Assert.Equal(5UL, b.GetProperty("lastSeed").GetUInt64());   // 1, 3, 5
    }
}
