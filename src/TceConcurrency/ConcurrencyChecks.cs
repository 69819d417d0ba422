using TceVerify.Harness;
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
    public static IReadOnlyList<string> All { get; } = [LockDiscipline, DataRace, Deadlock, Linearizability, Invariants];

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
            _ => throw new ArgumentException($"no concurrency check '{check}'; known: {string.Join(", ", All)}", nameof(check)),
        };
    }

    /// <summary>Race detection on only for the data-race check (null: every check, race detection on).</summary>
    public static Configuration Configure(Configuration configuration, string? check) =>
        configuration.WithDataRaceDetection(check is null or DataRace);

    /// <summary>Which check a bug report comes from, and the spec clauses it names.</summary>
    public static Classification Classify(BugReport bug) => Classify(bug.Kind, bug.Message);

    /// <summary>
    /// The same for a failure of either engine (Microsoft Coyote's comes back in our terms, src/TceCoyote). The engine's
    /// kind says deadlock, livelock and data race; the runner's checks say which of theirs failed in the first words of
    /// their message ("LOCK-n violated: ", "invariants broken ...", "INV-11 ..."). Deadlocks and livelocks break INV-8,
    /// a non-linearizable history INV-11: those come first. The main clause is the first lock, invariant or finding the
    /// message names (INV-8 for a deadlock or livelock that names none).
    /// </summary>
    public static Classification Classify(BugKind kind, string message)
    {
        var clauses = SpecClauses.In(message);
        string? main = SpecClauses.FirstRuleIn(message) ?? (kind is BugKind.Deadlock or BugKind.Livelock ? "INV-8" : null);
        var (check, first) = kind switch
        {
            BugKind.DataRace => (DataRace, null),
            BugKind.Deadlock => (Deadlock, "INV-8"),
            BugKind.Livelock => (Livelock, "INV-8"),
            BugKind.InvariantViolation => (EveryStep, null),
            BugKind.AssertionFailure when message.Contains(" violated: ", StringComparison.Ordinal) && clauses.Count > 0 && clauses[0].StartsWith("LOCK-", StringComparison.Ordinal)
                => (LockDiscipline, null),
            BugKind.FinalCheckFailure when message.Contains("invariants broken", StringComparison.Ordinal) => (Invariants, null),
            BugKind.FinalCheckFailure when message.Contains("INV-11", StringComparison.Ordinal) => (Linearizability, "INV-11"),
            _ => (kind.ToString(), (string?)null),
        };
        return new Classification(check, first is null ? clauses : [first, .. clauses.Where(c => c != first)], main);
    }
}
