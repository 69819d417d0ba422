using System.Text.RegularExpressions;
using TceVerify.Scheduling;
using TceVerify.Variants;

namespace TceVerify.Concurrency;

/// <summary>
/// The concurrency suite's checks one at a time (the names of <see cref="Checks.Concurrent"/>): the runner options and
/// engine settings that run one check alone, and which check a bug report comes from. Running a check alone shows
/// that a variant is caught by that check and not by a neighbour (e.g. a dropped lock found by the lock discipline,
/// by the race detector, or only by what a user sees: the invariants and linearizability).
/// </summary>
public static partial class ConcurrencyChecks
{
    /// <summary>Runner options with only <paramref name="check"/> on (data race and deadlock are engine checks).</summary>
    public static RunnerOptions OptionsFor(string check)
    {
        var none = RunnerOptions.EngineOnly with { DescribeStates = false };
        return check switch
        {
            Checks.LockDiscipline => none with { LockDiscipline = true },
            Checks.DataRace or Checks.Deadlock => none,
            Checks.Linearizability => none with { Linearizability = true },
            Checks.Invariants => none with { StateInvariants = true },
            _ => throw new ArgumentException($"no concurrency check '{check}'; known: {string.Join(", ", Checks.Concurrent)}", nameof(check)),
        };
    }

    /// <summary>Race detection on only for the data-race check (null: every check, race detection on).</summary>
    public static Configuration Configure(Configuration configuration, string? check) =>
        configuration.WithDataRaceDetection(check is null or Checks.DataRace);

    /// <summary>Which check a bug report comes from, and the spec clauses it names (in order, first is the main one).</summary>
    public static (string Check, IReadOnlyList<string> Clauses) Classify(BugReport bug) => Classify(bug.Kind, bug.Message);

    /// <summary>The same for a failure another engine reports in our terms (src/TceCoyote).</summary>
    public static (string Check, IReadOnlyList<string> Clauses) Classify(BugKind kind, string message)
    {
        var clauses = ClauseRx().Matches(message).Select(m => m.Value).Distinct().ToList();
        switch (kind)
        {
            case BugKind.DataRace: return (Checks.DataRace, clauses);
            case BugKind.Deadlock: return (Checks.Deadlock, ["INV-8", .. clauses]);
            case BugKind.Livelock: return ("livelock", ["INV-8", .. clauses]);
            case BugKind.InvariantViolation: return ("every step", clauses);
            case BugKind.AssertionFailure when message.Contains(" violated: ", StringComparison.Ordinal) && clauses.Count > 0 && clauses[0].StartsWith("LOCK-", StringComparison.Ordinal):
                return (Checks.LockDiscipline, clauses);
            case BugKind.FinalCheckFailure when message.Contains("invariants broken", StringComparison.Ordinal):
                return (Checks.Invariants, clauses);
            case BugKind.FinalCheckFailure when message.Contains("INV-11", StringComparison.Ordinal):
                return (Checks.Linearizability, ["INV-11", .. clauses.Where(c => c != "INV-11")]);
            default: return (kind.ToString(), clauses);
        }
    }

    [GeneratedRegex(@"\b(LOCK|INV|FIND)-\d+\b")]
    private static partial Regex ClauseRx();
}
