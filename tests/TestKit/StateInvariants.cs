using TceVerify.Contract;

namespace TceVerify.TestKit;

/// <summary>
/// The state invariants for the unit tests: the harness's single implementation (INV-1, 2, 3, 4, 7, 9) on the
/// harness's parse of the snapshot. One line per violation, starting with the clause.
/// </summary>
public static class StateInvariants
{
    /// <param name="hostWroteStale">The history holds HOST-6 stale writes, so host-owned tables may hold any value.</param>
    public static List<string> Check(PlatformConfig cfg, StateView o, bool hostWroteStale = false) =>
        Harness.Invariants.InvariantChecker.CheckState(cfg, o.Parsed, quiescent: true, hostWroteStale).Select(x => x.ToString()).ToList();
}
