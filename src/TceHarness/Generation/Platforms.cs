using TceVerify.Contract;

namespace TceVerify.Harness.Generation;

/// <summary>A machine a campaign runs on, with the C# expression that rebuilds it (failure reports print it into
/// the regression test they propose).</summary>
public sealed record Platform(string Name, string Code, PlatformConfig Config)
{
    public override string ToString() => Name;
}

/// <summary>
/// The machines the generators draw from. Both system page sizes (STATE-1: 4 KiB and 64 KiB), windows at offset 0
/// and at a non-zero offset (PlatformConfig.Small has both), RLIMIT_MEMLOCK edges (EN-5): a process whose limit
/// covers both windows exactly, one that is one byte short of the first window, and one with no limit but
/// CAP_IPC_LOCK; and a wide machine whose windows span several 64-entry words, start off a word boundary and have
/// pools that do not align with words (the narrow machines' windows and pools each fit one word).
/// </summary>
public static class Platforms
{
    public static Platform Small4K { get; } = new("small-4k", "PlatformConfig.Small(12)", PlatformConfig.Small(12));
    public static Platform Small64K { get; } = new("small-64k", "PlatformConfig.Small(16)", PlatformConfig.Small(16));
    public static Platform RlimitEdge4K { get; } = new("rlimit-edge-4k", "Platforms.RlimitEdge(12)", RlimitEdge(12));
    public static Platform RlimitEdge64K { get; } = new("rlimit-edge-64k", "Platforms.RlimitEdge(16)", RlimitEdge(16));

    public static Platform Wide4K { get; } = new("wide-4k", "PlatformConfig.Wide(12)", PlatformConfig.Wide(12));

    /// <summary>The machines whose windows and pools fit one 64-entry word.</summary>
    public static IReadOnlyList<Platform> Narrow { get; } = [Small4K, Small64K, RlimitEdge4K, RlimitEdge64K];

    public static IReadOnlyList<Platform> All { get; } = [.. Narrow, Wide4K];

    /// <summary>The small machine (64-entry window at 0, 32-entry window at 0x800) with RLIMIT edges: pid 1 may lock
    /// exactly both windows' charges (EN-5: npages = it_size system pages), pid 2 is one byte short of the first
    /// window's charge (so it can enable only the second), pid 3 has limit 0 and CAP_IPC_LOCK.</summary>
    public static PlatformConfig RlimitEdge(int pageShift)
    {
        var small = PlatformConfig.Small(pageShift);
        ulong page = 1UL << pageShift;
        long w1 = small.Groups[0].ItSize, w2 = small.Groups[1].ItSize;
        return small with
        {
            Processes =
            [
                new ProcessConfig(1, RlimitMemlock: (ulong)(w1 + w2) * page, CapIpcLock: false, Mappings: PlatformConfig.Linear(0x10, 0, 8, readOnlyIndex: 6)),
                new ProcessConfig(2, RlimitMemlock: (ulong)w1 * page - 1, CapIpcLock: false, Mappings: PlatformConfig.Linear(0x10, 7, 8, readOnlyIndex: 6)),
                new ProcessConfig(3, RlimitMemlock: 0, CapIpcLock: true, Mappings: PlatformConfig.Linear(0x10, 15, 8, readOnlyIndex: 2)),
            ],
        };
    }

    /// <summary>The platform whose config this is (by value), or a generic one naming the page shift.</summary>
    public static Platform Of(PlatformConfig config)
    {
        foreach (var p in All)
            if (ReferenceEquals(p.Config, config)) return p;
        foreach (var p in All)
            if (p.Config.PageShift == config.PageShift && p.Config.PhysicalPages == config.PhysicalPages
                && p.Config.Groups.Length == config.Groups.Length && p.Config.Processes.Length == config.Processes.Length
                && p.Config.Groups.Zip(config.Groups).All(x => x.First.Id == x.Second.Id && x.First.ItOffset == x.Second.ItOffset && x.First.ItSize == x.Second.ItSize)
                && p.Config.Processes.Zip(config.Processes).All(x => x.First.Pid == x.Second.Pid && x.First.RlimitMemlock == x.Second.RlimitMemlock
                    && x.First.CapIpcLock == x.Second.CapIpcLock && x.First.Mappings.SequenceEqual(x.Second.Mappings)))
                return p;
        return new Platform($"custom-{config.PageShift}", $"PlatformConfig.Small({config.PageShift})", config);
    }
}
