using System.CommandLine;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Spectre.Console;
using TceVerify.Cli.Exploration;
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

        var command = new Command("check",
            "Run the main job: the property campaign (model vs implementation and every invariant after every command, " +
            "over generated programs of every workload, on 4 KiB and 64 KiB pages, plus the finding scripts) and the " +
            "concurrency exploration (every scenario under the portfolio scheduler). Ends with a summary table.")
        {
            variant, commands, schedules, duration, seed, output, format, workers,
        };
        command.SetAction(parse => Run(io, new Settings(
            Target.Resolve(parse.GetValue(variant)),
            Values.Positive(parse.GetValue(commands), "--commands"),
            Values.Positive(parse.GetValue(schedules), "--schedules"),
            parse.GetValue(duration) is { } d ? Values.ParseDuration(d) : null,
            Values.ParseSeed(parse.GetValue(seed)!),
            parse.GetValue(output)!,
            Values.ParseFormat(parse.GetValue(format)),
            Values.Positive(parse.GetValue(workers), "--workers"))));
        return command;
    }

    sealed record Settings(Target Target, long Commands, long Schedules, TimeSpan? Duration, ulong Seed, string Out, OutputFormat Format, int Workers);

    static int Run(Io io, Settings s)
    {
        bool human = s.Format == OutputFormat.Human;
        var properties = new PropertyCampaign(s.Target, s.Seed, s.Commands);
        var concurrency = new ConcurrencyCampaign(s.Target, s.Seed, s.Schedules);
        int propertyWorkers = Math.Max(1, s.Workers / 2), scheduleWorkers = Math.Max(1, s.Workers - propertyWorkers);

        if (human)
        {
            io.Markup($"[bold]TceVerify check[/] of [bold]{Markup.Escape(s.Target.Display)}[/]: {PropertyPlan.Every.Count} properties + " +
                      $"{PropertyCampaign.Scripts.Count} finding scripts, {concurrency.ScenarioCount} concurrency scenarios; seed {s.Seed}");
            io.Line($"budget {Values.Count(s.Commands)} commands and {Values.Count(s.Schedules)} schedules" +
                    (s.Duration is { } d ? $", at most {d}" : "") + $"; {s.Workers} worker(s)");
        }

        var clock = Stopwatch.StartNew();
        using var limit = s.Duration is { } dd ? new CancellationTokenSource(dd) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(io.Cancel, limit.Token);
        var stop = linked.Token;

        var result = ProgressView.Run(io, human,
        [
            new ProgressItem("properties (commands)", () => properties.CommandsRun, () => properties.Planned, "commands"),
            new ProgressItem("schedules", () => concurrency.SchedulesRun, () => concurrency.Planned, "schedules"),
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

        // Failure files and replay lines.
        var failures = new List<FailureLine>();
        foreach (var p in allProperties.Where(p => p.Failure is not null))
        {
            var f = p.Failure!;
            string file = Common.WriteProgram(s.Out, f);
            failures.Add(new FailureLine("program", p.Name, f.Result.Kind, BrokenClause(f.Result.Detail, p.Invariants, f.Result.Kind),
                f.Headline, file, Common.ReplayCommand(file), $"{f.Program.Count}-command program on {f.Platform.Name}, {f.Shrinks} shrink step(s)", f.Report));
        }
        var known = new List<FailureLine>();
        foreach (var sc in result.Scenarios.Where(x => x.Failure is not null))
        {
            var f = sc.Failure!;
            string where = $"schedule {f.Iteration + 1} of seed {f.Seed} ({f.Strategy})";
            // A documented issue of the pristine implementation (KnownIssues) is shown, with a replay command that
            // needs no file, but does not fail the check.
            if (f.Known)
            {
                known.Add(new FailureLine("schedule", sc.Name, f.Kind.ToString(), f.Clause, f.Headline, "",
                    $"{Cli.Invocation} replay --scenario {sc.Name} --variant {f.Variant} --trace {f.Trace}", where, f.ReadableTrace));
                continue;
            }
            string file = f.Trace.Length == 0 ? "" : Common.WriteTrace(s.Out, f, "check", ScheduleExplorer.Scenario(f.Scenario));
            failures.Add(new FailureLine("schedule", sc.Name, f.Kind.ToString(), f.Clause ?? ClauseFromKind(f.Kind), f.Headline, file,
                file.Length == 0 ? "" : Common.ReplayCommand(file), where, f.ReadableTrace));
        }

        long commandsChecked = allProperties.Sum(p => p.Commands);
        long schedulesExplored = result.Scenarios.Sum(x => x.Schedules);
        var checkedInvariants = allProperties.SelectMany(p => p.Invariants).Concat(ConcurrencyInvariants).Distinct().OrderBy(InvOrder).ToList();
        var broken = failures.Select(f => f.Clause).Where(c => c is not null && c.StartsWith("INV-", StringComparison.Ordinal)).Select(c => c!).Distinct().OrderBy(InvOrder).ToList();
        var knownClauses = known.Select(f => f.Clause).Where(c => c is not null && !broken.Contains(c)).Select(c => c!).Distinct().OrderBy(InvOrder).ToList();
        var held = checkedInvariants.Where(i => !broken.Contains(i) && !knownClauses.Contains(i)).ToList();
        int exit = failures.Count > 0 ? ExitCodes.Failure : interrupted ? ExitCodes.Interrupted : ExitCodes.Ok;

        if (!human)
        {
            io.Json(new
            {
                command = "check",
                variant = s.Target.Name,
                seed = s.Seed,
                budget = new { commands = s.Commands, schedules = s.Schedules, durationSeconds = s.Duration?.TotalSeconds },
                verdict = failures.Count > 0 ? "failed" : interrupted ? "interrupted" : "passed",
                exitCode = exit,
                commandsChecked,
                programsChecked = allProperties.Sum(p => p.Cases),
                schedulesExplored,
                elapsedSeconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
                interrupted,
                timedOut,
                invariants = new { held, broken, knownIssues = knownClauses },
                properties = allProperties.Select(p => new { name = p.Name, cases = p.Cases, commands = p.Commands, passed = p.Passed, invariants = p.Invariants }),
                scenarios = result.Scenarios.Select(x => new { name = x.Name, threads = x.Threads, schedules = x.Schedules, passed = x.Passed, knownIssue = x.Failure is { Known: true } }),
                failures = failures.Select(f => new { type = f.Type, name = f.Name, kind = f.Kind, clause = f.Clause, message = f.Headline, where = f.Where, file = f.File, replay = f.Replay }),
                knownIssues = known.Select(f => new { scenario = f.Name, kind = f.Kind, clause = f.Clause, message = f.Headline, file = f.File, replay = f.Replay }),
            });
            return exit;
        }

        io.Line();
        var table = io.Table("", "checked", "result");
        table.Columns[1].RightAligned();
        string Verdict(bool ok) => ok ? "[green]held[/]" : "[red]FAILED[/]";
        foreach (var p in allProperties)
            table.AddRow(new Text(p.Name), new Text($"{Values.Count(p.Commands)} commands, {Values.Count(p.Cases)} {(p.Name == PropertyPlan.FindingScriptsName ? "scripts" : "programs")}"),
                new Markup(p.Passed ? Verdict(true) : $"{Verdict(false)} {Markup.Escape(p.Failure!.Result.Kind)}"));
        var hand = result.Scenarios.Take(Concurrency.Scenarios.HandWritten.Count).ToList();
        var pairs = result.Scenarios.Skip(hand.Count).ToList();
        bool Known(ScenarioResult x) => x.Failure is { } f && f.Known;
        foreach (var sc in hand)
            table.AddRow(new Text("scenario " + sc.Name), new Text($"{Values.Count(sc.Schedules)} schedule{(sc.Schedules == 1 ? "" : "s")}, {sc.Threads} threads"),
                new Markup(sc.Passed ? Verdict(true) : Known(sc) ? $"[yellow]known issue[/] {Markup.Escape(sc.Failure!.Clause ?? "")}"
                    : $"{Verdict(false)} {Markup.Escape(sc.Failure!.Kind.ToString())}"));
        if (pairs.Count > 0)
        {
            int failedPairs = pairs.Count(x => !x.Passed && !Known(x)), knownPairs = pairs.Count(Known);
            string knownText = knownPairs > 0 ? $" [yellow]({knownPairs} known issue{(knownPairs > 1 ? "s" : "")})[/]" : "";
            table.AddRow(new Text($"pair matrix ({pairs.Count} scenarios)"), new Text($"{Values.Count(pairs.Sum(x => x.Schedules))} schedules, 2 threads"),
                new Markup((failedPairs == 0 ? Verdict(true) : $"{Verdict(false)} {failedPairs} scenario(s)") + knownText));
        }
        io.Write(table);

        var summary = io.Table("summary", "");
        summary.AddRow("system under test", Markup.Escape(s.Target.Display));
        summary.AddRow("commands checked", $"{Values.Count(commandsChecked)} in {Values.Count(allProperties.Sum(p => p.Cases))} programs ({Values.Rate(commandsChecked / Math.Max(0.001, clock.Elapsed.TotalSeconds))})");
        summary.AddRow("schedules explored", $"{Values.Count(schedulesExplored)} over {result.Scenarios.Count} scenarios ({Values.Rate(schedulesExplored / Math.Max(0.001, clock.Elapsed.TotalSeconds))})");
        summary.AddRow("invariants held", Markup.Escape($"{held.Count} of {checkedInvariants.Count}: {string.Join(" ", held)}") +
            (knownClauses.Count > 0 ? $" [yellow](known issues: {Markup.Escape(string.Join(" ", knownClauses))})[/]" : ""));
        if (broken.Count > 0) summary.AddRow("invariants broken", $"[red]{Markup.Escape(string.Join(" ", broken))}[/]");
        summary.AddRow("failures", failures.Count == 0 ? "[green]none[/]" : $"[red]{failures.Count}[/] (replay lines below)");
        if (known.Count > 0) summary.AddRow("known issues", $"[yellow]{known.Count}[/] documented, not counted (below)");
        summary.AddRow("time", Values.Seconds(clock.Elapsed) + (interrupted ? " (interrupted)" : timedOut ? " (--duration reached)" : ""));
        io.Write(summary);

        if (failures.Count > 0)
        {
            io.Line();
            io.Markup("[bold red]Failures[/] (each file holds the full report; replay re-runs it step by step):");
            foreach (var f in failures)
            {
                io.Line(TraceRendering.Wrap($"  FAIL {f.Type} '{f.Name}': {f.Kind}{(f.Clause is null ? "" : $" ({f.Clause})")}", io.Width, "       "));
                io.Line(TraceRendering.Wrap($"       {f.Where}", io.Width, "       "));
                io.Line($"       {Common.Short(f.Headline, io.Width - 7)}");
                if (f.Replay.Length > 0) io.Line($"    {f.Replay}");
            }
            var first = failures[0];
            io.Line();
            io.Markup($"[bold]Report of the first failure[/] ({Markup.Escape(first.Type)} '{Markup.Escape(first.Name)}'):");
            if (first.Type == "program") io.Line(TraceRendering.Fit(first.Report, io.Width));
            else io.Line(TraceRendering.Render(first.Report, io.Width).TrimEnd());
        }
        if (known.Count > 0)
        {
            io.Line();
            io.Line(TraceRendering.Wrap("Known issues (documented findings on the pristine implementation, src/TceConcurrency/KnownIssues.cs; " +
                                        "found again, not counted as failures):", io.Width, "  "));
            foreach (var f in known)
            {
                io.Line(TraceRendering.Wrap($"  KNOWN {f.Name}: {f.Kind}{(f.Clause is null ? "" : $" ({f.Clause})")}, {f.Where}", io.Width, "        "));
                if (f.Replay.Length > 0) io.Line($"    {f.Replay}");
            }
        }
        io.Line();
        io.Markup(failures.Count > 0 ? $"[bold red]FAILED[/]: {failures.Count} failure(s) on {Markup.Escape(s.Target.Display)}."
            : interrupted ? "[yellow]Interrupted[/]: nothing failed in what was checked."
            : $"[bold green]PASSED[/]: every property and every explored schedule held on {Markup.Escape(s.Target.Display)}" +
              (known.Count > 0 ? $", but for {known.Count} known issue(s)." : "."));
        return exit;
    }

    sealed record FailureLine(string Type, string Name, string Kind, string? Clause, string Headline, string File, string Replay, string Where, string Report);

    /// <summary>What the exploration of schedules checks besides the state invariants.</summary>
    static readonly string[] ConcurrencyInvariants = ["INV-1", "INV-2", "INV-3", "INV-4", "INV-7", "INV-8", "INV-9", "INV-11"];

    static int InvOrder(string inv) => int.TryParse(inv.AsSpan(4), out int n) ? n : 99;

    static string? ClauseFromKind(Scheduling.BugKind kind) => kind switch
    {
        Scheduling.BugKind.Deadlock or Scheduling.BugKind.Livelock => "INV-8",
        _ => null,
    };

    /// <summary>The invariant a program failure broke: the first INV-n its message names, the property's only one,
    /// or INV-10 (determinism: model and implementation disagree) for a differential result or state mismatch.</summary>
    static string? BrokenClause(string detail, IReadOnlyList<string> invariants, string kind)
    {
        var m = InvRx().Match(detail);
        if (m.Success) return m.Value;
        if (kind is "result" or "state") return "INV-10";
        return invariants.Count == 1 ? invariants[0] : null;
    }

    [GeneratedRegex(@"\bINV-\d+\b")]
    private static partial Regex InvRx();
}
