using TceVerify.Contract;

namespace TceVerify.TestKit;

/// <summary>
/// The state invariants for the unit tests: the harness's single implementation (INV-1, 2, 3, 4, 7, 9), plus
/// the check that the snapshot's every line parses (STATE-10). One line per violation, starting with the clause.
/// </summary>
public static class StateInvariants
{
    /// <param name="hostWroteStale">The history holds HOST-6 stale writes, so host-owned tables may hold any value.</param>
    public static List<string> Check(PlatformConfig cfg, Observed o, bool hostWroteStale = false)
    {
        var v = new List<string>();
        if (o.Unparsed.Count > 0) v.Add($"STATE-10 unparsed snapshot lines: {string.Join(" | ", o.Unparsed.Take(3))}");
        var parsed = Harness.Observation.Observed.Parse(o.Snapshot);
        v.AddRange(Harness.Invariants.InvariantChecker.CheckState(cfg, parsed, quiescent: true, hostWroteStale).Select(x => x.ToString()));
        return v;
    }
}
