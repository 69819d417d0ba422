using TceVerify.Concurrency;
using TceVerify.Harness;
using TceVerify.Scheduling;

namespace TceVerify.Campaigns;

/// <summary>The strategies hunt offers.</summary>
public enum Strategy { Portfolio, Random, Pct, Dfs }

/// <summary>A bug the engine found in one scenario, with everything a trace file holds.</summary>
public sealed record ScheduleFailure(
    string Scenario, string Variant, string Strategy, ulong Seed, int Iteration, string Trace, BugKind Kind,
    string? Clause, string Message, string ReadableTrace, int MaxSchedulingSteps, bool DataRaceDetection)
{
    /// <summary>The first line of the message (the rest is usually the history).</summary>
    public string Headline => Message.Split('\n')[0].Trim();

    /// <summary>Scheduling decisions of the failing schedule (the size of this witness).</summary>
    public int Steps { get; init; }

    /// <summary>Found with the semantic checks only (lock discipline and race detection off): replay uses the same.</summary>
    public bool SemanticOnly { get; init; }

    /// <summary>Where it failed (<see cref="FailureWhere.OfSchedule"/>).</summary>
    public string Where { get; init; } = "";

    /// <summary>Our engine's report of it, with the failing schedule as data (<see cref="BugReport.Schedule"/>; null
    /// for Coyote's, whose <see cref="ReadableTrace"/> lists the calls instead).</summary>
    public BugReport? Bug { get; init; }

    /// <summary>The engine that found it (and replays it: the trace is its own).</summary>
    public Engine Engine { get; init; } = Engine.Builtin;

    /// <summary>Two failures with the same signature are the same bug for reporting.</summary>
    public FailureSignature Signature => new(Kind.ToString(), Clause, Where);
}

/// <summary>The outcome of one engine run over one scenario.</summary>
public sealed record BatchResult(long Schedules, ScheduleFailure? Failure, bool Exhausted);

/// <summary>
/// Runs the controlled scheduler over scenarios in batches that can be stopped: once the token is cancelled, the
/// remaining iterations of the running batch do nothing (no thread is spawned), so a batch ends within one
/// iteration (milliseconds) and a hunt or a check stops well within a second.
/// </summary>
public static class ScheduleExplorer
{
    /// <summary>The scheduler settings for a strategy and seed; race detection off for the semantic checks only.</summary>
    public static Configuration ConfigurationFor(Strategy strategy, ulong seed, int iterations, int pctDepth = 3, int dfsBound = 2, bool semanticOnly = false)
    {
        var c = Configuration.Create().WithTestingIterations(Math.Max(1, iterations)).WithRandomGeneratorSeed(seed).WithDataRaceDetection(!semanticOnly);
        return strategy switch
        {
            Strategy.Random => c.WithRandomStrategy(),
            Strategy.Pct => c.WithPctStrategy(pctDepth),
            Strategy.Dfs => c.WithDfsStrategy(dfsBound),
            _ => c.WithPortfolioStrategy(),
        };
    }

    /// <summary>Runs one batch of <paramref name="configuration"/>'s iterations on <paramref name="runner"/>.</summary>
    public static BatchResult RunBatch(ScenarioRunner runner, Configuration configuration, CancellationToken ct, Action? onSchedule = null)
    {
        int highest = -1;
        long executed = 0;
        var engine = new TestingEngine(configuration, ctx =>
        {
            // A new iteration (the engine re-runs a failing one to describe it: that one is not new).
            if (ctx.Iteration > highest)
            {
                if (ct.IsCancellationRequested) return;
                highest = ctx.Iteration;
                executed++;
                onSchedule?.Invoke();
            }
            runner.Iteration(ctx);
        });
        var report = engine.Run();
        ScheduleFailure? failure = null;
        if (report.FirstBug is { } bug)
        {
            failure = new ScheduleFailure(runner.Scenario.Name, runner.VariantName == "pristine" ? Target.ImplName : runner.VariantName,
                bug.Strategy, configuration.RandomGeneratorSeed, bug.Iteration, bug.ReproducibleTrace, bug.Kind, ConcurrencyChecks.Classify(bug).Clause,
                bug.Message, bug.ReadableTrace, configuration.MaxSchedulingSteps, configuration.DataRaceDetection)
            {
                Steps = bug.Steps,
                Bug = bug,
                SemanticOnly = IsSemanticOnly(runner, configuration),
                Where = FailureWhere.OfSchedule(bug.Kind, bug.Message, runner.Scenario.Threads.Select(t => t.Name)),
            };
        }
        return new BatchResult(executed, failure, report.IsExhausted);
    }


    /// <summary>A runner for a scenario on a target: every check, or the semantic ones only (final invariants and
    /// linearizability; <see cref="RunnerOptions.SemanticOnly"/>, with race detection off in <see cref="ConfigurationFor"/>).</summary>
    public static ScenarioRunner RunnerFor(ConcurrentScenario scenario, Target target, bool semanticOnly = false)
    {
        var options = semanticOnly ? RunnerOptions.SemanticOnly : RunnerOptions.Default;
        return target.Runner(scenario, options);
    }

    public static bool IsSemanticOnly(ScenarioRunner runner, Configuration configuration) =>
        !runner.Options.LockDiscipline && !configuration.DataRaceDetection;

    /// <summary>What the concurrency checks are, for summaries.</summary>
    public static string DescribeChecks(bool semanticOnly) => semanticOnly
        ? "semantic checks only: final invariants and linearizability (lock discipline and race detector off)"
        : "every check: final invariants, linearizability, lock discipline, race detector, deadlocks";

    /// <summary>The first spec clause the message names (LOCK-n, INV-n), INV-8 for deadlocks and livelocks.</summary>
    /// <remarks>For a trace file's text (the recorded failure it shows, the consistency of an edited file): a failure
    /// found here carries its clause as data (<see cref="ConcurrencyChecks.Classify(BugReport)"/>); its message names
    /// that clause first.</remarks>
    public static string? ClauseOf(BugKind kind, string message) =>
        SpecClauses.FirstRuleIn(message) ?? (kind is BugKind.Deadlock or BugKind.Livelock ? "INV-8" : null);

    /// <summary>Every registered scenario: the hand-written ones, then the pair matrix.</summary>
    public static IReadOnlyList<ConcurrentScenario> AllScenarios =>
        [.. Scenarios.HandWritten, .. PairMatrix.All.Where(p => Scenarios.HandWritten.All(h => h.Name != p.Name))];

    /// <summary>A registered scenario: hand-written (including those the catalog names) or from the pair matrix.</summary>
    public static bool TryScenario(string name, out ConcurrentScenario scenario) => Scenarios.TryGet(name, out scenario);

    /// <summary>A registered scenario by name; unknown names are a usage error naming a few valid ones.</summary>
    public static ConcurrentScenario Scenario(string name)
    {
        if (TryScenario(name, out var s)) return s;
        throw new UsageException($"unknown scenario '{name}'; valid: {string.Join(", ", Scenarios.HandWritten.Select(x => x.Name))}, or pair/<Op>+<Op>/<1p|fork> (see 'tceverify hunt --help')");
    }
}
