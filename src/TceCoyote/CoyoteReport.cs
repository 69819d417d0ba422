using System.Globalization;
using TceVerify.Concurrency;
using TceVerify.Scheduling;

namespace TceVerify.Coyote;

/// <summary>The result of one <see cref="CoyoteEngine.Explore"/> or <see cref="CoyoteEngine.Replay"/>.</summary>
/// <param name="Schedules">Schedules explored, the failing one included.</param>
/// <param name="Steps">Coyote's scheduling steps over those schedules (its own count: our points plus task starts and ends).</param>
public sealed record CoyoteReport(string Scenario, string Variant, string Strategy, uint Seed, int Schedules, long Steps, TimeSpan Elapsed, CoyoteFailure? Failure)
{
    /// <summary>The one check the run was limited to (<see cref="CoyoteRun.Check"/>; null: every check).</summary>
    public string? Check { get; init; }

    /// <summary>The calls completed in the last schedule run (a replay's one schedule).</summary>
    public IReadOnlyList<HistoryEntry> LastHistory { get; init; } = [];

    public bool Passed => Failure is null;

    /// <summary>C# that replays the failure (empty when nothing failed); it names a registered scenario.</summary>
    public string ReplayCommand => Failure is null ? "" :
        $"CoyoteEngine.Replay(Scenarios.Get(\"{Scenario}\"), {(Variant == "pristine" ? "null" : $"VariantCatalog.Get(\"{Variant}\").CreateParts")}, \"{Variant}\", \"{Failure.Trace}\"{(Check is null ? "" : $", check: \"{Check}\"")})";
    public double SchedulesPerSecond => Schedules / Math.Max(Elapsed.TotalSeconds, 1e-9);
    public double StepsPerSecond => Steps / Math.Max(Elapsed.TotalSeconds, 1e-9);

    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"coyote {Strategy}, seed {Seed}: scenario '{Scenario}' on {Variant}: {Schedules} schedules, {Steps} steps, {Elapsed.TotalSeconds:0.###} s, {(Failure is null ? "no failure" : "failed")}");

    public override string ToString() => Failure is null ? Summary : Summary + Environment.NewLine + Failure + Environment.NewLine + "replay: " + ReplayCommand;
}

/// <summary>A failure Coyote found, in our terms.</summary>
/// <param name="Kind">Our kind: <see cref="BugKind.FinalCheckFailure"/> (invariants or linearizability),
/// <see cref="BugKind.Deadlock"/>, <see cref="BugKind.Livelock"/>, <see cref="BugKind.UnhandledException"/>.</param>
/// <param name="Check">The check that failed, named as <see cref="ConcurrencyChecks.Classify(BugKind, Classification?)"/> names it.</param>
/// <param name="Schedule">The failing schedule, counted from 1.</param>
/// <param name="Trace">The replayable trace (<see cref="CoyoteTrace"/>, one line) for <see cref="CoyoteEngine.Replay"/>.</param>
public sealed record CoyoteFailure(BugKind Kind, string Check, IReadOnlyList<string> Clauses, string Message, int Schedule, string Trace)
{
    /// <summary>The calls completed in the failing schedule.</summary>
    public IReadOnlyList<HistoryEntry> History { get; init; } = [];

    /// <summary>The calls started but not returned when the failure stopped the schedule (e.g. blocked in a deadlock).</summary>
    public IReadOnlyList<PendingCall> Pending { get; init; } = [];

    /// <summary>Whether replaying the trace gave the same failure (null: not attempted).</summary>
    public bool? Reproduced { get; init; }

    public override string ToString() =>
        $"{Kind} ({Check}{(Clauses.Count > 0 ? " " + string.Join(" ", Clauses) : "")}) at schedule {Schedule}" +
        (Reproduced is { } r ? r ? ", reproduced by replay" : ", NOT reproduced by replay" : "") +
        $"\n{Message}\ntrace: {Trace}";
}
