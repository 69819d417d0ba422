using TceVerify.Concurrency;
using TceVerify.Scheduling;

namespace TceVerify.Campaigns;

/// <summary>
/// How the self-test explores a concurrency-only entry: each check runs alone (<see cref="ConcurrencyChecks.OptionsFor"/>,
/// race detection only for the data-race check), so an entry is shown to be caught by that check and not by a
/// neighbour; the schedules come from the portfolio, then from bounded DFS.
/// </summary>
public static class ConcurrencySuite
{
    /// <summary>Every check at once, race detection on (the pristine implementation must pass them all).</summary>
    public static RunnerOptions Everything { get; } = RunnerOptions.Default with { DescribeStates = false };

    /// <summary>The explorations of one scenario, in order: the portfolio (random and PCT schedules), then bounded DFS.</summary>
    public static IReadOnlyList<(string Strategy, Configuration Configuration)> Explorations(string? check, int schedules, int dfsSchedules, SelfTestOptions o) =>
    [
        ("portfolio", Base(check, o).WithTestingIterations(schedules).WithPortfolioStrategy()),
        ($"dfs(pb={o.DfsPreemptionBound})", Base(check, o).WithTestingIterations(dfsSchedules).WithDfsStrategy(o.DfsPreemptionBound)),
    ];

    static Configuration Base(string? check, SelfTestOptions o) =>
        ConcurrencyChecks.Configure(
            Configuration.Create()
                .WithRandomGeneratorSeed(o.ScheduleSeed)
                .WithMaxSchedulingSteps(o.MaxSchedulingSteps)
                .WithReadableTraceOnBug(false),
            check);
}
