using TceVerify.Contract;

namespace TceVerify.TestKit;

/// <summary>
/// The state invariants for the unit tests: the harness's single implementation (INV-1, 2, 3, 4, 7, 9; with the device's state, 12 and 13) on the
/// harness's parse of the snapshot. One line per violation, starting with the clause.
/// </summary>
public static class StateInvariants
{
    /// <param name="hostWroteStale">The history holds HOST-6 stale writes, so host-owned tables may hold any value.</param>
    public static List<string> Check(PlatformConfig cfg, StateView o, bool hostWroteStale = false) =>
        Harness.Invariants.InvariantChecker.CheckState(cfg, o.Parsed, quiescent: true, hostWroteStale).Select(x => x.ToString()).ToList();

    /// <summary>The same with the device's state (DEV-2's caches, INV-12's breaches): INV-12 and INV-13 too.</summary>
    public static List<string> Check(PlatformConfig cfg, StateView o, DeviceState device, bool hostWroteStale = false) =>
        Harness.Invariants.InvariantChecker.CheckState(cfg, o.Parsed, device, quiescent: true, hostWroteStale).Select(x => x.ToString()).ToList();
}
