using System.Diagnostics;
using System.Globalization;
using System.Text;
using TceVerify.Concurrency;
using TceVerify.Coyote;
using TceVerify.Variants;

namespace TceVerify.Bench;

/// <summary>
/// Our engine against Microsoft Coyote, side by side in one run, with the same checks (the final invariants and
/// linearizability; no lock discipline, no race detection, which Coyote does not have) on the same sync seam:
/// <list type="number">
/// <item>throughput: schedules/s and steps/s of every strategy of each engine on every registered scenario the
/// pristine implementation passes (the hand-written ones one by one, the pair matrix in aggregate and at its worst);</item>
/// <item>schedules to the first failure of every concurrency catalog entry (median of the seeds, capped), every
/// strategy of each engine, the geometric mean per strategy family, and what only one engine finds (our engine's
/// extra checks are run too, to show what they add).</item>
/// </list>
/// <c>dotnet run -c Release --project bench/TceBench -- engines [--seeds 10] [--cap 300] [--ours 200] [--coyote 20] [--repeats 3] [--out FILE]</c>
/// </summary>
public static class EngineComparison
{
    /// <summary>Our strategies, and which Coyote strategies form the same family.</summary>
    static readonly string[] Ours = ["random", "pct", "dfs", "portfolio"];

    static readonly (string Family, string Ours, CoyoteStrategy[] Coyote)[] Families =
    [
        ("random", "random", [CoyoteStrategy.Random]),
        ("priority (PCT)", "pct", [CoyoteStrategy.Prioritization, CoyoteStrategy.FairPrioritization]),
        ("portfolio", "portfolio", [CoyoteStrategy.Portfolio]),
    ];

    /// <param name="Repeats">Throughput runs per hand-written scenario and strategy; the fastest counts (the machine is
    /// shared, so the best of a few runs is the one least disturbed by other work; both engines alike).</param>
    /// <param name="Only">Restricts both parts to these scenarios (and the catalog entries that name them); empty: all.</param>
    sealed record Options(int Seeds, int Cap, int OursSchedules, int CoyoteSchedules, int Repeats, string? Out, IReadOnlySet<string> Only)
    {
        public bool Includes(string scenario) => Only.Count == 0 || Only.Contains(scenario);
    }

    public static int Run(string[] args)
    {
        if (Parse(args) is not { } options) return 2;
        var text = new StringBuilder();
        void Line(string s = "")
        {
            Console.WriteLine(s);
            text.AppendLine(s);
        }
        Line($"# Our engine vs Microsoft Coyote 1.7.11 ({string.Join(" ", args.Prepend("engines"))})");
        Line();
        Line($"Machine: {Environment.ProcessorCount} cores; load average at start {LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        Line($"Same checks on both: final invariants and linearizability (RunnerOptions.SemanticOnly; our race detector off).");
        Line();
        var clock = Stopwatch.StartNew();
        WarmUp();
        Throughput(options, Line);
        FirstFailures(options, Line);
        Line($"Load average at the end {LoadAverage()}; the run took {clock.Elapsed.TotalMinutes:0.0} min.");
        if (options.Out is { } path) File.WriteAllText(path, text.ToString());
        return 0;
    }

    static Options? Parse(string[] args)
    {
        int seeds = 10, cap = 300, ours = 200, coyote = 20, repeats = 3;
        string? output = null;
        var only = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            bool ok = a switch
            {
                "--seeds" => int.TryParse(value, out seeds) && seeds > 0,
                "--cap" => int.TryParse(value, out cap) && cap > 0,
                "--ours" => int.TryParse(value, out ours) && ours > 0,
                "--coyote" => int.TryParse(value, out coyote) && coyote > 0,
                "--repeats" => int.TryParse(value, out repeats) && repeats > 0,
                "--out" => (output = value) is not null,
                "--scenario" => value is not null && Scenarios.TryGet(value, out _) && only.Add(value),
                _ => false,
            };
            if (!ok)
            {
                Console.Error.WriteLine($"engines: bad argument '{a}{(value is null ? "" : " " + value)}'; usage: engines [--seeds N] [--cap N] [--ours N] [--coyote N] [--repeats N] [--scenario NAME]... [--out FILE] (N a positive whole number, NAME a registered scenario)");
                return null;
            }
            i++;
        }
        return new Options(seeds, cap, ours, coyote, repeats, output, only);
    }

    static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>Both engines' code paths once, so that the measured runs do not pay for JIT compilation.</summary>
    static void WarmUp()
    {
        var scenario = Scenarios.AttachEnableRelease();
        foreach (var s in Ours) MeasureOurs(scenario, s, 50);
        foreach (var s in CoyoteStrategies.All) MeasureCoyote(scenario, s, 5);
    }

    // ----- throughput -----

    sealed record Rate(int Schedules, long Steps, TimeSpan Elapsed)
    {
        public double SchedulesPerSecond => Schedules / Elapsed.TotalSeconds;
        public double StepsPerSecond => Steps / Elapsed.TotalSeconds;
        public static Rate operator +(Rate a, Rate b) => new(a.Schedules + b.Schedules, a.Steps + b.Steps, a.Elapsed + b.Elapsed);
    }

    static ScenarioRunner SemanticRunner(ConcurrentScenario scenario, Variant? variant) =>
        new(scenario, variant is null ? null : variant.CreateParts, CoyoteEngine.Options, variant?.Name);

    static Rate MeasureOurs(ConcurrentScenario scenario, string strategy, int schedules)
    {
        var clock = Stopwatch.StartNew();
        var report = SemanticRunner(scenario, null).Explore(Figures.StrategyConfiguration(strategy, 1, schedules).WithDataRaceDetection(false));
        clock.Stop();
        if (report.FirstBug is { } bug) throw new InvalidOperationException($"{scenario.Name}, ours {strategy}: {bug}");
        return new Rate(report.Iterations, report.TotalSchedulingDecisions, clock.Elapsed);
    }

    /// <summary>Our engine with no final checks (the scheduler, the staging and the calls only).</summary>
    static Rate MeasureOursEngineOnly(ConcurrentScenario scenario, string strategy, int schedules)
    {
        var clock = Stopwatch.StartNew();
        var runner = new ScenarioRunner(scenario, RunnerOptions.EngineOnly with { DescribeStates = false });
        var report = runner.Explore(Figures.StrategyConfiguration(strategy, 1, schedules).WithDataRaceDetection(false));
        clock.Stop();
        return new Rate(report.Iterations, report.TotalSchedulingDecisions, clock.Elapsed);
    }

    static Rate MeasureCoyote(ConcurrentScenario scenario, CoyoteStrategy strategy, int schedules, string? check = null)
    {
        var clock = Stopwatch.StartNew();
        var report = CoyoteEngine.Explore(new CoyoteRun(scenario, strategy, 1, schedules) { ConfirmByReplay = false, Check = check });
        clock.Stop();
        if (report.Failure is { } failure) throw new InvalidOperationException($"{scenario.Name}, coyote {strategy.Name()}: {failure}");
        return new Rate(report.Schedules, report.Steps, clock.Elapsed);
    }

    static void Throughput(Options options, Action<string> line)
    {
        var handWritten = Scenarios.HandWritten.Where(s => options.Includes(s.Name)).ToList();
        var pairs = PairMatrix.All.Where(s => options.Includes(s.Name)).ToList();
        var oursTotal = new Dictionary<(string Set, string Strategy), Rate>();
        var coyoteTotal = new Dictionary<(string Set, CoyoteStrategy Strategy), Rate>();
        var rows = new List<(string Scenario, Dictionary<string, Rate> Ours, Dictionary<CoyoteStrategy, Rate> Coyote)>();
        foreach (var (set, scenarios) in new[] { ("hand-written", handWritten), ("pair matrix", pairs) })
            foreach (var scenario in scenarios)
            {
                var ours = Ours.ToDictionary(s => s, s => Best(options.Repeats, () => MeasureOurs(scenario, s, options.OursSchedules)));
                var coyote = CoyoteStrategies.All.ToDictionary(s => s, s => Best(options.Repeats, () => MeasureCoyote(scenario, s, options.CoyoteSchedules)));
                foreach (var (s, r) in ours) oursTotal[(set, s)] = oursTotal.TryGetValue((set, s), out var t) ? t + r : r;
                foreach (var (s, r) in coyote) coyoteTotal[(set, s)] = coyoteTotal.TryGetValue((set, s), out var t) ? t + r : r;
                rows.Add((scenario.Name, ours, coyote));
            }

        line($"## Throughput on the pristine implementation ({handWritten.Count} hand-written and {pairs.Count} pair-matrix scenarios)");
        line("");
        line($"Schedules/s per scenario, {options.OursSchedules} schedules per strategy for ours and {options.CoyoteSchedules} for Coyote (seed 1; the fastest of {options.Repeats} runs). Ratio = ours / Coyote in the same family; 'worst' = our slowest strategy / Coyote's fastest.");
        line("");
        line("| scenario | ours random | coyote random | x | ours pct | coyote prioritization | x | ours portfolio | coyote portfolio | x | worst x |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows.Take(handWritten.Count)) line(ThroughputRow(row.Scenario, row.Ours, row.Coyote));
        var pairRows = rows.Skip(handWritten.Count).ToList();
        if (pairRows.Count > 0)
        {
            var cells = new List<string> { "pair matrix, median ratio" };
            foreach (var (_, o, c) in Families)
            {
                cells.AddRange(["", ""]);
                cells.Add(X(MedianOf(pairRows.Select(r => r.Ours[o].SchedulesPerSecond / r.Coyote[c[0]].SchedulesPerSecond))));
            }
            cells.Add(X(MedianOf(pairRows.Select(r => Worst(r.Ours, r.Coyote)))));
            line("| " + string.Join(" | ", cells) + " |");
            var worst = pairRows.MinBy(r => Worst(r.Ours, r.Coyote));
            line(ThroughputRow($"pair matrix, worst: {worst.Scenario}", worst.Ours, worst.Coyote));
        }
        line("");
        line("Every strategy in aggregate (schedules/s and steps/s over all the scenarios of a set; steps are each engine's own count: ours its scheduling decisions, Coyote's its scheduling steps, which also count task creation and completion):");
        line("");
        line("| engine | strategy | hand-written schedules/s | steps/s | steps/schedule | pair matrix schedules/s | steps/s |");
        line("|---|---|---:|---:|---:|---:|---:|");
        foreach (var s in Ours) line(AggregateRow("ours", s, oursTotal.GetValueOrDefault(("hand-written", s)), oursTotal.GetValueOrDefault(("pair matrix", s))));
        foreach (var s in CoyoteStrategies.All) line(AggregateRow("coyote", s.Name(), coyoteTotal.GetValueOrDefault(("hand-written", s)), coyoteTotal.GetValueOrDefault(("pair matrix", s))));
        line("");
        CostSplit(options, handWritten, line);
    }

    /// <summary>Where the time of one schedule goes, over the hand-written scenarios: with the same checks, with the
    /// engine alone (no final checks: Coyote's deadlock check only), and the scenario's calls run sequentially with no
    /// engine and no checks. The final checks cost both engines the same; they bound the ratio.</summary>
    static void CostSplit(Options options, List<ConcurrentScenario> scenarios, Action<string> line)
    {
        if (scenarios.Count == 0) return;
        Rate Sum(Func<ConcurrentScenario, Rate> measure) => scenarios.Select(s => Best(options.Repeats, () => measure(s))).Aggregate((a, b) => a + b);
        var oursChecked = Sum(s => MeasureOurs(s, "pct", options.OursSchedules));
        var oursBare = Sum(s => MeasureOursEngineOnly(s, "pct", options.OursSchedules));
        var coyoteChecked = Sum(s => MeasureCoyote(s, CoyoteStrategy.Prioritization, options.CoyoteSchedules));
        var coyoteBare = Sum(s => MeasureCoyote(s, CoyoteStrategy.Prioritization, options.CoyoteSchedules, Checks.Deadlock));
        var sequential = Sum(s =>
        {
            var baseline = Figures.Sequential(s, options.OursSchedules);
            return new Rate(baseline.Schedules, 0, baseline.Elapsed);
        });
        static string Us(Rate r) => (r.Elapsed.TotalMilliseconds * 1000 / r.Schedules).ToString("0.0", CultureInfo.InvariantCulture);
        static string CheckCost(Rate full, Rate bare) => ((full.Elapsed.TotalMilliseconds / full.Schedules - bare.Elapsed.TotalMilliseconds / bare.Schedules) * 1000).ToString("0.0", CultureInfo.InvariantCulture);
        line("Where one schedule's time goes (hand-written scenarios, µs per schedule; pct and prioritization):");
        line("");
        line("| | with the same checks | engine only, no final checks | the final checks |");
        line("|---|---:|---:|---:|");
        line($"| ours (pct) | {Us(oursChecked)} | {Us(oursBare)} | {CheckCost(oursChecked, oursBare)} |");
        line($"| coyote (prioritization) | {Us(coyoteChecked)} | {Us(coyoteBare)} | {CheckCost(coyoteChecked, coyoteBare)} |");
        line($"| the calls run sequentially, no engine, no checks | | {Us(sequential)} | |");
        line("");
    }

    static double MedianOf(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    static Rate Best(int repeats, Func<Rate> measure) =>
        Enumerable.Range(0, repeats).Select(_ => measure()).MinBy(r => r.Elapsed / Math.Max(1, r.Schedules))!;

    static double Worst(Dictionary<string, Rate> ours, Dictionary<CoyoteStrategy, Rate> coyote) =>
        ours.Values.Min(r => r.SchedulesPerSecond) / coyote.Values.Max(r => r.SchedulesPerSecond);

    static string ThroughputRow(string scenario, Dictionary<string, Rate> ours, Dictionary<CoyoteStrategy, Rate> coyote)
    {
        var cells = new List<string> { scenario };
        foreach (var (_, o, c) in Families)
        {
            double mine = ours[o].SchedulesPerSecond, theirs = coyote[c[0]].SchedulesPerSecond;
            cells.Add(N(mine));
            cells.Add(N(theirs));
            cells.Add(X(mine / theirs));
        }
        cells.Add(X(Worst(ours, coyote)));
        return "| " + string.Join(" | ", cells) + " |";
    }

    static string AggregateRow(string engine, string strategy, Rate? hand, Rate? pairs) =>
        $"| {engine} | {strategy} | {(hand is null ? "-" : N(hand.SchedulesPerSecond))} | {(hand is null ? "-" : N(hand.StepsPerSecond))} | {(hand is null ? "-" : ((double)hand.Steps / hand.Schedules).ToString("0.0", CultureInfo.InvariantCulture))} | {(pairs is null ? "-" : N(pairs.SchedulesPerSecond))} | {(pairs is null ? "-" : N(pairs.StepsPerSecond))} |";

    // ----- schedules to the first failure -----

    /// <summary>Coyote's schedules to the first failure per seed (null: not found within the cap). Stops early once
    /// more than half the seeds found nothing, since the median is then "not found" whatever the rest give.</summary>
    static (List<int?> PerSeed, string? Kind) CoyoteFirstFailure(Variant variant, ConcurrentScenario scenario, CoyoteStrategy strategy, int seeds, int cap)
    {
        var per = new List<int?>();
        string? kind = null;
        int misses = 0;
        for (uint seed = 1; seed <= seeds; seed++)
        {
            if (misses > seeds / 2)
            {
                per.Add(null);
                continue;
            }
            var report = CoyoteEngine.Explore(new CoyoteRun(scenario, strategy, seed, cap) { Parts = variant is null ? null : variant.CreateParts, VariantName = variant?.Name ?? "pristine", ConfirmByReplay = false });
            if (report.Failure is { } f)
            {
                per.Add(f.Schedule);
                kind ??= f.Check + (f.Clauses.Count > 0 ? " " + f.Clauses[0] : "");
            }
            else
            {
                per.Add(null);
                misses++;
            }
        }
        return (per, kind);
    }

    static double? Median(IReadOnlyList<int?> perSeed) => new Figures.FirstFailure("", "", "", "", perSeed, null).Median;

    static void FirstFailures(Options options, Action<string> line)
    {
        var entries = VariantCatalog.Catalog.Where(v => v.ConcurrencyOnly && options.Includes(v.Expected.Scenarios[0])).ToList();
        line($"## Schedules to the first failure ({entries.Count} concurrency catalog entries; median of {options.Seeds} seeds, cap {options.Cap} schedules; '-' = not found)");
        line("");
        line("Same checks on both (final invariants, linearizability; deadlock is each engine's own). 'ours, every check' adds our lock discipline and race detector (portfolio).");
        line("");
        var header = new List<string> { "entry", "recorded check" };
        header.AddRange(Ours.Select(s => "ours " + s));
        header.Add("ours, every check");
        header.AddRange(CoyoteStrategies.All.Select(s => "coyote " + s.Name()));
        header.Add("found only by");
        line("| " + string.Join(" | ", header) + " |");
        line("|" + string.Join("|", header.Select((_, i) => i < 2 || i == header.Count - 1 ? "---" : "---:")) + "|");
        var medians = new List<(string Entry, Dictionary<string, double?> Ours, Dictionary<CoyoteStrategy, double?> Coyote)>();
        var onlyOurs = new List<string>();
        var onlyExtraChecks = new List<string>();
        var onlyCoyote = new List<string>();
        foreach (var v in entries)
        {
            var scenario = Scenarios.Get(v.Expected.Scenarios[0]);
            var ours = Ours.ToDictionary(s => s, s => Median(Figures.SchedulesToFirstFailure(v, scenario, Figures.Semantic, s, options.Seeds, options.Cap).PerSeed));
            var every = Figures.SchedulesToFirstFailure(v, scenario, null, "portfolio", options.Seeds, options.Cap);
            var coyote = new Dictionary<CoyoteStrategy, double?>();
            foreach (var s in CoyoteStrategies.All) coyote[s] = Median(CoyoteFirstFailure(v, scenario, s, options.Seeds, options.Cap).PerSeed);
            bool oursFinds = ours.Values.Any(m => m is not null), coyoteFinds = coyote.Values.Any(m => m is not null);
            string only = oursFinds == coyoteFinds ? (oursFinds ? "" : Median(every.PerSeed) is not null ? "ours (extra checks)" : "neither")
                : oursFinds ? "ours" : "coyote";
            if (only == "ours") onlyOurs.Add(v.Name);
            if (only == "ours (extra checks)") onlyExtraChecks.Add(v.Name);
            if (only == "coyote") onlyCoyote.Add(v.Name);
            var cells = new List<string> { v.Name, v.Expected.Check };
            cells.AddRange(Ours.Select(s => M(ours[s])));
            cells.Add(M(Median(every.PerSeed)) + (every.FirstKind is { } k ? $" ({k})" : ""));
            cells.AddRange(CoyoteStrategies.All.Select(s => M(coyote[s])));
            cells.Add(only);
            line("| " + string.Join(" | ", cells) + " |");
            medians.Add((v.Name, ours, coyote));
        }
        line("");
        line("Geometric mean of the medians per strategy family, over the entries both strategies found (lower is better):");
        line("");
        line("| family | ours | coyote | entries | ours / coyote |");
        line("|---|---|---|---:|---:|");
        foreach (var (family, o, cs) in Families)
            foreach (var c in cs)
            {
                var both = medians.Where(m => m.Ours[o] is not null && m.Coyote[c] is not null).ToList();
                if (both.Count == 0)
                {
                    line($"| {family} | {o} | {c.Name()} | 0 | - |");
                    continue;
                }
                double g1 = GeoMean(both.Select(m => m.Ours[o]!.Value)), g2 = GeoMean(both.Select(m => m.Coyote[c]!.Value));
                line($"| {family} | {o}: {g1:0.0} | {c.Name()}: {g2:0.0} | {both.Count} | {g1 / g2:0.00} |");
            }
        line("");
        line($"With the same checks, found only by our engine: {List(onlyOurs)}; only by Coyote: {List(onlyCoyote)}.");
        line($"Found by neither with the same checks, and by our lock discipline or race detector: {List(onlyExtraChecks)}.");
        line("");
    }

    static string List(List<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);

    static double GeoMean(IEnumerable<double> values)
    {
        var list = values.ToList();
        return Math.Exp(list.Sum(Math.Log) / list.Count);
    }

    static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
    static string X(double v) => v.ToString("0.0", CultureInfo.InvariantCulture) + "x";
    static string M(double? v) => v is { } m ? m.ToString("0.#", CultureInfo.InvariantCulture) : "-";
}
