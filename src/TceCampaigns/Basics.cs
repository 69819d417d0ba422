using System.Globalization;
using System.Text.RegularExpressions;

namespace TceVerify.Campaigns;

/// <summary>Bad input from the user (an unknown name, a malformed shard): the command line reports it as one line on stderr, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// One shard of a hunt: shard <see cref="Index"/> of <see cref="Count"/>. A hunt runs work units j = 0, 1, 2, ...;
/// unit j of shard i/n uses the scheduler seed <c>base + i + j*n</c>, so the shards of one hunt explore disjoint seeds
/// and together every seed from <c>base</c> up (with the default base 0: shard i explores the seeds ≡ i mod n).
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    public static Shard Whole { get; } = new(0, 1);

    /// <summary>The scheduler seed of this shard's j-th work unit.</summary>
    public ulong SeedOf(ulong baseSeed, long unit) => unchecked(baseSeed + (ulong)Index + (ulong)unit * (ulong)Count);

    /// <summary>The first <paramref name="units"/> seeds this shard explores.</summary>
    public IEnumerable<ulong> Seeds(ulong baseSeed, long units)
    {
        for (long j = 0; j < units; j++) yield return SeedOf(baseSeed, j);
    }

    /// <summary>Whether this shard owns item <paramref name="index"/> of a list split round-robin (DFS splits scenarios).</summary>
    public bool Owns(int index) => index % Count == Index;

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>Parses "i/n" with 0 ≤ i &lt; n.</summary>
    public static Shard Parse(string text)
    {
        var m = Regex.Match(text.Trim(), @"^(\d{1,9})\s*/\s*(\d{1,9})$");
        if (!m.Success) throw new UsageException($"invalid shard '{text}': expected i/n, e.g. 0/4 (shard i of n, numbered from 0)");
        int i = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), n = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        if (n < 1) throw new UsageException($"invalid shard '{text}': the shard count must be at least 1");
        if (i >= n) throw new UsageException($"invalid shard '{text}': the index must be below the count (the shards of {n} are 0/{n} .. {n - 1}/{n})");
        return new Shard(i, n);
    }
}
