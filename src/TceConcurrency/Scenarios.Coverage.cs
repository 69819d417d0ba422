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

    /// <summary>The scenarios above, registered with the hand-written ones.</summary>
    static IReadOnlyList<ConcurrentScenario> Coverage => [StaleWritesVsAttach(), HostFreesOneWord(), InjectVsMap()]; // a getter: partial files initialise in no set order
}
