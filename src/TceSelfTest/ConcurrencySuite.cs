using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.Variants;

namespace TceVerify.SelfTest;

/// <summary>
/// The concurrency suite's checks, one at a time: each check is run alone (the runner's other checks and, but for the
/// data-race check, race detection off), so that an entry is shown to be caught by that check and not by a neighbour.
/// </summary>
public static class ConcurrencySuite
{
    /// <summary>The runner's checks for one check of <see cref="Checks.Concurrent"/>.</summary>
    public static RunnerOptions OptionsFor(string check)
    {
        var none = RunnerOptions.EngineOnly with { DescribeStates = false };
        return check switch
        {
            Checks.LockDiscipline => none with { LockDiscipline = true },
            Checks.DataRace or Checks.Deadlock => none,
            Checks.Linearizability => none with { Linearizability = true },
            Checks.Invariants => none with { StateInvariants = true },
            _ => throw new ArgumentException($"no concurrency check '{check}'; known: {string.Join(", ", Checks.Concurrent)}"),
        };
    }

    /// <summary>Every check at once, race detection on.</summary>
    public static RunnerOptions Everything { get; } = RunnerOptions.Default with { DescribeStates = false };

    /// <summary>The explorations of one scenario, in order: the portfolio (random and PCT schedules), then bounded DFS.</summary>
    public static IReadOnlyList<(string Strategy, Configuration Configuration)> Explorations(string? check, int schedules, int dfsSchedules, SelfTestOptions o) =>
    [
        ("portfolio", Base(check, o).WithTestingIterations(schedules).WithPortfolioStrategy()),
        ($"dfs(pb={o.DfsPreemptionBound})", Base(check, o).WithTestingIterations(dfsSchedules).WithDfsStrategy(o.DfsPreemptionBound)),
    ];

    static Configuration Base(string? check, SelfTestOptions o) =>
        Configuration.Create()
            .WithRandomGeneratorSeed(o.ScheduleSeed)
            .WithMaxSchedulingSteps(o.MaxSchedulingSteps)
            .WithDataRaceDetection(check is null or Checks.DataRace)
            .WithReadableTraceOnBug(false);

    /// <summary>Which check a bug report comes from, and the clauses it names.</summary>
    public static (string Check, IReadOnlyList<string> Clauses) Classify(BugReport bug)
    {
        var clauses = SequentialSuite.Clauses(bug.Message);
        switch (bug.Kind)
        {
            case BugKind.DataRace: return (Checks.DataRace, clauses);
            case BugKind.Deadlock: return (Checks.Deadlock, ["INV-8", .. clauses]);
            case BugKind.Livelock: return ("livelock", ["INV-8", .. clauses]);
            case BugKind.InvariantViolation: return ("every step", clauses);
            case BugKind.UnhandledException: return ("exception", clauses);
            case BugKind.AssertionFailure when bug.Message.Contains(" violated: ", StringComparison.Ordinal) && clauses.Count > 0 && clauses[0].StartsWith("LOCK-", StringComparison.Ordinal):
                return (Checks.LockDiscipline, clauses);
            case BugKind.FinalCheckFailure when bug.Message.Contains("invariants broken", StringComparison.Ordinal):
                return (Checks.Invariants, clauses);
            case BugKind.FinalCheckFailure when bug.Message.Contains("INV-11", StringComparison.Ordinal):
                return (Checks.Linearizability, ["INV-11", .. clauses]);
            default: return (bug.Kind.ToString(), clauses);
        }
    }
}
