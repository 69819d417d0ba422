using System.Text.RegularExpressions;
using TceVerify.Contract;

namespace TceVerify.TestKit;

/// <summary>What INV-5 lets a failed call change.</summary>
[Flags]
public enum Inv5Allowance
{
    None = 0,
    /// <summary>Bytes copy_to_user wrote before it faulted (ABI-6): memory lines may differ.</summary>
    CopyToUserBytes = 1,
    /// <summary>Dirty bits set on pages whose WRITE TCEs a failed MAP built and undid (MAP-11): 0 -> 1 only.</summary>
    MapUndoDirty = 2,
    /// <summary>The injection countdown a failed MAP consumed (HOST-7): it may only go down.</summary>
    InjectCountdown = 4,
    /// <summary>Stale TCEs cleared by a failed SET_IOMMU's attach and unwind (CORE-4): window TCE lines may vanish.</summary>
    StaleTcesCleared = 8,
}

/// <summary>
/// INV-5 failure atomicity: compares the snapshots before and after a call that returned an error.
/// Everything must be equal except what the <see cref="Inv5Allowance"/> permits; page counts never change.
/// </summary>
public static partial class FailureAtomicity
{
    /// <summary>What INV-5 allows a failed ioctl <paramref name="cmd"/> to change. Other calls get none.</summary>
    public static Inv5Allowance ForIoctl(uint cmd)
    {
        if (cmd == Ioctls.MapDma) return Inv5Allowance.MapUndoDirty | Inv5Allowance.InjectCountdown;
        if (cmd == Ioctls.SpaprTceGetInfo || cmd == Ioctls.GroupGetStatus) return Inv5Allowance.CopyToUserBytes;
        if (cmd == Ioctls.SetIommu) return Inv5Allowance.StaleTcesCleared;
        return Inv5Allowance.None;
    }

    [GeneratedRegex(@" inject=\d+ ")] private static partial Regex InjectRx();

    /// <summary>Describes every difference INV-5 does not allow; empty when the failure was atomic.</summary>
    public static string Violations(Snapshot before, Snapshot after, Inv5Allowance allow)
    {
        if (before.Equals(after)) return "";
        var ob = before.Observe();
        var oa = after.Observe();
        var problems = new List<string>();

        // pages: counts never change; dirty may only go 0 -> 1 with MapUndoDirty
        foreach (var (pfn, pb) in ob.Pages)
        {
            if (!oa.Pages.TryGetValue(pfn, out var pa)) { problems.Add($"page {pfn:x} vanished"); continue; }
            if (pa.Ref != pb.Ref) problems.Add($"page {pfn:x} ref {pb.Ref} -> {pa.Ref}");
            if (pa.Dirty != pb.Dirty && !(allow.HasFlag(Inv5Allowance.MapUndoDirty) && pa.Dirty))
                problems.Add($"page {pfn:x} dirty {pb.Dirty} -> {pa.Dirty}");
        }

        // tables: the injection countdown may only go down with InjectCountdown
        foreach (var (g, tb) in ob.Tables)
        {
            if (!oa.Tables.TryGetValue(g, out var ta)) { problems.Add($"table {g} vanished"); continue; }
            if (ta.Inject != tb.Inject && !(allow.HasFlag(Inv5Allowance.InjectCountdown) && ta.Inject < tb.Inject))
                problems.Add($"table {g} inject {tb.Inject} -> {ta.Inject}");
        }

        // TCEs: with StaleTcesCleared a TCE line may vanish, never appear or change
        var tb2 = ob.TceLines.SelectMany(kv => kv.Value.Select(e => (kv.Key, e.Key, e.Value))).ToHashSet();
        var ta2 = oa.TceLines.SelectMany(kv => kv.Value.Select(e => (kv.Key, e.Key, e.Value))).ToHashSet();
        foreach (var t in ta2.Except(tb2)) problems.Add($"table {t.Item1} tce {t.Item2:x} = {t.Item3:x} appeared");
        if (!allow.HasFlag(Inv5Allowance.StaleTcesCleared))
            foreach (var t in tb2.Except(ta2)) problems.Add($"table {t.Item1} tce {t.Item2:x} = {t.Item3:x} vanished");

        // everything else line by line
        var rest = Rest(before, allow).ToHashSet();
        var restAfter = Rest(after, allow).ToHashSet();
        foreach (var l in rest.Except(restAfter)) problems.Add("before only: " + l);
        foreach (var l in restAfter.Except(rest)) problems.Add("after only: " + l);

        return string.Join("\n", problems.Take(12));
    }

    static IEnumerable<string> Rest(Snapshot s, Inv5Allowance allow)
    {
        foreach (var l in s.Lines)
        {
            if (l.StartsWith("page ", StringComparison.Ordinal)) continue;
            if (l.StartsWith("table ", StringComparison.Ordinal) && l.Contains(" tce ", StringComparison.Ordinal)) continue;
            if (l.StartsWith("mem ", StringComparison.Ordinal) && allow.HasFlag(Inv5Allowance.CopyToUserBytes)) continue;
            yield return l.StartsWith("table ", StringComparison.Ordinal) ? InjectRx().Replace(l, " inject=* ") : l;
        }
    }
}
