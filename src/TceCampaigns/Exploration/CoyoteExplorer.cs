using System.Text;
using TceVerify.Concurrency;
using TceVerify.Coyote;

namespace TceVerify.Campaigns;

/// <summary>The engine that explores schedules: TceVerify's own (src/TceScheduler, the default) or Microsoft Coyote
/// (src/TceCoyote), to cross-check a hunt.</summary>
public enum Engine { Builtin, Coyote }

/// <summary>Engine names as the command line and the files spell them.</summary>
public static class Engines
{
    public static string Name(this Engine engine) => engine == Engine.Coyote ? "coyote" : "builtin";

    /// <summary>The engine a trace belongs to, by its prefix (TCE1: ours, COY1: Coyote's); null for neither.</summary>
    public static Engine? OfTrace(string trace) =>
        trace.StartsWith(CoyoteTrace.Prefix, StringComparison.Ordinal) ? Engine.Coyote
        : trace.StartsWith(Scheduling.ReproducibleTrace.Prefix, StringComparison.Ordinal) ? Engine.Builtin
        : null;

    /// <summary>Parses --engine (or a file's engine field); a wrong name is a usage error naming both.</summary>
    public static Engine Parse(string? text, string what = "--engine") => text?.Trim().ToLowerInvariant() switch
    {
        "builtin" => Engine.Builtin,
        "coyote" => Engine.Coyote,
        _ => throw new UsageException($"invalid {what} '{text}': expected builtin (TceVerify's own engine, the default) or coyote (Microsoft Coyote)"),
    };
}

/// <summary>
/// Runs Microsoft Coyote over a scenario through the typed API of src/TceCoyote (<see cref="CoyoteEngine"/>), and
/// turns what it found into the failures hunt reports and writes (<see cref="ScheduleFailure"/>). Coyote runs the
/// semantic checks only: the final invariants, linearizability (INV-11) and its own deadlock detection (INV-8); the
/// lock discipline and the race detector need our engine.
/// </summary>
public static class CoyoteExplorer
{
    /// <summary>What the checks are under Coyote, for summaries.</summary>
    public const string ChecksDescription =
        "semantic checks only: final invariants, linearizability and deadlocks (Coyote runs neither the lock discipline nor the race detector)";

    /// <summary>Scheduling steps per schedule before it counts as a livelock (the engine's default, as ours).</summary>
    public static int MaxSteps { get; } = new CoyoteRun(Scenarios.AttachEnableRelease(), CoyoteStrategy.Random, 0, 1).MaxSteps;

    /// <summary>Coyote's strategy of a name; an unknown one is a usage error listing them (and saying where our
    /// engine's own strategies went).</summary>
    public static CoyoteStrategy Strategy(string text)
    {
        if (CoyoteStrategies.TryParse(text.Trim(), out var strategy)) return strategy;
        string known = string.Join(", ", CoyoteStrategies.All.Select(s => s.Name()));
        string hint = text.Trim().ToLowerInvariant() switch
        {
            "pct" => " (pct is the built-in engine's; Coyote's priority-based strategy is prioritization)",
            "dfs" => " (dfs is the built-in engine's; Coyote 1.7.11 keeps its DFS internal)",
            _ => "",
        };
        throw new UsageException($"invalid --strategy '{text}' for --engine coyote{hint}: expected {known}");
    }

    /// <summary>Explores <paramref name="schedules"/> schedules of a scenario with Coyote from <paramref name="seed"/>;
    /// the first failure, replayed once to prove it reproduces.</summary>
    public static BatchResult RunBatch(ConcurrentScenario scenario, Target target, CoyoteStrategy strategy, uint seed, int schedules,
        CancellationToken ct, Action? onSchedule = null)
    {
        var report = CoyoteEngine.Explore(new CoyoteRun(scenario, strategy, seed, schedules)
        {
            Parts = target.Parts,
            VariantName = target.RunnerName,
            Cancellation = ct,
            OnSchedule = onSchedule,
        });
        return new BatchResult(report.Schedules, report.Failure is { } f ? Failure(report, f, target, scenario) : null, Exhausted: false);
    }

    static ScheduleFailure Failure(CoyoteReport report, CoyoteFailure f, Target target, ConcurrentScenario scenario) =>
        new(report.Scenario, target.Name, report.Strategy, report.Seed, f.Schedule - 1, f.Trace, f.Kind,
            f.Clauses.FirstOrDefault(), f.Message, Calls(f.History, f.Pending, f.Reproduced), MaxSteps, DataRaceDetection: false)
        {
            Steps = CoyoteTrace.Decode(f.Trace).Steps,
            SemanticOnly = true,
            Where = FailureWhere.OfSchedule(f.Kind, f.Message, scenario.Threads.Select(t => t.Name)),
            Engine = Engine.Coyote,
        };

    /// <summary>What a Coyote trace file shows instead of our engine's per-step table (Coyote records the schedule's
    /// choices, not what each step did): the calls of the failing schedule with their call and return positions.</summary>
    public static string Calls(IReadOnlyList<HistoryEntry> history, IReadOnlyList<PendingCall> pending, bool? reproduced = null)
    {
        var sb = new StringBuilder("Calls of the schedule (call/return positions; Coyote records its scheduling choices, not a per-step table):\n");
        foreach (var h in history.OrderBy(h => h.CallAt)) sb.Append("  ").Append(h).Append('\n');
        foreach (var p in pending) sb.Append("  ").Append(p).Append(" (in progress when the failure stopped the schedule)\n");
        if (history.Count == 0 && pending.Count == 0) sb.Append("  (none completed)\n");
        if (reproduced == false) sb.Append("Replaying the trace did NOT give the same failure: please report this as a bug of TceVerify.\n");
        return sb.ToString();
    }
}
