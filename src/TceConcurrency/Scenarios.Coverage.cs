using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Concurrency;

/// <summary>
/// Scenarios of issue 11, for what no other scenario ran: host writes and fault injection in threads, updates of
/// bitmap words that several pools share (LOCK-9), and the wide platform, whose windows span several 64-entry words,
/// start off a word boundary and have pools that do not align with words (<see cref="PlatformConfig.Wide"/>).
/// </summary>
public static partial class Scenarios
{
    /// <summary>Issue 11's race: two stale host writes in different pools of table 1 (entries 5 and 0x14, pools 0 and 1,
    /// one 64-entry word), then a take-over. A lost occupancy bit would make the take-over skip a leftover (LOCK-9).</summary>
    public static ConcurrentScenario StaleWritesVsAttach()
    {
        var cfg = PlatformConfig.Small();
        return new("stale-writes-vs-attach", cfg, Joined(cfg).Commands,
        [
            Thread(cfg, "stale-pool0", 1, t => t.Add(new HostStaleCmd(1, 5, 0x2000 | Abi.TcePciRead))),
            Thread(cfg, "stale-pool1-attach", 2, t => t.Add(new HostStaleCmd(1, 0x14, 0x3000 | Abi.TcePciRead)).SetIommu(1, C)),
        ]) { Clauses = ["HOST-6", "TBL-9", "LOCK-9", "INV-1", "INV-3"] };
    }

    /// <summary>Two host frees in different pools of table 1 whose it_map bits share a word (HOST-5, LOCK-4, LOCK-9).</summary>
    public static ConcurrentScenario HostFreesOneWord()
    {
        var cfg = PlatformConfig.Small();
        var prefix = new Script(cfg).HostAlloc(1, 40).Commands;   // entries 1 .. 40: pools 0, 1 and 2
        return new("host-frees-one-word", cfg, prefix,
        [
            Thread(cfg, "free-pool0", 1, t => t.HostFree(1, 2, 1)),
            Thread(cfg, "free-pool1", 2, t => t.HostFree(1, 0x14, 1)),
        ]) { Clauses = ["HOST-5", "LOCK-4", "LOCK-9", "INV-11"] };
    }

    /// <summary>HOST-7 in a thread: the host sets the write-failure countdown while a MAP of two pages builds.</summary>
    public static ConcurrentScenario InjectVsMap()
    {
        var cfg = PlatformConfig.Small();
        return new("inject-vs-map", cfg, Enabled(cfg).Commands,
        [
            Thread(cfg, "inject", 1, t => t.Add(new InjectCmd(1, 2))),
            Thread(cfg, "map", 2, t => t.Map(1, C, Script.VaddrOf(cfg, 1, 0), 0, 0x2000)),
        ]) { Clauses = ["HOST-7", "MAP-10", "MAP-11", "INV-11"] };
    }

    /// <summary>FIND-25 (found by a long hunt): an inject, a munmap of the second page of a two-page MAP, and the MAP.
    /// A MAP that claims the countdown at its start orders the inject after itself, yet fails on the page the munmap
    /// took after the inject returned; the inject lock (LOCK-10) leaves only orders the model explains.</summary>
    public static ConcurrentScenario InjectVsMunmapAndMap()
    {
        var cfg = PlatformConfig.Small();
        ulong vaddr = Script.VaddrOf(cfg, 1, 0);
        return new("inject-vs-munmap-and-map", cfg, Enabled(cfg).Commands,
        [
            Thread(cfg, "map", 1, t => t.Map(1, C, vaddr, 0, 0x2000)),
            Thread(cfg, "inject", 2, t => t.Add(new InjectCmd(1, 2))),
            Thread(cfg, "munmap", 3, t => t.Add(new UnmapPageCmd(1, (vaddr >> cfg.PageShift) + 1))),
        ]) { Clauses = ["HOST-7", "LOCK-10", "MAP-10", "PROC-7", "INV-11"] };
    }

    /// <summary>FIND-23 on the wide machine: two stale host writes in pools 0 and 1 of table 2 (window at 0x829, pools of
    /// 75 entries), both in the second 64-entry word of the storage, then a take-over of the 300-entry window.</summary>
    public static ConcurrentScenario WideStaleWritesVsAttach()
    {
        var cfg = PlatformConfig.Wide();
        var prefix = new Script(cfg).OpenContainer(1).OpenGroup(1, 2).SetContainer(1, G, C).Commands;
        return new("wide-stale-writes-vs-attach", cfg, prefix,
        [
            Thread(cfg, "stale-pool0", 1, t => t.Add(new HostStaleCmd(2, 0x829 + 70, 0x2000 | Abi.TcePciRead))),
            Thread(cfg, "stale-pool1-attach", 2, t => t.Add(new HostStaleCmd(2, 0x829 + 80, 0x3000 | Abi.TcePciRead)).SetIommu(1, C)),
        ]) { Clauses = ["HOST-6", "TBL-9", "LOCK-9", "INV-1", "INV-3"], ConfigCode = "PlatformConfig.Wide(12)" };
    }

    /// <summary>The wide machine's table 1 (200 entries in pools of 67): entries 60 .. 65 mapped across a word and a pool
    /// boundary; an UNMAP of 62 .. 65, the release of the group fd (DISABLE's clear, TBL-10) and a host allocation of
    /// 70 entries (across a word and a pool boundary) that only the release makes room for, then its free, race (3 threads).</summary>
    public static ConcurrentScenario WideUnmapVsReleaseVsHost()
    {
        var cfg = PlatformConfig.Wide();
        var s = Enabled(cfg);
        s.Map(1, C, s.Vaddr(1, 0), 60 << 12, 6 << 12);
        return new("wide-unmap-vs-release-vs-host", cfg, s.Commands,
        [
            Thread(cfg, "unmap", 1, t => t.Unmap(1, C, 62 << 12, 4 << 12)),
            Thread(cfg, "release", 2, t => t.Close(1, G)),
            Thread(cfg, "host", 3, t => t.HostAlloc(1, 70).HostFree(1, 1, 70)),
        ]) { Clauses = ["TBL-7", "TBL-10", "HOST-4", "HOST-5", "LOCK-4", "LOCK-9", "INV-6"], ConfigCode = "PlatformConfig.Wide(12)" };
    }

    /// <summary>The scenarios above, registered with the hand-written ones.</summary>
    static IReadOnlyList<ConcurrentScenario> Coverage =>
        [StaleWritesVsAttach(), HostFreesOneWord(), InjectVsMap(), InjectVsMunmapAndMap(), WideStaleWritesVsAttach(), WideUnmapVsReleaseVsHost()]; // a getter: partial files initialise in no set order
}
