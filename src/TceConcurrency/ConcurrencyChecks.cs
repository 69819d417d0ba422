using TceVerify.Scheduling;

namespace TceVerify.Concurrency;

/// <summary>A failure attributed: the check that failed, the spec clauses it names (the main one first) and the main
/// clause of trace files and summaries (<see cref="Clause"/>).</summary>
public sealed record Classification(string Check, IReadOnlyList<string> Clauses, string? Clause);

/// <summary>
/// The concurrency checks one at a time, by name (the names the catalog's <c>Checks.Concurrent</c> records; tests/catalog
/// holds the two lists equal): the runner options and engine settings that run one check alone, and the one place that
/// says which check and which clauses a failure of either engine comes from. Running a check alone shows that a variant
/// is caught by that check and not by a neighbour (e.g. a dropped lock found by the lock discipline, by the race
/// detector, or only by what a user sees: the invariants and linearizability).
/// </summary>
public static class ConcurrencyChecks
{
    public const string LockDiscipline = "lock discipline";
    public const string DataRace = "data race";
    public const string Deadlock = "deadlock";
    public const string Linearizability = "linearizability";
    public const string Invariants = "final invariants";
    public const string Livelock = "livelock";
    public const string EveryStep = "every step";

    /// <summary>The checks a catalog entry may record, in the catalog's order.</summary>
    public static IReadOnlyList<string> All { get; } = [LockDiscipline, DataRace, Deadlock, Linearizability, Invariants, EveryStep];

    /// <summary>Runner options with only <paramref name="check"/> on (data race and deadlock are engine checks).</summary>
    public static RunnerOptions OptionsFor(string check)
    {
        var none = RunnerOptions.EngineOnly with { DescribeStates = false };
        return check switch
        {
            LockDiscipline => none with { LockDiscipline = true },
            DataRace or Deadlock => none,
            Linearizability => none with { Linearizability = true },
            Invariants => none with { StateInvariants = true },
            EveryStep => none with { EveryStep = true },
            _ => throw new ArgumentException($"no concurrency check '{check}'; known: {string.Join(", ", All)}", nameof(check)),
        };
    }

    /// <summary>Race detection on only for the data-race check (null: every check, race detection on).</summary>
    public static Configuration Configure(Configuration configuration, string? check) =>
        configuration.WithDataRaceDetection(check is null or DataRace);

    /// <summary>The attribution a check attaches to its failure where it detects it (<see cref="BugReport.Detail"/>):
    /// the check and the clauses it breaks, the main one first.</summary>
    public static Classification Failure(string check, IReadOnlyList<string> clauses) => new(check, clauses, clauses.FirstOrDefault());

    /// <summary>Which check a report of our engine comes from, and the spec clauses it breaks: what the failing check
    /// attached where it detected the failure (<see cref="BugReport.Detail"/>), or, for the engine's own bugs, what
    /// their kind means (a deadlock or a livelock breaks INV-8).</summary>
    public static Classification Classify(BugReport bug) => bug.Detail as Classification ?? OfKind(bug.Kind);

    /// <summary>The same for a failure of either engine: the attribution its check attached (src/TceCoyote keeps ours), else its kind.</summary>
    public static Classification Classify(BugKind kind, Classification? attached) => attached ?? OfKind(kind);

    static Classification OfKind(BugKind kind) => kind switch
    {
        BugKind.DataRace => new(DataRace, [], null),
        BugKind.Deadlock => new(Deadlock, ["INV-8"], "INV-8"),
        BugKind.Livelock => new(Livelock, ["INV-8"], "INV-8"),
        BugKind.InvariantViolation => new(EveryStep, [], null),
        _ => new(kind.ToString(), [], null),
    };
}
