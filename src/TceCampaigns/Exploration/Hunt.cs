using System.Diagnostics;
using TceVerify.Concurrency;
using TceVerify.Coyote;

namespace TceVerify.Campaigns;

/// <summary>The settings of a hunt.</summary>
public sealed record HuntSettings(
    Target Target,
    IReadOnlyList<ConcurrentScenario> Scenarios,
    Strategy Strategy,
    ulong Seed,
    Shard Shard,
    long? Iterations,
    TimeSpan? Duration,
    int Batch,
    int Workers,
    bool KeepGoing,
    int PctDepth = 3,
    int DfsBound = 2)
{
    /// <summary>Generated mode: each work unit's seed generates one scenario with this many threads.</summary>
    public int? Threads { get; init; }

    /// <summary>The semantic checks only: final invariants and linearizability, lock discipline and race detector off
    /// (always under Coyote, which has neither).</summary>
    public bool SemanticOnly { get; init; }

    /// <summary>Hunt with Microsoft Coyote and this strategy of its own (null: our engine, with <see cref="Strategy"/>).</summary>
    public CoyoteStrategy? Coyote { get; init; }

    public Engine Engine => Coyote is null ? Engine.Builtin : Engine.Coyote;

    /// <summary>The strategy's name as reports and trace files give it.</summary>
    public string StrategyName => Coyote?.Name() ?? Strategy.ToString().ToLowerInvariant();

    /// <summary>
    /// The seed Coyote starts a work unit's batch from. Coyote runs schedule k of a batch started from seed c with the
    /// seed c + k, so consecutive unit seeds would repeat each other's schedules: unit seed s starts from s times the
    /// batch, and its schedules use the seeds s*batch .. s*batch + batch - 1, disjoint from every other unit's (and so
    /// from every other shard's). Null when that does not fit Coyote's 32-bit seeds.
    /// </summary>
    public uint? CoyoteSeedOf(ulong unitSeed)
    {
        ulong batch = (ulong)EffectiveBatch;
        if (unitSeed > (uint.MaxValue - batch + 1) / batch) return null;
        return (uint)(unitSeed * batch);
    }

    /// <summary>The scenarios this shard explores (DFS splits them between shards; seeded strategies share them).</summary>
    public IReadOnlyList<ConcurrentScenario> OwnScenarios =>
        Strategy == Strategy.Dfs ? Scenarios.Where((_, k) => Shard.Owns(k)).ToList() : Scenarios;

    /// <summary>Schedules per scenario and seed: --batch, or less when --iterations would not reach every scenario
    /// otherwise (the budget is spread over all of them; below one schedule each, the first ones get one).</summary>
    public int EffectiveBatch => Iterations is { } n && Threads is null
        ? (int)Math.Max(1, Math.Min(Batch, n / Math.Max(1, OwnScenarios.Count)))
        : Batch;

    /// <summary>Whether the batch was reduced to spread --iterations over every scenario.</summary>
    public bool Spread => EffectiveBatch < Batch;
}

/// <summary>What a hunt did.</summary>
public sealed record HuntResult(
    long Schedules, long Units, ulong? FirstSeed, ulong? LastSeed, IReadOnlyList<ScheduleFailure> Failures,
    IReadOnlyDictionary<string, long> SchedulesByScenario, IReadOnlyList<string> Exhausted, TimeSpan Elapsed, bool Interrupted, bool TimedOut);

/// <summary>
/// A long concurrency bug hunt. Work is a sequence of units j = 0, 1, 2, ...; unit j of shard i/n uses the scheduler
/// seed <c>seed + i + j*n</c> (<see cref="Shard.SeedOf"/>) and runs every selected scenario for <c>batch</c> schedules
/// with that seed (in generated mode, one scenario generated from that seed), so shards never repeat each other's seeds.
/// DFS ignores seeds: it explores each scenario once, systematically, and the shards split the scenarios instead
/// (scenario k belongs to shard k mod n). With Microsoft Coyote (<see cref="HuntSettings.Coyote"/>) the units and seeds are
/// the same, each batch starting Coyote from <see cref="HuntSettings.CoyoteSeedOf"/> its unit's seed.
/// <para>
/// Work items (a scenario in a unit) are handed out in order to the workers, and their results are taken in the same
/// order whatever order they finish in, so the failures reported (the first per scenario, unless KeepGoing) are those
/// of a sequential hunt. The hunt stops when the schedule budget or the duration is spent, when every scenario has
/// failed, or when cancelled: a running batch then ends within one iteration.
/// </para>
/// </summary>
public sealed class Hunt(HuntSettings settings)
{
    readonly object _gate = new();
    long _schedules, _claimed;
    int _failures;

    public long SchedulesRun => Interlocked.Read(ref _schedules);
    public int FailuresFound => Volatile.Read(ref _failures);

    /// <summary>Called (under a lock) for every failure kept, in work order; the caller writes the trace file.</summary>
    public Action<ScheduleFailure>? OnFailure { get; init; }

    /// <summary>The name of the scenario generated from a seed (the generator takes a 31-bit seed).</summary>
    public static string GeneratedName(ulong seed) => $"gen/{(int)(seed % int.MaxValue)}";

    /// <summary>Regenerates a generated scenario from its name ("gen/SEED") and thread count.</summary>
    public static ConcurrentScenario GeneratedScenario(string name, int threads)
    {
        if (!name.StartsWith("gen/", StringComparison.Ordinal) || !int.TryParse(name.AsSpan(4), out int seed))
            throw new ArgumentException($"not a generated scenario name: {name}");
        return ScenarioGenerator.Generate(seed, GeneratorSettings.Default with { MinThreads = threads, MaxThreads = threads });
    }

    sealed record Item(long Index, long Unit, ulong Seed, ConcurrentScenario Scenario, int Schedules);

    public HuntResult Run(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var timeout = settings.Duration is { } d ? new CancellationTokenSource(d) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var stop = linked.Token;

        bool dfs = settings.Strategy == Strategy.Dfs;
        bool generated = settings.Threads is not null && !dfs;
        var scenarios = settings.OwnScenarios.ToList();
        int batchSize = settings.EffectiveBatch;

        var failures = new List<ScheduleFailure>();
        var failedScenarios = new HashSet<string>();
        var seenKeys = new HashSet<string>();
        var perScenario = new Dictionary<string, long>();
        foreach (var s in scenarios) perScenario[s.Name] = 0;
        var exhausted = new List<string>();
        var runners = new Dictionary<string, ScenarioRunner>();
        var results = new SortedDictionary<long, (Item Item, BatchResult? Batch)>();
        long nextItem = 0, nextPublish = 0, maxUnit = -1;

        // Hands out the next work item (under the gate): null when the hunt is over.
        Item? Next()
        {
            lock (_gate)
            {
                while (!stop.IsCancellationRequested)
                {
                    if (!generated && failedScenarios.Count == scenarios.Count) return null;
                    long t = nextItem;
                    long unit;
                    ulong seed;
                    ConcurrentScenario scenario;
                    if (dfs)
                    {
                        if (t >= scenarios.Count) return null;
                        (unit, seed, scenario) = (t, settings.Seed, scenarios[(int)t]);
                    }
                    else if (generated)
                    {
                        unit = t;
                        seed = settings.Shard.SeedOf(settings.Seed, unit);
                        scenario = GeneratedScenario(GeneratedName(seed), settings.Threads!.Value);
                    }
                    else
                    {
                        unit = t / scenarios.Count;
                        seed = settings.Shard.SeedOf(settings.Seed, unit);
                        scenario = scenarios[(int)(t % scenarios.Count)];
                    }
                    nextItem++;
                    if (!generated && failedScenarios.Contains(scenario.Name))
                    {
                        results[t] = (new Item(t, unit, seed, scenario, 0), null);
                        continue;
                    }
                    if (settings.Coyote is not null && settings.CoyoteSeedOf(seed) is null) return null; // beyond Coyote's 32-bit seeds
                    int n = Claim(batchSize);
                    if (n == 0) return null;
                    maxUnit = Math.Max(maxUnit, unit);
                    return new Item(t, unit, seed, scenario, n);
                }
                return null;
            }
        }

        ScenarioRunner RunnerOf(ConcurrentScenario s)
        {
            if (generated) return ScheduleExplorer.RunnerFor(s, settings.Target, settings.SemanticOnly);
            lock (_gate)
            {
                if (!runners.TryGetValue(s.Name, out var r)) runners[s.Name] = r = ScheduleExplorer.RunnerFor(s, settings.Target, settings.SemanticOnly);
                return r;
            }
        }

        // Takes the finished results in work order.
        void Publish(bool all)
        {
            while (results.Count > 0)
            {
                var first = results.First();
                if (!all && first.Key != nextPublish) return;
                results.Remove(first.Key);
                nextPublish = first.Key + 1;
                if (first.Value.Batch is not { } batch) continue;
                var s = first.Value.Item.Scenario;
                perScenario[s.Name] = perScenario.GetValueOrDefault(s.Name) + batch.Schedules;
                if (batch.Exhausted) exhausted.Add(s.Name);
                if (batch.Failure is not { } f) continue;
                if (!settings.KeepGoing && !failedScenarios.Add(s.Name)) continue;
                if (!seenKeys.Add($"{s.Name}|{f.Signature}")) continue;
                failures.Add(f);
                Interlocked.Increment(ref _failures);
                OnFailure?.Invoke(f);
            }
        }

        // One work item: a batch of schedules of one scenario from one seed, with our engine or with Coyote.
        BatchResult RunItem(Item item)
        {
            void Counted() => Interlocked.Increment(ref _schedules);
            if (settings.Coyote is { } coyote)
                return CoyoteExplorer.RunBatch(item.Scenario, settings.Target, coyote, settings.CoyoteSeedOf(item.Seed)!.Value, item.Schedules, stop, Counted);
            var configuration = ScheduleExplorer.ConfigurationFor(settings.Strategy, item.Seed, item.Schedules, settings.PctDepth, settings.DfsBound, settings.SemanticOnly);
            var runner = RunnerOf(item.Scenario);
            lock (runner) return ScheduleExplorer.RunBatch(runner, configuration, stop, Counted);
        }

        Workers.Run(settings.Workers, "tceverify-hunt", () =>
        {
            while (Next() is { } item)
            {
                var batch = RunItem(item);
                lock (_gate)
                {
                    results[item.Index] = (item, batch);
                    Publish(all: false);
                }
            }
        });

        lock (_gate)
        {
            Publish(all: true);
            ulong? firstSeed = dfs || maxUnit < 0 ? null : settings.Shard.SeedOf(settings.Seed, 0);
            ulong? lastSeed = dfs || maxUnit < 0 ? null : settings.Shard.SeedOf(settings.Seed, maxUnit);
            return new HuntResult(SchedulesRun, maxUnit + 1, firstSeed, lastSeed, failures.ToList(), new Dictionary<string, long>(perScenario),
                exhausted.ToList(), clock.Elapsed, ct.IsCancellationRequested, timeout.IsCancellationRequested && !ct.IsCancellationRequested);
        }
    }

    /// <summary>Claims up to n schedules of the budget; 0 when it is spent.</summary>
    int Claim(int n)
    {
        if (settings.Iterations is not { } budget) return n;
        long take = Math.Min(n, budget - _claimed);
        if (take <= 0) return 0;
        _claimed += take;
        return (int)take;
    }
}
