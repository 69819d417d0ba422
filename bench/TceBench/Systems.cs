using System.Collections.Immutable;
using TceVerify.Contract;
using TceVerify.Harness.Programs;
using TceVerify.Impl;
using TceVerify.Model;

namespace TceVerify.Bench;

/// <summary>The machines the benchmarks run on, and the calls they time.</summary>
public static class Systems
{
    public const long Window1G = 262_144; // 1 GiB of 4 KiB entries
    public const int Pages = 600;

    /// <summary>One group with a 1 GiB window; process 1 maps 600 frames.</summary>
    public static PlatformConfig Large() => new(
        PageShift: 12,
        PhysicalPages: Pages,
        Groups: [new GroupConfig(1, ItOffset: 0, ItSize: Window1G, Pools: 4, Viable: true, Devices: ["0000:01:00.0"])],
        Processes: [new ProcessConfig(1, RlimitMemlock: 8UL << 30, CapIpcLock: false, Mappings: PlatformConfig.Linear(0x100, 0, Pages, readOnlyIndex: -1))]);

    public static ITceSystem Create(string kind, PlatformConfig config) =>
        kind == "model" ? new ModelSystem(config) : new ImplSystem(config);

    public const int ContainerFd = 3, GroupFd = 4;

    /// <summary>Opens container and group, joins them, SET_IOMMU, ENABLE; fails loudly if any call fails.</summary>
    public static void Setup(ITceSystem s)
    {
        var script = new Script(s.Config).Setup(1, 1, ContainerFd, GroupFd).Enable(1, ContainerFd);
        Run(s, script.Commands);
    }

    public static void Run(ITceSystem s, IEnumerable<Command> commands)
    {
        foreach (var c in commands)
        {
            c.Prepare(s);
            long r = c.Invoke(s);
            if (r < 0) throw new InvalidOperationException($"{c.Describe()} returned {Errno.Describe(r)}");
        }
    }

    /// <summary>1% stale entries across the window, as a previous user or a buggy host path might leave.</summary>
    public static void WriteStale(ITceSystem s)
    {
        for (long e = 1; e < Window1G; e += 100)
            Check(s.HostWriteStale(1, e, Memory.HostTce(e)), "host_write_stale");
    }

    public static void Check(long r, string what)
    {
        if (r < 0) throw new InvalidOperationException($"{what} returned {Errno.Describe(r)}");
    }

    public static ImmutableArray<byte> MapArg(ulong vaddr, ulong iova, ulong size) => [.. Abi.DmaMap(32, Script.RW, vaddr, iova, size)];
}
