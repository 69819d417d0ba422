using System.Diagnostics;
using System.Globalization;
using TceVerify.Concurrency;
using TceVerify.Impl;
using TceVerify.Scheduling;
using TceVerify.Variants;

namespace TceVerify.Campaigns;

/// <summary>
/// The numbers of the closing note: how fast the engine explores the standard scenario (schedules and scheduling
/// decisions per second, against the same calls run sequentially without the scheduler), how long the exhaustive
/// bounded search takes, and how many schedules each strategy needs to find each concurrency variant (median over
/// seeds), as rows and as the markdown table of docs/catalog.md ("Schedules to first failure").
/// </summary>
public static class Figures
{
    public static IReadOnlyList<string> Strategies { get; } = ["random", "pct", "portfolio", "dfs"];

    /// <summary>"pct" is PCT at the engine's default bug depth; "dfs" is DFS with the engine's default preemption bound.</summary>
    public static Configuration StrategyConfiguration(string strategy, ulong seed, int maxSchedules) => strategy switch
    {
        "random" => Configuration.Create().WithRandomStrategy(),
        "pct" => Configuration.Create().WithPctStrategy(),
        "dfs" => Configuration.Create().WithDfsStrategy(),
        "portfolio" => Configuration.Create().WithPortfolioStrategy(),
        _ => throw new ArgumentException($"unknown strategy '{strategy}'", nameof(strategy)),
    } is var c ? c.WithRandomGeneratorSeed(seed).WithTestingIterations(maxSchedules).WithReadableTraceOnBug(false) : null!;

    /// <summary>Schedules to the first failure of one variant on one scenario, one value per seed (null: not found
    /// within <c>maxSchedules</c>), with only <paramref name="check"/> on (null: every check).</summary>
    public sealed record FirstFailure(string Variant, string Scenario, string Check, string Strategy, IReadOnlyList<int?> PerSeed, string? FirstKind)
    {
        /// <summary>The median over seeds; a seed that found nothing counts as infinitely many schedules.</summary>
        public double? Median
        {
            get
            {
                var v = PerSeed.Select(x => x ?? int.MaxValue).Order().ToList();
                if (v.Count == 0) return null;
                double m = v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] / 2.0 + v[v.Count / 2] / 2.0);
                return m >= int.MaxValue / 2.0 ? null : m;
            }
        }

        public string MedianText => Median is { } m ? m.ToString("0.#", CultureInfo.InvariantCulture) : "not found";

        /// <summary>Seeds that found it within the budget.</summary>
        public int Found => PerSeed.Count(x => x is not null);

        /// <summary>A table cell: the median and how many seeds found it, e.g. "13.5 (10/10)", "> 5000 (2/10)"; DFS does
        /// not depend on the seed, so it shows its one value.</summary>
        public string Cell(int maxSchedules) =>
            (Median is { } m ? m.ToString("0.#", CultureInfo.InvariantCulture) : $"> {maxSchedules}") +
            (Strategy == "dfs" ? "" : $" ({Found}/{PerSeed.Count})");

        public override string ToString() =>
            $"{Variant} on {Scenario} [{Check}] {Strategy}: median {MedianText} (per seed: {string.Join(" ", PerSeed.Select(x => x?.ToString(CultureInfo.InvariantCulture) ?? "-"))}){(FirstKind is null ? "" : " as " + FirstKind)}";
    }

    /// <summary>The pseudo-check of <see cref="SchedulesToFirstFailure"/> that runs only what a user of the driver could
    /// see: the final invariants and linearizability, no lock discipline, no race detection. It measures how soon the
    /// bug manifests, not how soon the harness suspects it.</summary>
    public const string Semantic = "semantic";

    public static FirstFailure SchedulesToFirstFailure(Variant variant, ConcurrentScenario scenario, string? check, string strategy, int seeds, int maxSchedules, ulong firstSeed = 1)
    {
        var options = check switch
        {
            null => RunnerOptions.Default with { DescribeStates = false },
            Semantic => RunnerOptions.SemanticOnly with { DescribeStates = false },
            _ => ConcurrencyChecks.OptionsFor(check),
        };
        var runner = Target.Of(variant).Runner(scenario, options);
        var per = new List<int?>();
        string? kind = null;
        int runs = strategy == "dfs" ? 1 : seeds; // DFS does not depend on the seed
        for (int i = 0; i < runs; i++)
        {
            var config = StrategyConfiguration(strategy, firstSeed + (ulong)i, maxSchedules);
            config = check == Semantic ? config.WithDataRaceDetection(false) : ConcurrencyChecks.Configure(config, check);
            var report = runner.Explore(config);
            if (report.FirstBug is { } bug)
            {
                per.Add(bug.Iteration + 1);
                kind ??= ConcurrencyChecks.Classify(bug) is var (c, clauses, _) ? c + (clauses.Count > 0 ? " " + clauses[0] : "") : null;
            }
            else per.Add(null);
        }
        if (strategy == "dfs") while (per.Count < seeds) per.Add(per[0]);
        return new FirstFailure(variant.Name, scenario.Name, check ?? "all", strategy, per, kind);
    }

    /// <summary>Every concurrency-only catalog entry of <paramref name="variants"/> with each scenario recorded with it.</summary>
    public static IEnumerable<(Variant Variant, ConcurrentScenario Scenario)> RecordedScenarios(IEnumerable<Variant> variants) =>
        variants.Where(v => v.ConcurrencyOnly).SelectMany(v => v.Expected.Scenarios.Select(s => (v, Scenarios.Get(s))));

    /// <summary>Schedules to first failure of one entry on one scenario with one check, for every strategy of
    /// <see cref="Strategies"/>.</summary>
    public static IReadOnlyList<FirstFailure> PerStrategy(Variant variant, ConcurrentScenario scenario, string? check, int seeds, int maxSchedules) =>
        Strategies.Select(s => SchedulesToFirstFailure(variant, scenario, check, s, seeds, maxSchedules)).ToList();

    /// <summary>The column heads of <see cref="FirstFailureTable"/> for the strategies: "random", "pct(d=3)", ...</summary>
    public static IEnumerable<string> StrategyHeads => Strategies.Select(s => StrategyConfiguration(s, 1, 1).StrategyDescription);

    /// <summary>A markdown table, one line per (entry, scenario, check) in the order given, one column per strategy (the
    /// median over seeds, and the seeds that found it), and the check and first clause it was found as.</summary>
    public static string FirstFailureTable(IEnumerable<FirstFailure> rows, int maxSchedules)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"| entry | scenario | checks | {string.Join(" | ", StrategyHeads)} | found as |");
        sb.AppendLine($"|---|---|---|{string.Concat(Strategies.Select(_ => "---:|"))}---|");
        foreach (var g in rows.GroupBy(r => (r.Variant, r.Scenario, r.Check)))
        {
            var cells = Strategies.Select(s => g.FirstOrDefault(r => r.Strategy == s)?.Cell(maxSchedules) ?? "");
            string kind = g.Select(r => r.FirstKind).FirstOrDefault(k => k is not null) ?? "";
            sb.AppendLine($"| `{g.Key.Variant}` | {g.Key.Scenario} | {g.Key.Check} | {string.Join(" | ", cells)} | {kind} |");
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>One line of the harm table: an entry with a harm record, one of its harm scenarios (null when it records why
    /// it has none) and the schedules each strategy takes with the semantic checks alone.</summary>
    public sealed record HarmRow(Variant Variant, string? Scenario, IReadOnlyList<FirstFailure> PerStrategy);

    /// <summary>Every entry of <paramref name="variants"/> with a harm record (<see cref="Harms"/>), each harm scenario
    /// explored with the semantic checks only (<see cref="Semantic"/>: the lock checker and the race detector off).</summary>
    public static IReadOnlyList<HarmRow> MeasureHarms(IEnumerable<Variant> variants, int seeds, int maxSchedules) =>
        variants.Where(v => v.Harm is not null).SelectMany(v => v.Harm!.Shown
            ? v.Harm.Scenarios.Select(s => new HarmRow(v, s, PerStrategy(v, Scenarios.Get(s), Semantic, seeds, maxSchedules)))
            : [new HarmRow(v, null, [])]).ToList();

    /// <summary>The markdown table of docs/catalog.md, "Semantic-only: harm shown": per entry the check it is recorded with,
    /// the harm scenario, the check and clause that report the harm with the semantic checks alone and the schedules per
    /// strategy (median over seeds, seeds that found it), or why it has no harm to show.</summary>
    public static string HarmTable(IEnumerable<HarmRow> rows, int maxSchedules)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"| entry | caught by | scenario | harm (semantic checks only) | {string.Join(" | ", StrategyHeads)} |");
        sb.AppendLine($"|---|---|---|---|{string.Concat(Strategies.Select(_ => "---:|"))}");
        foreach (var r in rows)
        {
            var v = r.Variant;
            if (r.Scenario is null)
            {
                sb.AppendLine($"| `{v.Name}` | {v.Expected.Check} | | none: {v.Harm!.NoneBecause} | {string.Join(" | ", Strategies.Select(_ => "-"))} |");
                continue;
            }
            string kind = r.PerStrategy.Select(f => f.FirstKind).FirstOrDefault(k => k is not null) ?? $"not found (expected {v.Harm!.Check} {v.Harm.Clause})";
            var cells = Strategies.Select(s => r.PerStrategy.FirstOrDefault(f => f.Strategy == s)?.Cell(maxSchedules) ?? "");
            sb.AppendLine($"| `{v.Name}` | {v.Expected.Check} | {r.Scenario} | {kind} | {string.Join(" | ", cells)} |");
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>Throughput of one exploration: schedules and decisions per second, and per schedule.</summary>
    public sealed record Throughput(string What, int Schedules, long Decisions, TimeSpan Elapsed, bool Exhausted)
    {
        public double SchedulesPerSecond => Schedules / Elapsed.TotalSeconds;
        public double DecisionsPerSecond => Decisions / Elapsed.TotalSeconds;
        public double DecisionsPerSchedule => Schedules == 0 ? 0 : (double)Decisions / Schedules;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{What}: {Schedules} schedules{(Exhausted ? " (exhausted)" : "")}, {Decisions} decisions in {Elapsed.TotalSeconds:0.00} s = {SchedulesPerSecond:0} schedules/s, {DecisionsPerSecond:0} decisions/s ({DecisionsPerSchedule:0.0} decisions/schedule)");
    }

    public static Throughput Measure(string what, ScenarioRunner runner, Configuration configuration)
    {
        var clock = Stopwatch.StartNew();
        var report = runner.Explore(configuration);
        clock.Stop();
        if (report.FirstBug is { } bug) throw new InvalidOperationException($"{what}: unexpected bug {bug}");
        return new Throughput(what, report.Iterations, report.TotalSchedulingDecisions, clock.Elapsed, report.IsExhausted);
    }

    /// <summary>The baseline: the scenario's prefix and its threads' calls one after the other, on a fresh system with
    /// the real (uncontrolled) primitives, no scheduler and no checks: what one schedule would cost for free.</summary>
    public static Throughput Sequential(ConcurrentScenario scenario, int repetitions)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repetitions; i++) RunSequentially(scenario);
        clock.Stop();
        return new Throughput("sequential baseline (no scheduler)", repetitions, 0, clock.Elapsed, false);
    }

    /// <summary>One sequential run of a scenario on the real primitives; returns the sum of the results (so the work
    /// cannot be optimised away).</summary>
    public static long RunSequentially(ConcurrentScenario scenario)
    {
        var system = new ImplSystem(scenario.Config);
        long sum = 0;
        foreach (var c in scenario.Prefix)
        {
            c.Prepare(system);
            sum += c.Invoke(system);
        }
        foreach (var t in scenario.Threads)
            foreach (var c in t.Commands)
            {
                c.Prepare(system);
                sum += c.Invoke(system);
            }
        return sum;
    }
}
