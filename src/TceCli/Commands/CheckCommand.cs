using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using TceVerify.Campaigns;
using TceVerify.Cli.Infrastructure;
using TceVerify.Cli.Rendering;

namespace TceVerify.Cli.Commands;

/// <summary>
/// check: the main job. The property campaign (differential and invariant properties over generated programs of
/// every workload, on 4 KiB and 64 KiB pages, plus the finding scripts) and the concurrency exploration (every
/// registered scenario under the portfolio strategy), in parallel, against TceImpl or a catalog entry.
/// </summary>
static partial class CheckCommand
{
    public const long DefaultCommands = 60_000;
    public const long DefaultSchedules = 20_000;
    public const string DefaultOut = "tceverify-failures";

    public static Command Create(Io io)
    {
        var variant = Common.Variant();
        var commands = new Option<long>("--commands", "-c")
        {
            Description = $"Property-campaign budget: commands to generate, run and check",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultCommands,
        };
        var schedules = new Option<long>("--schedules", "-s")
        {
            Description = $"Concurrency budget: thread interleavings to explore over all scenarios",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultSchedules,
        };
        var duration = Common.Duration("Stop after this long even if the budgets are not spent (e.g. 90s, 5m)");
        var seed = Common.Seed("Campaign seed: the same seed, budget and code check the same cases");
        var output = new Option<string>("--out", "-o")
        {
            Description = $"Directory for the failure files (shrunk programs, traces) replay reads",
            HelpName = "DIR",
            DefaultValueFactory = _ => DefaultOut,
        };
        var format = Common.Format();
        var workers = Common.WorkersOption();
        var semanticOnly = Common.SemanticOnly();

        var command = new Command("check",
            "Run the main job: the property campaign (model vs implementation and every invariant after every command, " +
            "over generated programs of every workload, on 4 KiB and 64 KiB pages, plus the finding scripts) and the " +
            "concurrency exploration (every scenario under the portfolio scheduler). Ends with a summary table.")
        {
            variant, commands, schedules, duration, seed, output, format, workers, semanticOnly,
        };
        command.SetAction(parse => Run(io, new Settings(
            Target.Resolve(parse.GetValue(variant)),
            Values.Positive(parse.GetValue(commands), "--commands"),
            Values.Positive(parse.GetValue(schedules), "--schedules"),
            parse.GetValue(duration) is { } d ? Values.ParseDuration(d) : null,
            Values.ParseSeed(parse.GetValue(seed)!),
            Common.OutDir(parse.GetValue(output)),
            Values.ParseFormat(parse.GetValue(format)),
            Values.Positive(parse.GetValue(workers), "--workers"),
            parse.GetValue(semanticOnly))));
        return command;
    }

    sealed record Settings(Target Target, long Commands, long Schedules, TimeSpan? Duration, ulong Seed, string Out, OutputFormat Format, int Workers,
        bool SemanticOnly);

    static int Run(Io io, Settings s)
    {
        bool human = s.Format == OutputFormat.Human;
        var properties = new PropertyCampaign(s.Target, s.Seed, s.Commands);
        var concurrency = new ConcurrencyCampaign(s.Target, s.Seed, s.Schedules, semanticOnly: s.SemanticOnly);
        int propertyWorkers = Math.Max(1, s.Workers / 2), scheduleWorkers = Math.Max(1, s.Workers - propertyWorkers);

        if (human)
        {
            io.Markup($"[bold]TceVerify check[/] of [bold]{Markup.Escape(s.Target.Display)}[/]: {PropertyPlan.Every.Count} properties + " +
                      $"{Plural.Of(PropertyCampaign.Scripts.Count, "finding script")}, {Plural.Of(concurrency.ScenarioCount, "concurrency scenario")}; seed {s.Seed}");
            io.Line($"budget {Plural.Of(s.Commands, "command")} and {Plural.Of(s.Schedules, "schedule")}" +
                    (s.Duration is { } d ? $", at most {d}" : "") + $"; {Plural.Of(s.Workers, "worker")}");
            if (s.SemanticOnly) io.Line(TraceRendering.Wrap("concurrency: " + ScheduleExplorer.DescribeChecks(true), io.Width, "  "));
        }

        var clock = Stopwatch.StartNew();
        using var limit = s.Duration is { } dd ? new CancellationTokenSource(dd) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(io.Cancel, limit.Token);
        var stop = linked.Token;

        var result = ProgressView.Run(io, human,
        [
            new ProgressItem("properties (commands)", () => properties.CommandsRun, () => properties.Planned, "command"),
            new ProgressItem("schedules", () => concurrency.SchedulesRun, () => concurrency.Planned, "schedule"),
        ], () =>
        {
            var scheduleTask = Task.Factory.StartNew(() => concurrency.Run(scheduleWorkers, stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var propertyResult = properties.Run(propertyWorkers, stop);
            return (Properties: propertyResult.Properties, Scripts: propertyResult.Scripts, Scenarios: scheduleTask.GetAwaiter().GetResult());
        });
        clock.Stop();

        bool interrupted = io.Cancel.IsCancellationRequested;
        bool timedOut = limit.IsCancellationRequested && !interrupted;
        var allProperties = new List<PropertyResult> { result.Scripts };
        allProperties.AddRange(result.Properties);

        // Every failure, grouped: one report (and one file, its shortest witness) per kind, clause and place.
        var groups = new FailureGroups<Found>();
        foreach (var p in allProperties.Where(p => p.Failure is not null))
        {
            var f = p.Failure!;
            var signature = p.Signature!.Value;
            groups.Add(signature, new Occurrence<Found>(p.Name, f.Program.Count, new Found("program", p.Name, f.Headline,
                $"{f.Program.Count}-command program on {f.Platform.Name}, {Plural.Of(f.Shrinks, "shrink step")}", f.Report, f, null)));
        }
        foreach (var sc in result.Scenarios.Where(x => x.Failure is not null))
        {
            var f = sc.Failure!;
            string where = $"schedule {f.Iteration + 1} of seed {f.Seed} ({f.Strategy}), {Plural.Of(f.Steps, "step")}";
            groups.Add(f.Signature, new Occurrence<Found>(sc.Name, f.Steps, new Found("schedule", sc.Name, f.Headline, where, f.ReadableTrace, null, f)));
        }
        var failures = new List<FailureLine>();
        foreach (var g in groups.All)
        {
            var w = g.Witness.Failure;
            string file = w.Program is { } pf ? Common.WriteProgram(s.Out, pf)
                : w.Schedule is { Trace.Length: > 0 } sf ? Common.WriteTrace(s.Out, sf, "check", ScheduleExplorer.Scenario(sf.Scenario)) : "";
            failures.Add(new FailureLine(w.Type, w.Name, g.Signature, w.Headline, file, file.Length == 0 ? "" : Common.ReplayCommand(file), w.Where, w.Report,
                g.Occurrences.Select(o => (o.FoundIn, o.Size)).ToList()) { Program = w.Program, Schedule = w.Schedule });
        }

        long commandsChecked = allProperties.Sum(p => p.Commands);
        long schedulesExplored = result.Scenarios.Sum(x => x.Schedules);
        var checkedInvariants = allProperties.SelectMany(p => p.Invariants).Concat(ConcurrencyInvariants).Distinct().OrderBy(InvOrder).ToList();
        var brokenRules = failures.Select(f => f.Signature.Clause ?? f.Signature.Kind).Distinct().OrderBy(c => c.StartsWith("INV-", StringComparison.Ordinal) ? 0 : 1).ThenBy(InvOrder).ThenBy(c => c, StringComparer.Ordinal).ToList();
        var broken = brokenRules.Where(c => c.StartsWith("INV-", StringComparison.Ordinal)).ToList();
        var held = checkedInvariants.Where(i => !broken.Contains(i)).ToList();
        int exit = failures.Count > 0 ? ExitCodes.Failure : interrupted ? ExitCodes.Interrupted : ExitCodes.Ok;

        if (!human)
        {
            io.Json(new
            {
                command = "check",
                variant = s.Target.Name,
                seed = s.Seed,
                budget = new { commands = s.Commands, schedules = s.Schedules, durationSeconds = s.Duration?.TotalSeconds },
                semanticOnly = s.SemanticOnly,
                concurrencyChecks = ScheduleExplorer.DescribeChecks(s.SemanticOnly),
                verdict = failures.Count > 0 ? "failed" : interrupted ? "interrupted" : "passed",
                exitCode = exit,
                commandsChecked,
                programsChecked = allProperties.Sum(p => p.Cases),
                schedulesExplored,
                elapsedSeconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
                interrupted,
                timedOut,
                broken = brokenRules,
                invariants = new { held, broken },
                properties = allProperties.Select(p => new { name = p.Name, cases = p.Cases, commands = p.Commands, passed = p.Passed, invariants = p.Invariants }),
                scenarios = result.Scenarios.Select(x => new { name = x.Name, threads = x.Threads, schedules = x.Schedules, passed = x.Passed }),
                failures = failures.Select(f => new
                {
                    type = f.Type, kind = f.Signature.Kind, clause = f.Signature.Clause, where = f.Signature.Where, message = f.Headline,
                    occurrences = f.FoundIn.Count,
                    foundIn = f.FoundIn.Select(o => new { name = o.Name, size = o.Size }),
                    witness = new { name = f.Name, size = f.FoundIn.First(o => o.Name == f.Name).Size, detail = f.Where },
                    name = f.Name, file = f.File, replay = f.Replay,
                }),
            });
            return exit;
        }

        io.Line();
        var table = io.Table("", "checked", "result");
        table.Columns[1].RightAligned();
        string Verdict(bool ok) => ok ? "[green]held[/]" : "[red]FAILED[/]";
        foreach (var p in allProperties)
            table.AddRow(new Text(p.Name), new Text($"{Plural.Of(p.Commands, "command")}, {Plural.Of(p.Cases, p.Name == PropertyPlan.FindingScriptsName ? "script" : "program")}"),
                new Markup(p.Passed ? Verdict(true) : $"{Verdict(false)} {Markup.Escape(p.Failure!.Result.Kind)}"));
        var hand = result.Scenarios.Take(Concurrency.Scenarios.HandWritten.Count).ToList();
        var pairs = result.Scenarios.Skip(hand.Count).ToList();
        foreach (var sc in hand)
            table.AddRow(new Text("scenario " + sc.Name), new Text($"{Plural.Of(sc.Schedules, "schedule")}, {Plural.Of(sc.Threads, "thread")}"),
                new Markup(sc.Passed ? Verdict(true) : $"{Verdict(false)} {Markup.Escape(sc.Failure!.Kind.ToString())}"));
        if (pairs.Count > 0)
        {
            int failedPairs = pairs.Count(x => !x.Passed);
            table.AddRow(new Text($"pair matrix ({Plural.Of(pairs.Count, "scenario")})"), new Text($"{Plural.Of(pairs.Sum(x => x.Schedules), "schedule")}, 2 threads"),
                new Markup(failedPairs == 0 ? Verdict(true) : $"{Verdict(false)} {Plural.Of(failedPairs, "scenario")}"));
        }
        io.Write(table);

        var summary = io.Table("summary", "");
        summary.AddRow("system under test", Markup.Escape(s.Target.Display));
        summary.AddRow("commands checked", $"{Values.Count(commandsChecked)} in {Plural.Of(allProperties.Sum(p => p.Cases), "program")} ({Values.Rate(commandsChecked / Math.Max(0.001, clock.Elapsed.TotalSeconds))})");
        summary.AddRow("schedules explored", $"{Values.Count(schedulesExplored)} over {Plural.Of(result.Scenarios.Count, "scenario")} ({Values.Rate(schedulesExplored / Math.Max(0.001, clock.Elapsed.TotalSeconds))})");
        summary.AddRow("concurrency checks", Markup.Escape(s.SemanticOnly ? "semantic checks only (lock discipline and race detector off)" : "every check"));
        // With failures, some schedules stopped before their final checks: the invariants were not all checked there.
        summary.AddRow(failures.Count == 0 ? "invariants held" : "invariants not broken", Markup.Escape($"{held.Count} of {checkedInvariants.Count}: {string.Join(" ", held)}"));
        if (brokenRules.Count > 0) summary.AddRow("broken", $"[red]{Markup.Escape(string.Join(" ", brokenRules))}[/]");
        summary.AddRow("failures", failures.Count == 0 ? "[green]none[/]"
            : $"[red]{Plural.Of(failures.Count, "distinct failure")}[/] ({Plural.Of(groups.Occurrences, "occurrence")}; replay lines below)");
        summary.AddRow("time", Values.Seconds(clock.Elapsed) + (interrupted ? " (interrupted)" : timedOut ? " (--duration reached)" : ""));
        io.Write(summary);

        if (failures.Count > 0)
        {
            io.Line();
            io.Markup("[bold red]Failures[/], each once with its shortest witness (the file holds the full report; replay re-runs it step by step):");
            foreach (var f in failures)
            {
                io.Line(TraceRendering.Wrap($"  FAIL {f.Type} '{f.Name}': {f.Signature.Kind}{(f.Signature.Clause is null ? "" : $" ({f.Signature.Clause})")} at {f.Signature.Where}", io.Width, "       "));
                io.Line(TraceRendering.Wrap($"       {f.Where}", io.Width, "       "));
                io.Line($"       {Common.Short(f.Headline, io.Width - 7)}");
                if (f.FoundIn.Count > 1) io.Line(TraceRendering.Wrap($"       found in {Plural.Of(f.FoundIn.Count, f.Type == "program" ? "property" : "scenario", f.Type == "program" ? "properties" : null)}: " +
                    Common.Listing(f.FoundIn.Select(o => o.Name), 6), io.Width, "         "));
                if (f.Replay.Length > 0) io.Line($"    {f.Replay}");
            }
            var first = failures[0];
            io.Line();
            io.Markup($"[bold]Report of the first failure[/] ({Markup.Escape(first.Type)} '{Markup.Escape(first.Name)}'):");
            if (first.Program is { } program)
            {
                io.Line(TraceRendering.Fit(first.Report, io.Width));
                io.Line(RegressionFile.Heading(program.Property, program.Target));
                io.Line(RegressionFile.Render(program.Property, program.Target, program.Platform, program.Program));
            }
            else io.Line((first.Schedule?.Bug is { } bug ? TraceRendering.Render(bug, io.Width) : first.Report).TrimEnd());
        }
        io.Line();
        io.Markup(failures.Count > 0 ? $"[bold red]FAILED[/]: {Plural.Of(failures.Count, "distinct failure")} ({Plural.Of(groups.Occurrences, "occurrence")}) on {Markup.Escape(s.Target.Display)}" +
                                       $" broke {Markup.Escape(string.Join(" ", brokenRules))}."
            : interrupted ? "[yellow]Interrupted[/]: nothing failed in what was checked."
            : $"[bold green]PASSED[/]: every property and every explored schedule held on {Markup.Escape(s.Target.Display)}.");
        return exit;
    }

    /// <summary>A failure found in one property or scenario, before grouping.</summary>
    sealed record Found(string Type, string Name, string Headline, string Where, string Report, ProgramFailure? Program, ScheduleFailure? Schedule);

    /// <summary>A distinct failure as reported: its witness (type, name, headline, file, replay, where in the run, report)
    /// and every property or scenario it was found in, with the size of each witness.</summary>
    sealed record FailureLine(string Type, string Name, FailureSignature Signature, string Headline, string File, string Replay, string Where, string Report,
        IReadOnlyList<(string Name, int Size)> FoundIn)
    {
        public ProgramFailure? Program { get; init; }
        public ScheduleFailure? Schedule { get; init; }
    }

    /// <summary>What the exploration of schedules checks besides the state invariants.</summary>
    static readonly string[] ConcurrencyInvariants = ["INV-1", "INV-2", "INV-3", "INV-4", "INV-7", "INV-8", "INV-9", "INV-11"];

    static int InvOrder(string clause) => int.TryParse(clause.AsSpan(clause.IndexOf('-') + 1), out int n) ? n : 99;

}
