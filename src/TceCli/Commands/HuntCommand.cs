using System.CommandLine;
using Spectre.Console;
using TceVerify.Campaigns;
using TceVerify.Cli.Infrastructure;
using TceVerify.Concurrency;
using TceVerify.Coyote;

namespace TceVerify.Cli.Commands;

/// <summary>
/// hunt: a long concurrency bug hunt over the registered scenarios (or generated ones with --threads), sharded by
/// seed across machines; every failure is written as a trace file and printed with its replay command.
/// </summary>
static class HuntCommand
{
    public const long DefaultIterations = 100_000;
    public const int DefaultBatch = 100;
    public const int DefaultDfsBatch = 100_000;
    public const string DefaultOut = "tceverify-traces";
    const int MaxListed = 12;

    public static Command Create(Io io)
    {
        var variant = Common.Variant();
        var engine = new Option<string>("--engine")
        {
            Description = "Exploration engine: builtin (TceVerify's own, every check) or coyote (Microsoft Coyote, to cross-check a " +
                          "hunt; semantic checks only, since Coyote runs neither the lock discipline nor the race detector)",
            HelpName = "builtin|coyote",
            DefaultValueFactory = _ => Engine.Builtin.Name(),
        };
        var strategy = new Option<string>("--strategy")
        {
            Description = "Scheduling strategy: portfolio (random and PCT depths 1-3, rotating), random, pct (priority changes), " +
                          "or dfs (systematic, within --preemptions; ignores seeds). With --engine coyote, Coyote's: " +
                          string.Join(", ", CoyoteStrategies.All.Select(x => x.Name())),
            HelpName = "NAME",
            DefaultValueFactory = _ => "portfolio",
        };
        var iterations = new Option<long?>("--iterations", "-n")
        {
            Description = $"Schedules to explore on this shard, spread over every scenario (default {Values.Count(DefaultIterations)} when --duration is not given)",
            HelpName = "N",
        };
        var duration = Common.Duration("Hunt for this long (e.g. 30m, 2h); with --iterations, whichever ends first");
        var seed = Common.Seed("Base seed: work unit j of shard i/n uses the scheduler seed base + i + j*n");
        var shard = new Option<string>("--shard")
        {
            Description = "Hunt as shard i of n (0 <= i < n): the shards explore disjoint seeds (i, i+n, i+2n, ... above the base), " +
                          "so n machines or array jobs never repeat each other; with dfs they split the scenarios instead",
            HelpName = "i/n",
            DefaultValueFactory = _ => "0/1",
        };
        var scenario = new Option<string[]>("--scenario")
        {
            Description = "Hunt in this scenario only (repeatable); default: every registered scenario (list below)",
            HelpName = "NAME",
            AllowMultipleArgumentsPerToken = false,
        };
        var threads = new Option<int?>("--threads", "-t")
        {
            Description = "Hunt in generated scenarios with this many threads (2-4): each work unit's seed generates a new scenario from the model",
            HelpName = "N",
        };
        var batch = new Option<int?>("--batch")
        {
            Description = $"Schedules per scenario and seed (default {DefaultBatch}; with dfs: the cap per scenario, default {Values.Count(DefaultDfsBatch)})",
            HelpName = "N",
        };
        var pctDepth = new Option<int>("--pct-depth")
        {
            Description = "Bug depth d of pct (d-1 priority change points)",
            HelpName = "D",
            DefaultValueFactory = _ => 3,
        };
        var preemptions = new Option<int>("--preemptions")
        {
            Description = "Preemption bound of dfs",
            HelpName = "N",
            DefaultValueFactory = _ => 2,
        };
        var keepGoing = new Option<bool>("--keep-going")
        {
            Description = "Keep hunting in a scenario after its first failure (distinct failures only: kind and clause)",
        };
        var output = new Option<string>("--out", "-o")
        {
            Description = $"Directory for the trace files",
            HelpName = "DIR",
            DefaultValueFactory = _ => DefaultOut,
        };
        var format = Common.Format();
        var workers = Common.WorkersOption();
        var semanticOnly = Common.SemanticOnly();

        var command = new Command("hunt",
            "Hunt for concurrency bugs: explore thread interleavings of the scenarios for a long time, split across " +
            "machines with --shard. Every failure is written to --out as a trace file (scenario, variant, engine, strategy, seed, " +
            "TCE1 or COY1 trace, readable trace, message) and printed with the command that replays it. --engine coyote hunts with " +
            "Microsoft Coyote instead, to cross-check. Ctrl-C stops within a " +
            "second and still writes and reports what was found.")
        {
            variant, engine, strategy, iterations, duration, seed, shard, scenario, threads, batch, pctDepth, preemptions, keepGoing, output, format, workers,
            semanticOnly,
        };
        command.SetAction(parse =>
        {
            var target = Target.Resolve(parse.GetValue(variant));
            var engineChosen = Engines.Parse(parse.GetValue(engine));
            string strategyText = parse.GetValue(strategy)!;
            CoyoteStrategy? coyote = null;
            var strat = Strategy.Portfolio; // our engine's; unused under Coyote, which has its own
            if (engineChosen == Engine.Coyote)
            {
                coyote = CoyoteExplorer.Strategy(strategyText);
                foreach (var (option, what) in new (Option, string)[] { (pctDepth, "the depth of the built-in engine's pct"), (preemptions, "the preemption bound of the built-in engine's dfs") })
                    if (parse.GetResult(option) is { Implicit: false })
                        throw new UsageException($"{option.Name} is {what} and means nothing to --engine coyote (its strategies take no such setting): drop it, or hunt with --engine builtin");
            }
            else if (!Enum.TryParse(strategyText, ignoreCase: true, out strat) || int.TryParse(strategyText, out _))
                throw new UsageException($"invalid --strategy '{strategyText}': expected portfolio, random, pct or dfs" +
                    (CoyoteStrategies.TryParse(strategyText, out _) ? $" ({strategyText} is a strategy of Coyote: add --engine coyote)" : ""));
            long? iters = parse.GetValue(iterations) is { } n ? Values.Positive(n, "--iterations") : null;
            TimeSpan? dur = parse.GetValue(duration) is { } d ? Values.ParseDuration(d) : null;
            if (iters is null && dur is null) iters = DefaultIterations;
            var names = parse.GetValue(scenario) ?? [];
            int? threadCount = parse.GetValue(threads);
            if (threadCount is { } tc && tc is < 2 or > 4) throw new UsageException($"invalid --threads {tc}: generated scenarios have 2 to 4 threads");
            if (threadCount is not null && names.Length > 0) throw new UsageException("--threads (generated scenarios) and --scenario (registered ones) exclude each other");
            if (threadCount is not null && strat == Strategy.Dfs) throw new UsageException("--threads needs a seeded strategy (portfolio, random or pct): dfs ignores seeds");
            int batchSize = parse.GetValue(batch) is { } b ? Values.Positive(b, "--batch") : strat == Strategy.Dfs ? DefaultDfsBatch : DefaultBatch;
            var scenarios = names.Length == 0 ? ScheduleExplorer.AllScenarios.ToList() : names.Distinct().Select(ScheduleExplorer.Scenario).ToList();
            var settings = new HuntSettings(target, scenarios, strat, Values.ParseSeed(parse.GetValue(seed)!), Shard.Parse(parse.GetValue(shard)!),
                iters, dur, batchSize, Values.Positive(parse.GetValue(workers), "--workers"), parse.GetValue(keepGoing),
                Values.Positive(parse.GetValue(pctDepth), "--pct-depth"), NonNegative(parse.GetValue(preemptions), "--preemptions"))
            {
                Threads = threadCount,
                SemanticOnly = parse.GetValue(semanticOnly) || coyote is not null,
                Coyote = coyote,
            };
            if (coyote is not null && settings.CoyoteSeedOf(settings.Shard.SeedOf(settings.Seed, 0)) is null)
                throw new UsageException($"invalid --seed {settings.Seed} for --engine coyote: Coyote's seeds are 32-bit, and a work unit of seed s starts " +
                                         $"from s x {settings.EffectiveBatch} (the batch), so the seed must stay below {(uint.MaxValue - (ulong)settings.EffectiveBatch + 1) / (ulong)settings.EffectiveBatch}");
            return Run(io, settings, Common.OutDir(parse.GetValue(output)), Values.ParseFormat(parse.GetValue(format)));
        });
        return command;
    }

    /// <summary>The checks a hunt runs, for its header and JSON.</summary>
    static string Checks(HuntSettings s) => s.Coyote is not null ? CoyoteExplorer.ChecksDescription : ScheduleExplorer.DescribeChecks(s.SemanticOnly);

    static int NonNegative(int value, string option) =>
        value >= 0 ? value : throw new UsageException($"invalid {option} {value}: must be zero or more");

    public static void WriteScenarioHelp(TextWriter output)
    {
        output.WriteLine("Scenarios (--scenario):");
        foreach (var s in Scenarios.HandWritten)
            output.WriteLine($"  {s.Name,-32} {s.Threads.Count} threads: {string.Join(", ", s.Threads.Select(t => t.Name))}");
        output.WriteLine($"  pair/<A>+<B>/<1p|fork>           {PairMatrix.All.Count} two-thread pairs, the second thread in the same");
        output.WriteLine("                                   process (1p) or a forked child (fork); A, B among:");
        var ops = string.Join(" ", PairMatrix.Ops);
        foreach (var line in Rendering.TraceRendering.Wrap("                                   " + ops, 98, "                                   ").Split('\n'))
            output.WriteLine(line.TrimEnd('\r'));
        output.WriteLine("                                   e.g. pair/Map+Disable/1p (A before B in the list)");
        output.WriteLine();
        output.WriteLine("Sharding: work unit j of shard i/n runs every scenario with the seed base + i + j*n, so with");
        output.WriteLine("the default --seed 0 shard i explores exactly the seeds congruent to i mod n. Run shard 0/n .. n-1/n");
        output.WriteLine("on n machines (a CI matrix, an array job) with the same other options: no seed is explored twice.");
        output.WriteLine();
    }

    /// <summary>A failure as the hunt reports it: its witness (the shortest schedule that shows it) and its trace file.</summary>
    sealed record Reported(ScheduleFailure Failure, string File);

    static int Run(Io io, HuntSettings s, string outDir, OutputFormat format)
    {
        bool human = format == OutputFormat.Human;
        // Failures are grouped as they come (in work order): a distinct failure (kind, clause, where) is reported once,
        // with its number of occurrences, and its file holds its shortest witness so far.
        var groups = new FailureGroups<Reported>();
        var hunt = new Hunt(s)
        {
            OnFailure = f =>
            {
                var previous = groups.All.FirstOrDefault(g => g.Signature == f.Signature)?.Witness.Failure;
                var scenario = s.Threads is null ? ScheduleExplorer.Scenario(f.Scenario) : Hunt.GeneratedScenario(f.Scenario, s.Threads.Value);
                bool shorter = previous is null || f.Steps < previous.Failure.Steps;
                string file = shorter ? Common.WriteTrace(outDir, f, "hunt", scenario) : "";
                var (group, isNew, _) = groups.Add(f.Signature, new Occurrence<Reported>(f.Scenario, f.Steps, new Reported(f, file)));
                if (shorter && previous is { File.Length: > 0 } && previous.File != file) TryDelete(previous.File);
                if (isNew && human && !io.Interactive) PrintFailure(io, f, file, 1);
            },
        };

        string strategy = s.StrategyName;
        int explorable = s.Threads is null ? s.OwnScenarios.Count : 0;
        if (human)
        {
            string what = s.Threads is { } t ? $"generated {t}-thread scenarios (one per seed)" : s.Scenarios.Count == 1 ? $"scenario {s.Scenarios[0].Name}"
                : Plural.Of(s.Scenarios.Count, "scenario");
            io.Markup($"[bold]TceVerify hunt[/] on [bold]{Markup.Escape(s.Target.Display)}[/]: {Markup.Escape(what)}");
            string perSeed = $"{Plural.Of(s.EffectiveBatch, "schedule")} per scenario and seed" +
                             (s.Spread ? $", --batch {s.Batch} reduced to spread --iterations over {Plural.Of(explorable, "scenario")}" : "");
            io.Line(Rendering.TraceRendering.Wrap(s.Strategy == Strategy.Dfs
                ? $"strategy dfs (at most {s.DfsBound} preemptions), shard {s.Shard}: the scenarios k = {s.Shard.Index} mod {s.Shard.Count}" +
                  (s.Spread ? $" (at most {Plural.Of(s.EffectiveBatch, "schedule")} each, to spread --iterations)" : "")
                : $"{(s.Coyote is null ? "" : "engine coyote (Microsoft Coyote), ")}strategy {strategy}, shard {s.Shard}: seeds {s.Shard.SeedOf(s.Seed, 0)}, " +
                  $"{s.Shard.SeedOf(s.Seed, 1)}, {s.Shard.SeedOf(s.Seed, 2)}, ... ({perSeed}" +
                  (s.Coyote is null ? ")" : $"; Coyote runs seed s as its seeds {s.EffectiveBatch}s, {s.EffectiveBatch}s+1, ..., one per schedule)"),
                io.Width, "  "));
            if (s.SemanticOnly) io.Line(Rendering.TraceRendering.Wrap("checks: " + Checks(s), io.Width, "  "));
            var budget = new List<string>();
            if (s.Iterations is { } n) budget.Add(Plural.Of(n, "schedule"));
            if (s.Duration is { } d) budget.Add(Values.Duration(d));
            io.Line(Rendering.TraceRendering.Wrap($"budget {string.Join(" or ", budget)}; trace files to {Common.Display(outDir)}; " +
                                                  "Ctrl-C stops and keeps what was found", io.Width, "  "));
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool finished = false;
        var items = new List<ProgressItem>
        {
            new("schedules", () => hunt.SchedulesRun, () => Volatile.Read(ref finished) || s.Iterations is null ? Math.Max(hunt.SchedulesRun, 1) : s.Iterations.Value, "schedule")
            {
                Describe = () => hunt.FailuresFound == 0 ? "schedules, no failure" : $"schedules, {Plural.Of(hunt.FailuresFound, "failure")}",
            },
        };
        if (s.Duration is { } limit)
            items.Add(new ProgressItem("time (seconds)", () => (long)clock.Elapsed.TotalSeconds, () => (long)Math.Ceiling(limit.TotalSeconds), "second"));
        var result = ProgressView.Run(io, human, items, () =>
        {
            var r = hunt.Run(io.Cancel);
            Volatile.Write(ref finished, true);
            return r;
        });

        var found = groups.All.ToList();
        int occurrences = groups.Occurrences;
        int exit = found.Count > 0 ? ExitCodes.Failure : result.Interrupted ? ExitCodes.Interrupted : ExitCodes.Ok;
        int explored = result.SchedulesByScenario.Count(x => x.Value > 0);
        if (!human)
        {
            io.Json(new
            {
                command = "hunt",
                variant = s.Target.Name,
                engine = s.Engine.Name(),
                strategy,
                semanticOnly = s.SemanticOnly,
                concurrencyChecks = Checks(s),
                shard = s.Shard.ToString(),
                baseSeed = s.Seed,
                firstSeed = result.FirstSeed,
                lastSeed = result.LastSeed,
                units = result.Units,
                batch = s.EffectiveBatch,
                schedules = result.Schedules,
                scenarios = s.Threads is null ? explorable : (int)result.Units,
                scenariosExplored = s.Threads is null ? explored : (int)result.Units,
                schedulesByScenario = s.Threads is null ? result.SchedulesByScenario : null,
                elapsedSeconds = Math.Round(result.Elapsed.TotalSeconds, 2),
                interrupted = result.Interrupted,
                timedOut = result.TimedOut,
                exhausted = result.Exhausted,
                exitCode = exit,
                broken = found.Select(g => g.Signature.Clause ?? g.Signature.Kind).Distinct(),
                failures = found.Select(g => Json(g.Witness.Failure, g)),
            });
            return exit;
        }

        if (io.Interactive)
        {
            foreach (var g in found) PrintFailure(io, g.Witness.Failure.Failure, g.Witness.Failure.File, g.Occurrences.Count);
        }
        io.Line();
        var table = io.Table("hunt", "");
        table.AddRow("system under test", Markup.Escape(s.Target.Display));
        table.AddRow("engine", Markup.Escape(s.Coyote is null ? $"builtin, strategy {strategy}" : $"coyote (Microsoft Coyote), strategy {strategy}"));
        table.AddRow("checks", Markup.Escape(s.Coyote is not null ? "semantic checks only (Coyote runs neither the lock discipline nor the race detector)"
            : s.SemanticOnly ? "semantic checks only (lock discipline and race detector off)" : "every check"));
        table.AddRow("schedules explored", $"{Values.Count(result.Schedules)} ({Values.Rate(result.Schedules / Math.Max(0.001, result.Elapsed.TotalSeconds))})");
        if (s.Threads is null)
        {
            var counts = result.SchedulesByScenario.Values.Where(v => v > 0).ToList();
            table.AddRow("scenarios", $"{explored} of {Plural.Of(explorable, "scenario")} explored" +
                (counts.Count == 0 ? "" : counts.Min() == counts.Max() ? $", {Plural.Of(counts.Min(), "schedule")} each" : $", {Values.Count(counts.Min())} to {Plural.Of(counts.Max(), "schedule")} each") +
                (s.Strategy == Strategy.Dfs ? $"; {result.Exhausted.Count} exhausted within {Plural.Of(s.DfsBound, "preemption")}" : ""));
        }
        if (s.Strategy != Strategy.Dfs)
            table.AddRow("seeds", result.FirstSeed is null ? "none" : $"{Plural.Of(result.Units, "work unit")}: seeds {result.FirstSeed} .. {result.LastSeed} step {s.Shard.Count} (shard {s.Shard})");
        table.AddRow("failures", found.Count == 0 ? "[green]none[/]"
            : $"[red]{Plural.Of(found.Count, "distinct failure")}[/] ({Plural.Of(occurrences, "occurrence")}), written to {Markup.Escape(Common.Display(outDir))}");
        if (found.Count > 0) table.AddRow("broken", $"[red]{Markup.Escape(string.Join(" ", found.Select(g => g.Signature.Clause ?? g.Signature.Kind).Distinct()))}[/]");
        table.AddRow("time", Values.Seconds(result.Elapsed) + (result.Interrupted ? " (interrupted)" : result.TimedOut ? " (--duration reached)" : ""));
        io.Write(table);
        if (found.Count > 0)
        {
            io.Line();
            io.Line("Replay: the shortest witness of each distinct failure");
            foreach (var g in found.Take(MaxListed)) io.Line("  " + Common.ReplayCommand(g.Witness.Failure.File));
            if (found.Count > MaxListed) io.Line($"  ... and {found.Count - MaxListed} more trace files in {Common.Display(outDir)}");
        }
        return exit;
    }

    static object Json(Reported r, FailureGroup<Reported>? group)
    {
        var f = r.Failure;
        return new
        {
            scenario = f.Scenario,
            kind = f.Kind.ToString(),
            clause = f.Clause,
            where = f.Where,
            occurrences = group?.Occurrences.Count ?? 1,
            foundIn = group?.Occurrences.Select(o => new { name = o.FoundIn, size = o.Size }),
            witness = new { name = f.Scenario, size = f.Steps },
            seed = f.Seed,
            iteration = f.Iteration,
            trace = f.Trace,
            message = f.Headline,
            file = r.File.Length == 0 ? null : r.File,
            replay = r.File.Length == 0 ? null : Common.ReplayCommand(r.File),
        };
    }

    static void TryDelete(string file)
    {
        try { File.Delete(file); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* a stale witness file stays; the summary names the current one */ }
    }

    static void PrintFailure(Io io, ScheduleFailure f, string file, int occurrences)
    {
        io.Line($"FAIL {f.Scenario}: {f.Kind}{(f.Clause is null ? "" : $" ({f.Clause})")} at seed {f.Seed}, schedule {f.Iteration + 1} " +
                $"({(f.Engine == Engine.Coyote ? "coyote " : "")}{f.Strategy})");
        io.Line($"     {Common.Short(f.Headline, io.Width - 5)}");
        if (occurrences > 1) io.Line($"     found {occurrences} times ({f.Where}); this is the shortest witness, {Plural.Of(f.Steps, "step")}");
        if (file.Length > 0) io.Line($"     {Common.ReplayCommand(file)}");
    }
}
