using System.Globalization;
using TceVerify.Concurrency;
using TceVerify.Scheduling;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// Exploration budgets of the concurrency suite. Defaults keep the whole suite under 2 minutes on a 2-core machine;
/// the environment variable CONCURRENCY_SCALE multiplies every iteration count (e.g. CONCURRENCY_SCALE=20 for a long
/// run; fractional values shrink them) and, from 4 up, raises the preemption bound of the exhaustive searches from 1 to 2.
/// Seeds are fixed, so a run is deterministic at any scale.
/// </summary>
public static class Scale
{
    public static double Factor { get; } =
        double.TryParse(Environment.GetEnvironmentVariable("CONCURRENCY_SCALE"), NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f > 0 ? f : 1.0;

    /// <summary>An iteration count scaled by <see cref="Factor"/> (at least 1).</summary>
    public static int Iterations(int baseline) => Math.Max(1, (int)Math.Round(baseline * Factor));

    /// <summary>The preemption bound of the suite's exhaustive searches.</summary>
    public static int PreemptionBound => Factor >= 4 ? 2 : 1;

    public const ulong Seed = 20240611;

    public static Configuration Random(int iterations, ulong seed = Seed) =>
        Configuration.Create().WithRandomStrategy().WithTestingIterations(Iterations(iterations)).WithRandomGeneratorSeed(seed);

    public static Configuration Pct(int iterations, int depth = 3, ulong seed = Seed) =>
        Configuration.Create().WithPctStrategy(depth).WithTestingIterations(Iterations(iterations)).WithRandomGeneratorSeed(seed);

    public static Configuration Portfolio(int iterations, ulong seed = Seed) =>
        Configuration.Create().WithPortfolioStrategy().WithTestingIterations(Iterations(iterations)).WithRandomGeneratorSeed(seed);

    /// <summary>Exhaustive within the bound unless the (scaled) cap is reached first.</summary>
    public static Configuration Dfs(int bound, int cap = 20_000) =>
        Configuration.Create().WithDfsStrategy(bound).WithTestingIterations(Iterations(cap));

    /// <summary>Every schedule of <paramref name="runner"/> within preemption bound <paramref name="bound"/>: asserts that
    /// all pass and that the space was exhausted within the (scaled) cap.</summary>
    public static ScenarioOutcome AssertExhaustedClean(ScenarioRunner runner, int bound = 2, int cap = 50_000)
    {
        var outcome = runner.Run(Dfs(bound, cap));
        Assert.True(outcome.Passed, outcome.ToString());
        Assert.True(outcome.Report.IsExhausted, outcome.Report.Summary);
        return outcome;
    }

    /// <summary>Explores a scenario with DFS (the suite's bound) and then random and PCT schedules; the first failure.</summary>
    public static ScenarioOutcome ExploreThoroughly(ScenarioRunner runner, int randomIterations, int dfsCap = 20_000)
    {
        var dfs = runner.Run(Dfs(PreemptionBound, dfsCap));
        if (!dfs.Passed) return dfs;
        var random = runner.Run(Random(randomIterations));
        if (!random.Passed) return random;
        return runner.Run(Pct(randomIterations));
    }
}
