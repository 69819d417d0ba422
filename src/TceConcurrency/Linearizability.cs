using System.Text;
using TceVerify.Contract;
using TceVerify.Model;

namespace TceVerify.Concurrency;

/// <summary>The verdict of a linearizability check (INV-11).</summary>
public sealed record LinearizabilityResult(bool Ok, IReadOnlyList<HistoryEntry>? Order, string Explanation);

/// <summary>
/// Decides whether a concurrent history is explained by some sequential order of the same calls on the model
/// (LOCK-7, INV-11): the order must respect real time (a call that returned before another was called comes
/// first), every call must return what the model returns at its place, and the model's final state must equal
/// the implementation's. Histories are small, so a depth-first search with a memo of failed states suffices.
/// </summary>
public static class Linearizability
{
    public static LinearizabilityResult Check(World start, IReadOnlyList<HistoryEntry> history, Snapshot finalState)
    {
        int n = history.Count;
        if (n > 62) throw new ArgumentException("history too long for the direct search");
        var order = new List<HistoryEntry>(n);
        var failed = new HashSet<(long, string)>();
        var deepest = new List<HistoryEntry>();
        string why = "";
        bool ok = Search(start, 0L);
        if (ok) return new(true, order.ToList(), "linearizable");
        return new(false, null, Explain(history, deepest, why));

        bool Search(World world, long done)
        {
            if (order.Count > deepest.Count) { deepest = order.ToList(); }
            if (BitCount(done) == n)
            {
                var model = new ModelSystem(world);
                var snap = model.Snapshot();
                if (snap.Equals(finalState)) return true;
                why = "every call's result fits the order shown, but the final states differ:\n" + Snapshot.Diff(snap, finalState);
                return false;
            }
            var key = (done, new ModelSystem(world).Snapshot().Text);
            if (failed.Contains(key)) return false;
            int frontier = int.MaxValue;
            for (int i = 0; i < n; i++)
                if ((done & (1L << i)) == 0) frontier = Math.Min(frontier, history[i].ReturnAt);
            for (int i = 0; i < n; i++)
            {
                if ((done & (1L << i)) != 0) continue;
                var h = history[i];
                if (h.CallAt > frontier) continue; // some pending call returned before this one was called
                if (!ProgramOrderReady(history, done, h)) continue;
                var model = new ModelSystem(world);
                long r = h.Command.Invoke(model); // arguments were staged before the threads started
                if (r != h.Result)
                {
                    if (order.Count >= deepest.Count)
                        why = $"after the order shown, {h} cannot come next: the model returns {Errno.Describe(r)}";
                    continue;
                }
                order.Add(h);
                if (Search(model.State, done | (1L << i))) return true;
                order.RemoveAt(order.Count - 1);
            }
            failed.Add(key);
            return false;
        }
    }

    static bool ProgramOrderReady(IReadOnlyList<HistoryEntry> history, long done, HistoryEntry h)
    {
        for (int j = 0; j < history.Count; j++)
            if (history[j].Thread == h.Thread && history[j].Index < h.Index && (done & (1L << j)) == 0) return false;
        return true;
    }

    static int BitCount(long x) => System.Numerics.BitOperations.PopCount((ulong)x);

    static string Explain(IReadOnlyList<HistoryEntry> history, List<HistoryEntry> deepest, string why)
    {
        var sb = new StringBuilder();
        sb.AppendLine("No sequential order of these calls on the model explains the results (INV-11):");
        foreach (var h in history.OrderBy(h => h.CallAt)) sb.AppendLine("  " + h);
        sb.AppendLine($"Longest order that fits ({deepest.Count} of {history.Count} calls):");
        foreach (var h in deepest) sb.AppendLine("  " + h);
        if (why.Length > 0) sb.AppendLine(why);
        return sb.ToString();
    }
}
