using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using TceVerify.Cli.Infrastructure;
using TceVerify.Campaigns;
using TceVerify.Variants;

namespace TceVerify.Cli.Commands;

/// <summary>
/// catalog: the self-test (src/TceCampaigns/SelfTest). Every catalog entry (the literal findings of spec/findings.md and the
/// bug catalog) is run through the check recorded for it and must be caught; the pristine implementation must pass
/// every check. Prints the kill table.
/// </summary>
static class CatalogCommand
{
    public static Command Create(Io io)
    {
        var only = new Option<string[]>("--only")
        {
            Description = "Run only this entry (repeatable)",
            HelpName = "NAME",
        };
        var scale = new Option<int?>("--scale")
        {
            Description = $"Multiply the self-test budgets (programs per entry, schedules per scenario); default: ${SelfTestOptions.ScaleVariable} or 1",
            HelpName = "N",
        };
        var programs = new Option<int?>("--programs")
        {
            Description = $"Generated programs tried per sequential entry, after the finding scripts (default {SelfTestOptions.Default.GeneratedPrograms})",
            HelpName = "N",
        };
        var schedules = new Option<int?>("--schedules")
        {
            Description = $"Schedules explored per scenario and strategy of a concurrency-only entry (default {SelfTestOptions.Default.Schedules} portfolio, then {Values.Count(SelfTestOptions.Default.DfsSchedules)} dfs)",
            HelpName = "N",
        };
        var noPristine = new Option<bool>("--no-pristine")
        {
            Description = "Skip the pristine run (TceImpl under every check at once, which must pass)",
        };
        var list = new Option<bool>("--list")
        {
            Description = "Only list the entries (name, group, description), run nothing",
        };
        var writeDocs = new Option<string?>("--write-docs")
        {
            Description = "After a full run (every entry and the pristine run), rewrite the generated tables of this file (docs/catalog.md)",
            HelpName = "FILE",
        };
        var format = Common.Format();
        var workers = Common.WorkersOption();
        var command = new Command("catalog",
            "Run the self-test: every catalog entry (a deliberately broken TceImpl: the literal findings and the bug " +
            "catalog) through the check recorded for it, and TceImpl through every check. Prints the kill table; exit 1 " +
            "when an entry survives or TceImpl fails.")
        {
            only, scale, programs, schedules, noPristine, list, writeDocs, format, workers,
        };
        command.SetAction(parse =>
        {
            var names = parse.GetValue(only) ?? [];
            var entries = names.Length == 0 ? VariantCatalog.Catalog.ToList() : names.Distinct().Select(n => Target.Resolve(n).Variant
                ?? throw new UsageException("'impl' is not a catalog entry (the pristine run checks it)")).ToList();
            var options = parse.GetValue(scale) is { } n ? SelfTestOptions.Default.Scaled(Values.Positive(n, "--scale")) : EnvironmentOptions();
            if (parse.GetValue(programs) is { } p) options = options with { GeneratedPrograms = Values.Positive(p, "--programs"), PristinePrograms = p };
            if (parse.GetValue(schedules) is { } sc) options = options with { Schedules = Values.Positive(sc, "--schedules"), DfsSchedules = sc, PristineSchedules = sc };
            var fmt = Values.ParseFormat(parse.GetValue(format));
            if (parse.GetValue(list)) return List(io, entries, fmt);
            var docs = parse.GetValue(writeDocs);
            if (docs is not null && (names.Length > 0 || parse.GetValue(noPristine)))
                throw new UsageException("--write-docs needs the whole catalog and the pristine run: drop --only and --no-pristine");
            if (docs is not null && !File.Exists(docs))
                throw new UsageException($"--write-docs: no file '{docs}' (give docs/catalog.md)");
            return Run(io, entries, options, !parse.GetValue(noPristine) && names.Length == 0, Values.Positive(parse.GetValue(workers), "--workers"), fmt, docs);
        });
        return command;
    }

    static SelfTestOptions EnvironmentOptions()
    {
        try { return SelfTestOptions.FromEnvironment(); }
        catch (ArgumentException ex) { throw new UsageException(ex.Message); }
    }

    static int List(Io io, IReadOnlyList<Variant> entries, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            io.Json(entries.Select(v => new { name = v.Name, group = v.Group, concurrencyOnly = v.ConcurrencyOnly, clauses = v.Clauses, expected = v.Expected.ToString(), description = v.Description }));
            return ExitCodes.Ok;
        }
        var table = io.Table("entry", "group", "what it breaks");
        foreach (var v in entries) table.AddRow(new Text(v.Name), new Text(v.Group), new Text(v.Description));
        io.Write(table);
        return ExitCodes.Ok;
    }

    static int Run(Io io, IReadOnlyList<Variant> entries, SelfTestOptions options, bool pristine, int workers, OutputFormat format, string? docs)
    {
        bool human = format == OutputFormat.Human;
        if (human)
            io.Markup($"[bold]TceVerify catalog[/]: {Plural.Of(entries.Count, "entry")} through their recorded checks" +
                      (pristine ? ", then TceImpl through every check" : ""));
        var clock = Stopwatch.StartNew();
        var rows = new KillRow?[entries.Count];
        long done = 0, pristineDone = 0;
        IReadOnlyList<PristineRow> pristineRows = [];
        TimeSpan entriesElapsed = default;
        long pristineTotal = pristine ? 1 : 0;
        var stop = io.Cancel;
        // Cancellation reaches into the entry in progress (SelfTestOptions.Cancel): it stops within one program or one
        // schedule, and its row, cut short, is dropped rather than reported as a survivor.
        options = options with { Cancel = stop };

        ProgressView.Run(io, human,
        [
            new ProgressItem("catalog entries", () => Interlocked.Read(ref done), () => entries.Count, "entry"),
            .. pristine ? new[] { new ProgressItem("pristine TceImpl", () => Interlocked.Read(ref pristineDone), () => pristineTotal, "run") } : [],
        ], () =>
        {
            int next = -1;
            Workers.Run(workers, "tceverify-catalog", () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    int i = Interlocked.Increment(ref next);
                    if (i >= entries.Count) return;
                    var row = SelfTestRunner.RunOne(entries[i], options);
                    if (stop.IsCancellationRequested) return;
                    rows[i] = row;
                    Interlocked.Increment(ref done);
                }
            });
            entriesElapsed = clock.Elapsed;
            if (pristine && !stop.IsCancellationRequested)
            {
                var pristineRun = SelfTestRunner.RunPristine(VariantCatalog.Catalog, options);
                if (!stop.IsCancellationRequested)
                {
                    pristineRows = pristineRun;
                    Interlocked.Increment(ref pristineDone);
                }
            }
            return 0;
        });
        clock.Stop();

        var finished = rows.Where(r => r is not null).Select(r => r!).ToList();
        int survived = finished.Count(r => !r.Caught);
        int elsewhere = finished.Count(r => r.Caught && !r.AsExpected);
        bool pristineOk = pristineRows.All(p => p.Passed);
        bool interrupted = stop.IsCancellationRequested && (finished.Count < entries.Count || (pristine && pristineRows.Count == 0));
        int exit = survived > 0 || !pristineOk ? ExitCodes.Failure : interrupted ? ExitCodes.Interrupted : ExitCodes.Ok;
        if (docs is not null && !interrupted)
        {
            File.WriteAllText(docs, CatalogDocs.Update(File.ReadAllText(docs), VariantCatalog.Catalog, finished, entriesElapsed,
                pristineRows, clock.Elapsed - entriesElapsed));
            if (human) io.Line($"wrote the catalog and the kill table into {docs}");
        }

        if (!human)
        {
            io.Json(new
            {
                command = "catalog",
                entries = entries.Count,
                caught = finished.Count(r => r.Caught),
                caughtAsExpected = finished.Count(r => r.AsExpected),
                survived,
                pristinePassed = pristine ? pristineOk : (bool?)null,
                interrupted,
                elapsedSeconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
                exitCode = exit,
                rows = KillTable.Records(finished),
                pristine = pristineRows.Select(p => new { suite = p.Suite, target = p.Target, passed = p.Passed, work = p.Work, workUnit = p.WorkUnit, failure = p.Failure }),
            });
            return exit;
        }

        io.Line();
        var table = io.Table("entry", "caught by", "first failure", "verdict");
        table.Columns[0].NoWrap();
        table.Columns[2].RightAligned();
        foreach (var r in finished)
        {
            string verdict = r.AsExpected ? "[green]caught[/]" : r.Caught ? "[yellow]elsewhere[/]" : "[red]SURVIVED[/]";
            string by = r.CaughtBy is null ? "-" : r.CaughtBy + (r.ReportedClauses.Count > 0 ? $" ({r.ReportedClauses[0]})" : "");
            string work = r.WorkUnit == "schedules" ? Plural.Of(r.Work, "sched.", "sched.") : Plural.Of(r.Work, "cmd");
            table.AddRow(new Text(r.Name), new Text(by), new Text(r.Caught ? work : $"none in {work}"), new Markup(verdict));
        }
        io.Write(table);
        io.Line("  first failure: commands run (sequential entries) or schedules explored (concurrency-only) up to it");
        foreach (var r in finished.Where(r => !r.AsExpected))
            io.Line($"  {r.Name}: expected {r.Expected}" + (r.AlsoCaughtBy.Count > 0 ? $"; caught by {string.Join("; ", r.AlsoCaughtBy)}" : ""));

        if (pristineRows.Count > 0)
        {
            io.Line();
            var p = io.Table("pristine TceImpl", "checked", "result");
            foreach (var row in pristineRows)
                p.AddRow(new Text($"{row.Suite}: {row.Target}"), new Text(Plural.Of(row.Work, row.WorkUnit.TrimEnd('s'))),
                    new Markup(row.Passed ? "[green]passed[/]" : $"[red]FAILED[/] {Markup.Escape(Common.Short(row.Failure, 60))}"));
            io.Write(p);
        }
        io.Line();
        io.Markup($"{finished.Count(r => r.Caught)} of {Plural.Of(entries.Count, "entry")} caught ({finished.Count(r => r.AsExpected)} by their recorded check)" +
                  (survived > 0 ? $", [red]{survived} survived[/]" : "") + (elsewhere > 0 ? $", {elsewhere} by another check" : "") +
                  (pristineRows.Count > 0 ? pristineOk ? "; TceImpl passed every check" : "; [red]TceImpl FAILED a check[/]" : "") +
                  (interrupted ? "; [yellow]interrupted[/]" : "") + $"; {Values.Seconds(clock.Elapsed)}.");
        return exit;
    }
}
