using System.Diagnostics;
using TceVerify.Concurrency;
using TceVerify.Contract;
using TceVerify.Harness;
using TceVerify.Impl;
using TceVerify.Scheduling;
using TceVerify.Variants;

namespace TceVerify.Campaigns;

/// <summary>
/// The harness self-test: every catalog entry is run through the check recorded with it (sequential entries through
/// the property suite's check on a fixed corpus of programs, concurrency-only entries through the concurrency suite's
/// check on their scenarios, with a fixed scheduler seed), and the pristine implementation through every check at once.
/// Everything is deterministic: the same options give the same rows (but for <see cref="KillRow.Elapsed"/>).
/// </summary>
public static class SelfTestRunner
{
    /// <summary>One row per entry, in the given order.</summary>
    public static IReadOnlyList<KillRow> Run(IEnumerable<Variant> variants, SelfTestOptions? options = null)
    {
        var o = options ?? SelfTestOptions.Default;
        var list = variants.ToList();
        var rows = new KillRow[list.Count];
        if (o.Parallelism <= 1)
            for (int i = 0; i < list.Count; i++) rows[i] = RunOne(list[i], o);
        else
            Parallel.For(0, list.Count, new ParallelOptions { MaxDegreeOfParallelism = o.Parallelism }, i => rows[i] = RunOne(list[i], o));
        return rows;
    }

    /// <summary>Runs one entry through its recorded check.</summary>
    public static KillRow RunOne(Variant v, SelfTestOptions? options = null)
    {
        var o = options ?? SelfTestOptions.Default;
        var clock = Stopwatch.StartNew();
        var row = v.Expected.Suite == CatchSuite.Properties ? Sequential(v, o) : Concurrent(v, o);
        if (!row.AsExpected && o.Diagnose) row = row with { AlsoCaughtBy = Diagnose(v, o) };
        return row with { Elapsed = clock.Elapsed };
    }

    static KillRow Base(Variant v, string unit) => new()
    {
        Name = v.Name,
        Group = v.Group,
        Kind = v.ConcurrencyOnly ? "concurrency-only" : "sequential",
        Clauses = v.Clauses,
        Expected = v.Expected.ToString(),
        Caught = false,
        AsExpected = false,
        WorkUnit = unit,
    };

    static bool Matches(Catch expected, string check, IReadOnlyList<string> clauses) =>
        check == expected.Check && (expected.Clause is null || clauses.Contains(expected.Clause));

    // ------------------------------------------------------------------ sequential entries

    static KillRow Sequential(Variant v, SelfTestOptions o)
    {
        var runner = SequentialSuite.RunnerFor(v.Expected.Check, Target.Of(v).Factory);
        var a = SequentialSuite.Run(runner, SequentialSuite.Corpus(o), o.Cancel);
        var row = Base(v, "commands") with { Work = a.Commands };
        if (!a.Caught) return row;
        var clauses = SpecClauses.In(a.Detail);
        int shrunk = 0;
        var program = a.Program;
        if (o.Shrink)
        {
            program = SequentialSuite.Shrink(runner, a.Case!.Platform, a.Program, a.Kind, o.ShrinkBudget, o.Cancel);
            shrunk = program.Count;
        }
        return row with
        {
            Caught = true,
            CaughtBy = a.Kind,
            ReportedClauses = clauses,
            AsExpected = Matches(v.Expected, a.Kind, clauses),
            Where = a.Case!.Label,
            Step = a.Step,
            Shrunk = shrunk,
            Detail = FirstLine(a.Detail),
            Replay = $"on {a.Case.Platform.Code}:\n" + string.Join("\n", program.Select((c, i) => $"{i + 1,4}. {c.Describe()}")),
        };
    }

    // ------------------------------------------------------------------ concurrency-only entries

    static KillRow Concurrent(Variant v, SelfTestOptions o)
    {
        var row = Base(v, "schedules");
        long schedules = 0;
        foreach (var name in v.Expected.Scenarios)
        {
            var scenario = Scenarios.Get(name);
            var runner = Target.Of(v).Runner(scenario, ConcurrencyChecks.OptionsFor(v.Expected.Check));
            foreach (var (strategy, configuration) in ConcurrencySuite.Explorations(v.Expected.Check, o.Schedules, o.DfsSchedules, o))
            {
                var report = Explore(runner, configuration, o.Cancel);
                if (report.FirstBug is not { } bug)
                {
                    schedules += report.Iterations;
                    continue;
                }
                schedules += bug.Iteration + 1;
                var (check, clauses, _) = ConcurrencyChecks.Classify(bug);
                return row with
                {
                    Caught = true,
                    CaughtBy = check,
                    ReportedClauses = clauses,
                    AsExpected = Matches(v.Expected, check, clauses),
                    Where = $"scenario {name}, {strategy}",
                    Step = bug.Steps,
                    Work = schedules,
                    Detail = FirstLine(bug.Message),
                    Replay = $"new ScenarioRunner(Scenarios.Get(\"{name}\"), VariantCatalog.Get(\"{v.Name}\").CreateParts, " +
                             $"ConcurrencyChecks.OptionsFor(\"{v.Expected.Check}\"), \"{v.Name}\").Replay(\"{bug.ReproducibleTrace}\")",
                };
            }
        }
        return row with { Work = schedules };
    }

    // ------------------------------------------------------------------ diagnosis and the pristine implementation

    /// <summary>The checks of the entry's suite (other than its recorded one) that catch it, each run alone.</summary>
    public static IReadOnlyList<string> Diagnose(Variant v, SelfTestOptions o)
    {
        var found = new List<string>();
        if (v.Expected.Suite == CatchSuite.Properties)
        {
            var d = o with { GeneratedPrograms = Math.Min(o.GeneratedPrograms, o.DiagnosePrograms) };
            foreach (var check in Checks.Sequential)
            {
                var a = SequentialSuite.Run(SequentialSuite.RunnerFor(check, Target.Of(v).Factory), SequentialSuite.Corpus(d), o.Cancel);
                if (a.Caught) found.Add($"{a.Kind} ({string.Join(", ", SpecClauses.In(a.Detail).Take(2))}) after {a.Commands} commands");
            }
            return found;
        }
        foreach (var check in Checks.Concurrent)
            foreach (var name in v.Expected.Scenarios)
            {
                var runner = Target.Of(v).Runner(Scenarios.Get(name), ConcurrencyChecks.OptionsFor(check));
                var bug = ConcurrencySuite.Explorations(check, o.Schedules, o.DfsSchedules, o)
                    .Select(e => Explore(runner, e.Configuration, o.Cancel).FirstBug).FirstOrDefault(b => b is not null);
                if (bug is not null)
                {
                    var (c, clauses, _) = ConcurrencyChecks.Classify(bug);
                    found.Add($"{c} ({string.Join(", ", clauses.Take(2))}) on {name}");
                    break;
                }
            }
        return found;
    }

    /// <summary>
    /// The pristine implementation under every check at once: the sequential corpus (scripts and
    /// <see cref="SelfTestOptions.PristinePrograms"/> generated programs), and every scenario a catalog entry names
    /// (<see cref="SelfTestOptions.PristineSchedules"/> schedules each, every runner check and race detection on).
    /// </summary>
    public static IReadOnlyList<PristineRow> RunPristine(IEnumerable<Variant> catalog, SelfTestOptions? options = null)
    {
        var o = options ?? SelfTestOptions.Default;
        var rows = new List<PristineRow>();
        var everything = SequentialSuite.Everything(Target.Impl.Factory);
        var corpus = SequentialSuite.Scripts.Concat(SequentialSuite.Generated(o, o.PristinePrograms)).ToList();
        foreach (var group in corpus.GroupBy(c => c.Program is null ? c.Workload.ToString() : "scripts"))
        {
            var clock = Stopwatch.StartNew();
            var a = SequentialSuite.Run(everything, group, o.Cancel);
            rows.Add(new PristineRow("properties", group.Key, !a.Caught, a.Commands, "commands", clock.Elapsed,
                a.Caught ? $"{a.Kind} at step {a.Step} of {a.Case!.Label}: {FirstLine(a.Detail)}" : ""));
        }
        var scenarios = catalog.Where(v => v.Expected.Suite == CatchSuite.Concurrency)
            .SelectMany(v => v.Expected.Scenarios).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var name in scenarios)
        {
            var clock = Stopwatch.StartNew();
            var runner = Target.Impl.Runner(Scenarios.Get(name), ConcurrencySuite.Everything);
            long explored = 0;
            string failure = "";
            foreach (var (strategy, configuration) in ConcurrencySuite.Explorations(null, o.PristineSchedules, o.DfsSchedules, o))
            {
                var report = Explore(runner, configuration, o.Cancel);
                explored += report.Iterations;
                if (report.FirstBug is { } b)
                {
                    failure = $"{b.Kind} in {strategy} schedule {b.Iteration + 1}: {FirstLine(b.Message)}";
                    break;
                }
            }
            rows.Add(new PristineRow("concurrency", name, failure.Length == 0, explored, "schedules", clock.Elapsed, failure));
        }
        return rows;
    }

    /// <summary>Explores a scenario; once <paramref name="cancel"/> is set, the remaining schedules run nothing (no thread
    /// is spawned), so the exploration ends within one schedule.</summary>
    static TestReport Explore(ScenarioRunner runner, Configuration configuration, CancellationToken cancel) =>
        cancel.CanBeCanceled
            ? new TestingEngine(configuration, ctx => { if (!cancel.IsCancellationRequested) runner.Iteration(ctx); }).Run()
            : runner.Explore(configuration);

    static string FirstLine(string s)
    {
        var line = s.Split('\n')[0].Trim();
        return line.Length > 200 ? line[..200] + "..." : line;
    }
}
