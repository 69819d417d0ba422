using TceVerify.Concurrency;
using TceVerify.Contract;
using TceVerify.Harness.Programs;
using static TceVerify.Concurrency.Scenarios;

namespace TceVerify.SelfTest;

/// <summary>
/// Scenarios the catalog needs beyond the concurrency suite's own (src/TceConcurrency/Scenarios.cs), and the lookup of
/// any scenario a catalog entry names.
/// </summary>
public static class SelfTestScenarios
{
    /// <summary>EN-4 under concurrency: two threads ENABLE one attached container; exactly one may succeed and charge.</summary>
    public static ConcurrentScenario EnableTwice()
    {
        var cfg = PlatformConfig.Small();
        return new("enable-twice", cfg, Joined(cfg).SetIommu(1, C).Commands,
        [
            Thread(cfg, "enable-1", 1, t => t.Enable(1, C)),
            Thread(cfg, "enable-2", 2, t => t.Enable(1, C)),
        ]) { Clauses = ["EN-4", "LOCK-3", "INV-4"] };
    }

    /// <summary>CORE-23 under concurrency: two groups join one container at once; its list must hold both.</summary>
    public static ConcurrentScenario TwoGroupsOneContainer()
    {
        var cfg = PlatformConfig.Small();
        var prefix = new Script(cfg).OpenContainer(1).OpenGroup(1, 1).OpenGroup(1, 2).Commands; // fds 3, 4, 5
        return new("two-groups-one-container", cfg, prefix,
        [
            Thread(cfg, "set-g1", 1, t => t.SetContainer(1, 4, 3)),
            Thread(cfg, "set-g2", 2, t => t.SetContainer(1, 5, 3)),
        ]) { Clauses = ["CORE-23", "LOCK-3", "INV-7"] };
    }

    /// <summary>CORE-6 against CORE-24: a MAP through the container while its only group leaves it.</summary>
    public static ConcurrentScenario MapVsUnset()
    {
        var cfg = PlatformConfig.Small();
        var prefix = Enabled(cfg).Commands;
        return new("map-vs-unset", cfg, prefix,
        [
            Thread(cfg, "map", 1, t => t.Map(1, C, Script.VaddrOf(cfg, 1, 0), 0, 0x1000)),
            Thread(cfg, "unset", 2, t => t.UnsetContainer(1, G)),
        ]) { Clauses = ["CORE-6", "CORE-25", "LOCK-3", "INV-11"] };
    }

    /// <summary>LOCK-5: one process's two containers, one disabled (charge returned) while the other is enabled (charged).</summary>
    public static ConcurrentScenario DisableVsEnableOneMm()
    {
        var cfg = PlatformConfig.Small();
        var prefix = new Script(cfg)
            .OpenContainer(1).OpenGroup(1, 1).SetContainer(1, 4, 3).SetIommu(1, 3).Enable(1, 3)   // c1 fd 3, enabled
            .OpenContainer(1).OpenGroup(1, 2).SetContainer(1, 6, 5).SetIommu(1, 5)                // c2 fd 5
            .Commands;
        return new("disable-vs-enable-one-mm", cfg, prefix,
        [
            Thread(cfg, "disable-c1", 1, t => t.Disable(1, 3)),
            Thread(cfg, "enable-c2", 2, t => t.Enable(1, 5)),
        ]) { Clauses = ["DIS-2", "EN-5", "LOCK-5", "INV-4"] };
    }

    /// <summary>The scenarios defined here.</summary>
    public static IReadOnlyList<ConcurrentScenario> All { get; } = [EnableTwice(), TwoGroupsOneContainer(), MapVsUnset(), DisableVsEnableOneMm()];

    /// <summary>A scenario by name: one of these, or one of the concurrency suite's (<see cref="Scenarios.TryGet"/>).</summary>
    public static ConcurrentScenario Get(string name)
    {
        foreach (var s in All)
            if (s.Name == name) return s;
        if (Scenarios.TryGet(name, out var found)) return found;
        throw new ArgumentException($"unknown scenario '{name}'", nameof(name));
    }
}
