using System.Collections.Concurrent;
using TceVerify.Concurrency;

namespace TceVerify.Campaigns;

/// <summary>What exploring one scenario did.</summary>
public sealed record ScenarioResult(string Name, int Threads, long Schedules, ScheduleFailure? Failure)
{
    public bool Passed => Failure is null;
}

/// <summary>
/// The concurrency exploration of check: every registered scenario (the hand-written ones and the pair matrix) under
/// the portfolio strategy (random and PCT, rotating), in rounds of small batches so that every scenario progresses
/// evenly and a stop is quick. Hand-written scenarios get <see cref="HandWrittenWeight"/> times the schedules of a
/// pair. Round r of every scenario uses the seed <c>seed + r</c>. A scenario stops at its first bug.
/// </summary>
public sealed class ConcurrencyCampaign(Target target, ulong seed, long scheduleBudget, IReadOnlyList<ConcurrentScenario>? scenarios = null,
    bool semanticOnly = false)
{
    public const int HandWrittenWeight = 4;
    const int BatchSize = 25;

    readonly IReadOnlyList<ConcurrentScenario> _scenarios = scenarios ?? ScheduleExplorer.AllScenarios;
    long _schedules;

    State[]? _states;

    public long SchedulesRun => Interlocked.Read(ref _schedules);

    /// <summary>The schedules planned (progress total): each scenario's quota, or what it explored once it is done (a
    /// scenario stops at its first bug or when its schedules are exhausted), so the total ends equal to the count.</summary>
    public long Planned => _states is { } states ? states.Sum(s => s.Done ? Volatile.Read(ref s.Schedules) : Math.Max(s.Quota, Volatile.Read(ref s.Schedules))) : Quotas().Sum();

    public int ScenarioCount => _scenarios.Count;

    long[] Quotas()
    {
        var hand = new HashSet<string>(Scenarios.HandWritten.Select(s => s.Name));
        var weights = _scenarios.Select(s => hand.Contains(s.Name) ? HandWrittenWeight : 1).ToArray();
        long total = weights.Sum();
        return weights.Select(w => Math.Max(1, scheduleBudget * w / total)).ToArray();
    }

    sealed class State(ConcurrentScenario scenario, long quota)
    {
        public ConcurrentScenario Scenario { get; } = scenario;
        public long Quota { get; } = quota;
        public ScenarioRunner? Runner;
        public long Schedules;
        public int Round;
        public ScheduleFailure? Failure;
        public volatile bool Done;
    }

    public IReadOnlyList<ScenarioResult> Run(int workers, CancellationToken ct)
    {
        var quotas = Quotas();
        var states = _scenarios.Select((s, i) => new State(s, quotas[i])).ToArray();
        _states = states;
        var queue = new ConcurrentQueue<State>(states);
        Workers.Run(workers, "tceverify-schedules", () =>
        {
            while (!ct.IsCancellationRequested && queue.TryDequeue(out var s))
            {
                Step(s, ct);
                if (!s.Done) queue.Enqueue(s);
            }
        });
        return states.Select(s => new ScenarioResult(s.Scenario.Name, s.Scenario.Threads.Count, s.Schedules, s.Failure)).ToList();
    }

    void Step(State s, CancellationToken ct)
    {
        s.Runner ??= ScheduleExplorer.RunnerFor(s.Scenario, target, semanticOnly);
        int n = (int)Math.Min(BatchSize, s.Quota - s.Schedules);
        var configuration = ScheduleExplorer.ConfigurationFor(Strategy.Portfolio, unchecked(seed + (ulong)s.Round), n, semanticOnly: semanticOnly);
        s.Round++;
        BatchResult batch;
        try { batch = ScheduleExplorer.RunBatch(s.Runner, configuration, ct, () => Interlocked.Increment(ref _schedules)); }
        catch (Exception ex)
        {
            s.Failure = new ScheduleFailure(s.Scenario.Name, target.Name, "portfolio", configuration.RandomGeneratorSeed, 0, "",
                Scheduling.BugKind.UnhandledException, null, $"internal error: exploring the scenario threw {ex.GetType().Name}: {ex.Message}", "",
                configuration.MaxSchedulingSteps, configuration.DataRaceDetection) { SemanticOnly = semanticOnly, Where = "exploring the scenario" };
            s.Done = true;
            return;
        }
        Interlocked.Add(ref s.Schedules, batch.Schedules);
        if (batch.Failure is not null) { s.Failure = batch.Failure; s.Done = true; }
        else if (s.Schedules >= s.Quota || batch.Exhausted) s.Done = true;
    }
}
