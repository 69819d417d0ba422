using System.Text.RegularExpressions;
using TceVerify.Contract;
using TceVerify.Harness.Observation;

namespace TceVerify.Harness.Invariants;

/// <summary>
/// INV-5: compares the snapshots before and after a call that returned an error. Everything must be equal
/// except what the call's <see cref="FailureAllowance"/> permits; page counts never change. Every line is
/// compared, so no field can be forgotten.
/// </summary>
public static partial class FailureAtomicity
{
    [GeneratedRegex(@" inject=-?\d+ ")] private static partial Regex InjectRx();

    public static List<Violation> Check(Snapshot before, Snapshot after, FailureAllowance allow) =>
        before.Equals(after) ? new List<Violation>() : Check(Observed.Parse(before), Observed.Parse(after), allow);

    public static List<Violation> Check(Observed ob, Observed oa, FailureAllowance allow)
    {
        var problems = new List<Violation>();
        Snapshot before = ob.Source, after = oa.Source;
        if (before.Equals(after)) return problems;

        // Pages: counts never change; a dirty bit may only go 0 -> 1, and only where MAP-11 allows it.
        foreach (var (pfn, (refs, dirty)) in ob.Pages)
        {
            if (!oa.Pages.TryGetValue(pfn, out var now)) { Add($"frame {pfn:x} vanished"); continue; }
            if (now.Ref != refs) Add($"frame {pfn:x} count {refs} -> {now.Ref}");
            if (now.Dirty != dirty && !(allow.DirtyBits && now.Dirty)) Add($"frame {pfn:x} dirty {dirty} -> {now.Dirty}");
        }

        // Tables: the injection countdown may only go down (HOST-7); TCEs never change.
        foreach (var (g, tb) in ob.Tables)
        {
            if (!oa.Tables.TryGetValue(g, out var ta)) { Add($"table {g} vanished"); continue; }
            if (ta.Inject != tb.Inject && !(allow.InjectCountdown && ta.Inject < tb.Inject))
                Add($"table {g} countdown {tb.Inject} -> {ta.Inject}");
            foreach (var (e, value) in ta.Tces)
                if (!tb.Tces.TryGetValue(e, out var old) || old != value) Add($"table {g} tce {e:x} = {value:x} appeared");
            foreach (var (e, value) in tb.Tces)
                if (!ta.Tces.ContainsKey(e)) Add($"table {g} tce {e:x} = {value:x} vanished");
        }

        // Everything else, line by line.
        var rest = Rest(before, allow).ToHashSet();
        var restAfter = Rest(after, allow).ToHashSet();
        foreach (var l in rest.Except(restAfter)) Add("before only: " + l);
        foreach (var l in restAfter.Except(rest)) Add("after only: " + l);
        return problems;

        void Add(string what) => problems.Add(new Violation("INV-5", "failed call changed " + what));
    }

    static IEnumerable<string> Rest(Snapshot s, FailureAllowance allow)
    {
        foreach (var l in s.Lines)
        {
            if (l.StartsWith("page ", StringComparison.Ordinal)) continue;
            if (l.StartsWith("table ", StringComparison.Ordinal) && l.Contains(" tce ", StringComparison.Ordinal)) continue;
            if (l.StartsWith("mem ", StringComparison.Ordinal) && allow.UserMemory) continue;
            yield return l.StartsWith("table ", StringComparison.Ordinal) ? InjectRx().Replace(l, " inject=* ") : l;
        }
    }
}
