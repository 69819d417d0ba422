using System.CommandLine;
using TceVerify.Campaigns;
using TceVerify.Cli.Files;
using TceVerify.Cli.Infrastructure;
using TceVerify.Cli.Rendering;
using TceVerify.Concurrency;
using TceVerify.Contract;
using TceVerify.Coyote;
using TceVerify.Harness.Differential;
using TceVerify.Harness.Generation;
using TceVerify.Scheduling;

namespace TceVerify.Cli.Commands;

/// <summary>
/// replay: re-executes a trace file (a failing schedule) or a program file (a shrunk failing program) and shows it step
/// by step: for a schedule, the per-thread interleaving with the model-level state after each step; for a program,
/// every call with the model's and the system's results and what the model's state gained.
/// </summary>
static class ReplayCommand
{
    public static System.CommandLine.Command Create(Io io)
    {
        var file = new Argument<string?>("FILE")
        {
            Description = "A trace file written by hunt or check (JSON, kind 'schedule') or a program file written by check (kind 'program')",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var scenario = new Option<string?>("--scenario") { Description = "Without FILE: the scenario of --trace", HelpName = "NAME" };
        var trace = new Option<string?>("--trace")
        {
            Description = "Without FILE: a trace string to replay on --scenario (TCE1:... of the built-in engine, COY1:... of Coyote)",
            HelpName = "TCE1:...|COY1:...",
        };
        var engine = new Option<string?>("--engine")
        {
            Description = "Without FILE: the engine of --trace, builtin or coyote (default: the one its prefix names); a file says itself",
            HelpName = "builtin|coyote",
        };
        var variant = new Option<string?>("--variant", "-v")
        {
            Description = "The system to replay on (default: the one recorded in FILE, else impl)",
            HelpName = "NAME",
        };
        var semanticOnly = new Option<bool>("--semantic-only")
        {
            Description = "Without FILE: replay with the semantic checks only (as hunt or check --semantic-only found it); a file says itself",
        };
        var command = new System.CommandLine.Command("replay",
            "Re-execute a failure: a schedule (trace file) step by step with the state after each step, or a shrunk program " +
            "call by call. Says whether the failure is reproduced, is gone, or the trace no longer applies to the code.")
        {
            file, scenario, trace, engine, variant, semanticOnly,
        };
        command.SetAction(parse =>
        {
            string? path = parse.GetValue(file), scenarioName = parse.GetValue(scenario), traceText = parse.GetValue(trace), variantName = parse.GetValue(variant);
            if (path is not null)
            {
                if (scenarioName is not null || traceText is not null || parse.GetValue(semanticOnly) || parse.GetValue(engine) is not null)
                    throw new UsageException("give either FILE or --scenario with --trace (and --engine, --semantic-only), not both: a file records its engine and checks");
                return FailureFiles.Read(path) switch
                {
                    FailureFiles.LoadedSchedule s => ReplaySchedule(io, s.File, path, variantName),
                    FailureFiles.LoadedProgram p => ReplayProgram(io, p.File, path, variantName),
                    _ => throw new UsageException($"'{path}' cannot be replayed"),
                };
            }
            if (scenarioName is null || traceText is null) throw new UsageException("nothing to replay: give a FILE, or --scenario NAME with --trace TCE1:... (or COY1:...)");
            var traced = Engines.OfTrace(traceText.Trim());
            var chosen = parse.GetValue(engine) is { } e ? Engines.Parse(e) : traced ?? Engine.Builtin;
            if (traced is { } t && t != chosen)
                throw new UsageException($"--engine {chosen.Name()} cannot replay a {traceText.Trim()[..5]} trace: it is a trace of the {t.Name()} engine (drop --engine, or give --engine {t.Name()})");
            bool semantic = parse.GetValue(semanticOnly) || chosen == Engine.Coyote;
            var adhoc = new ScheduleFile
            {
                Scenario = scenarioName, Trace = traceText, Variant = variantName ?? Target.ImplName, FoundBy = "command line",
                SemanticOnly = semantic, DataRaceDetection = !semantic, Engine = chosen.Name(),
            };
            return ReplaySchedule(io, adhoc, null, null);
        });
        return command;
    }

    // ------------------------------------------------------------------ schedules

    static int ReplaySchedule(Io io, ScheduleFile f, string? path, string? variantOverride)
    {
        var target = Target.Resolve(variantOverride ?? f.Variant);
        ConcurrentScenario scenario = ScheduleExplorer.TryScenario(f.Scenario, out var registered) ? registered
            : f.ScenarioDefinition is { } def ? FailureFiles.DecodeScenario(def, path ?? "--scenario")
            : throw new UsageException($"unknown scenario '{f.Scenario}'{(path is null ? "" : $" in '{path}'")} (not registered, and the file does not define it)");
        string where = path is null ? "" : $" in '{path}'";
        return Engines.Parse(f.Engine, "engine") == Engine.Coyote ? ReplayCoyote(io, f, where, target, scenario) : ReplayBuiltin(io, f, where, target, scenario);
    }

    static int ReplayBuiltin(Io io, ScheduleFile f, string where, Target target, ConcurrentScenario scenario)
    {
        if (!ReproducibleTrace.TryParse(f.Trace, out var parsed, out var error))
            throw new UsageException($"malformed trace{where}: {error}");

        var settings = Configuration.Create();
        if (f.MaxSchedulingSteps > 0) settings = settings.WithMaxSchedulingSteps(f.MaxSchedulingSteps);
        settings = settings.WithDataRaceDetection(f.DataRaceDetection && !f.SemanticOnly);

        Heading(io, f, target, scenario, "", f.SemanticOnly ? ScheduleExplorer.DescribeChecks(true) : null, Plural.Of(parsed!.Count, "decision"));
        var runner = ScheduleExplorer.RunnerFor(scenario, target, f.SemanticOnly);
        var outcome = runner.Replay(f.Trace, settings);
        var bug = outcome.Report.FirstBug;

        if (bug is { Kind: BugKind.ReplayDivergence }) return Diverged(io, f, bug.Message);
        if (bug is not null)
        {
            io.Line(TraceRendering.Render(bug, io.Width).TrimEnd());
            io.Line();
            if (outcome.History.Count > 0 || outcome.Pending.Count > 0) Calls(io, outcome.History, outcome.Pending);
            return Reproduced(io, f, bug.Kind, bug.Message);
        }

        // It passes now: replay once more with a final check that always stops the schedule at its end, so that the
        // engine describes every step (it only renders failing schedules).
        if (DescribePassingSchedule(runner, f.Trace, settings) is { } passing)
            io.Line(TraceRendering.Render(passing, io.Width, headline: "replay completed without a failure").TrimEnd());
        io.Line();
        Calls(io, outcome.History, []);
        return PassesNow(io, f);
    }

    /// <summary>A COY1 trace, replayed by Coyote (src/TceCoyote) with the checks Coyote runs. Coyote records its
    /// scheduling choices, not what each step did, so the replay shows the schedule's calls rather than a per-step table.</summary>
    static int ReplayCoyote(Io io, ScheduleFile f, string where, Target target, ConcurrentScenario scenario)
    {
        CoyoteTrace.Decoded decoded;
        try { decoded = CoyoteTrace.Decode(f.Trace); }
        catch (TraceFormatException ex) { throw new UsageException($"malformed trace{where}: {ex.Message}"); }

        Heading(io, f, target, scenario, " with Coyote", CoyoteExplorer.ChecksDescription, Plural.Of(decoded.Steps, "step"));
        var report = CoyoteEngine.Replay(scenario, target.Parts, target.RunnerName, f.Trace, f.MaxSchedulingSteps > 0 ? f.MaxSchedulingSteps : CoyoteExplorer.MaxSteps);
        var bug = report.Failure;

        if (bug is { Kind: BugKind.ReplayDivergence }) return Diverged(io, f, bug.Message);
        io.Line("Coyote records its scheduling choices, not what each step did: the calls of the schedule follow.");
        if (bug is not null)
        {
            Calls(io, bug.History, bug.Pending);
            return Reproduced(io, f, bug.Kind, bug.Message);
        }
        Calls(io, report.LastHistory, []);
        return PassesNow(io, f);
    }

    static void Heading(Io io, ScheduleFile f, Target target, ConcurrentScenario scenario, string engine, string? checks, string size)
    {
        io.Line(TraceRendering.Wrap($"Replaying scenario '{scenario.Name}' on {target.Display}{engine}" +
                (f.Strategy.Length > 0 ? $" (found by {f.FoundBy}: {f.Strategy}, seed {f.Seed}, schedule {f.Iteration + 1})" : ""), io.Width, "  "));
        if (checks is not null) io.Line(TraceRendering.Wrap("checks: " + checks, io.Width, "  "));
        io.Line($"trace ({size}):");
        io.Line($"  {f.Trace}");
        io.Line(TraceRendering.Fit("  " + scenario.ToString().Replace("\n", "\n  "), io.Width));
        io.Line();
    }

    static void Calls(Io io, IReadOnlyList<HistoryEntry> history, IReadOnlyList<PendingCall> pending)
    {
        io.Line("Calls (call/return positions):");
        foreach (var h in history.OrderBy(h => h.CallAt)) io.Line(TraceRendering.Wrap("  " + h, io.Width, "      "));
        foreach (var p in pending) io.Line(TraceRendering.Wrap($"  {p} (in progress when the failure stopped the schedule)", io.Width, "      "));
        io.Line();
    }

    static int Diverged(Io io, ScheduleFile f, string message)
    {
        io.Line(TraceRendering.Wrap($"THE TRACE NO LONGER APPLIES: {message}", io.Width, "  "));
        io.Line(TraceRendering.Wrap("The code or the scenario changed since the trace was recorded, so its schedule cannot be " +
                "followed any more; the recorded failure can neither be reproduced nor ruled out. Hunt again to find a current trace.", io.Width, ""));
        if (f.Message.Length > 0) io.Line(TraceRendering.Wrap($"Recorded failure: {f.BugKind}: {Common.Short(f.Message, 400)}", io.Width, "  "));
        return ExitCodes.Diverged;
    }

    static int Reproduced(Io io, ScheduleFile f, BugKind kind, string message)
    {
        bool same = f.BugKind.Length == 0 || (f.BugKind == kind.ToString() && (f.Message.Length == 0 || f.Message == message));
        string clause = ScheduleExplorer.ClauseOf(kind, message) is { } c ? $" ({c})" : "";
        io.Line(TraceRendering.Wrap($"REPRODUCED{(same ? "" : " A DIFFERENT FAILURE")}: {kind}{clause}: {message.Split('\n')[0]}", io.Width, "  "));
        if (!same) io.Line(TraceRendering.Wrap($"recorded: {f.BugKind}: {f.Message.Split('\n')[0]}", io.Width, "  "));
        return ExitCodes.Failure;
    }

    static int PassesNow(Io io, ScheduleFile f)
    {
        io.Line(TraceRendering.Wrap($"PASSES NOW: the schedule runs to its end and every check holds" +
            (f.BugKind.Length > 0 ? $" (recorded: {f.BugKind}: {f.Message.Split('\n')[0]})" : "") + ".", io.Width, "  "));
        return ExitCodes.Ok;
    }

    const string EndMarker = "tceverify-replay-end";

    static BugReport? DescribePassingSchedule(ScenarioRunner runner, string trace, Configuration settings)
    {
        try
        {
            var configuration = ScenarioRunner.ReplayConfiguration(settings, trace);
            var report = new TestingEngine(configuration, ctx =>
            {
                runner.Iteration(ctx);
                ctx.AddFinalCheck(() => EndMarker);
            }).Run();
            if (report.FirstBug is { } b && b.Message.Contains(EndMarker, StringComparison.Ordinal)) return b;
        }
        catch (Exception)
        {
            // The description is a courtesy; the verdict stands without it.
        }
        return null;
    }

    // ------------------------------------------------------------------ programs

    static int ReplayProgram(Io io, ProgramFile f, string path, string? variantOverride)
    {
        var target = Target.Resolve(variantOverride ?? f.Variant);
        List<Harness.Programs.Command> program;
        try { program = CommandCodec.DecodeAll(f.Program, "program"); }
        catch (FormatException ex) { throw new UsageException($"malformed program in '{path}': {ex.Message}"); }
        if (program.Count == 0) throw new UsageException($"malformed program file '{path}': the program is empty");
        var platform = FailureFiles.PlatformOf(f.Platform, f.PageShift, $"'{path}'");
        var spec = PropertyPlan.Find(f.Property);

        io.Line(TraceRendering.Wrap($"Replaying a {program.Count}-command program on {target.Display}, platform {platform.Name}: property '{f.Property}'", io.Width, "  "));
        if (f.FoundIn is { Length: > 0 }) io.Line(TraceRendering.Wrap($"found in a {f.FoundIn}", io.Width, "  "));
        io.Line();

        // The same checks as when it was found: the property's (or every check, for the finding scripts), and the
        // differential runner with every check when the property compares with the model.
        RunResult result;
        if (spec is null)
        {
            var runner = new DifferentialRunner(platform.Config, PropertySpec.Model, target.Factory);
            result = runner.Run(program);
            if (result.Ok)
                result = new CampaignRunner(target.Factory, PropertySpec.Model, PropertyPlan.AllChecks).Run(platform, program).Result;
        }
        else result = spec.RunnerFor(target).Run(platform, program).Result;

        var logger = new DifferentialRunner(platform.Config, PropertySpec.Model, target.Factory, Checks.None, keepLog: true);
        if (!result.Ok)
        {
            var shown = program.Take(result.FailedStep + 1).ToList();
            io.Line(TraceRendering.Fit(FailureReport.Render(logger, shown, result with { Steps = [] },
                replayLine: $"Property '{f.Property}' on {target.Display}, platform {platform.Name}", systemUnderTest: target.Code, configCode: platform.Code,
                regressionTest: false), io.Width));
            io.Line(RegressionFile.Heading(f.Property, target));
            io.Line(RegressionFile.Render(f.Property, target, platform, shown));
            io.Line();
            bool same = f.FailureKind.Length == 0 || f.FailureKind == result.Kind;
            io.Line(TraceRendering.Wrap($"REPRODUCED{(same ? "" : " A DIFFERENT FAILURE")}: {result.Kind} failure at step {result.FailedStep + 1}: {result.Detail.Split('\n')[0]}", io.Width, "  "));
            return ExitCodes.Failure;
        }

        var log = logger.Run(program);
        io.Line("Program (model result | system result; + lines the model's state gained):");
        for (int i = 0; i < program.Count; i++)
        {
            var step = i < log.Steps.Count ? log.Steps[i] : null;
            io.Line(TraceRendering.Wrap($"{i + 1,4}. {program[i].Describe()}" + (step is null ? "" : $"  -> {Errno.Describe(step.Expected)} | {Errno.Describe(step.Actual)}"), io.Width, "          "));
            if (step is null) continue;
            foreach (var line in step.ModelChanges.Take(8)) io.Line(TraceRendering.Wrap($"        + {line}", io.Width, "            "));
            if (step.ModelChanges.Count > 8) io.Line($"        + ... {step.ModelChanges.Count - 8} more");
        }
        io.Line();
        io.Line(TraceRendering.Wrap($"PASSES NOW: every step holds (recorded: {f.FailureKind} failure at step {f.FailedStep}: {f.Message.Split('\n')[0]}).", io.Width, "  "));
        return ExitCodes.Ok;
    }
}
