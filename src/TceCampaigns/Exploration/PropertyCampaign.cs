using System.Collections.Concurrent;
using TceVerify.Harness;
using TceVerify.Harness.Differential;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Programs;
using TceVerify.Harness.Scripts;

namespace TceVerify.Campaigns;

/// <summary>A failing program, shrunk: the property, where it was found, the program up to the failing step, why.</summary>
public sealed record ProgramFailure(
    string Property, Target Target, Platform Platform, string FoundIn, IReadOnlyList<Command> Program, RunResult Result,
    int Shrinks, string Report)
{
    public string Headline => Result.Detail.Split('\n')[0].Trim();

    /// <summary>Where it failed: the failing call's operation.</summary>
    public string Where => FailureWhere.OfProgram(Program, Result.FailedStep);
}

/// <summary>What one property did.</summary>
public sealed record PropertyResult(string Name, long Cases, long Commands, ProgramFailure? Failure, IReadOnlyList<string> Invariants)
{
    public bool Passed => Failure is null;

    /// <summary>What makes its failure the same as another's: the check, the invariant it broke (the first INV-n the
    /// message names, the property's only one, or INV-10, determinism, for a differential result or state mismatch)
    /// and the failing call's operation.</summary>
    public FailureSignature? Signature => Failure is not { } f ? null
        : new(f.Result.Kind, SpecClauses.In(f.Result.Detail).FirstOrDefault(c => c.StartsWith("INV-", StringComparison.Ordinal))
            ?? (f.Result.Kind is "result" or "state" ? "INV-10" : Invariants.Count == 1 ? Invariants[0] : null), f.Where);
}

/// <summary>
/// Runs the property campaign: every <see cref="PropertySpec"/> of the plan on generated programs, each property
/// getting its share of the command budget, and the finding scripts (the minimal sequences of spec/findings.md and
/// the QEMU life cycle on both page sizes) once each. Properties run in parallel, each one case at a time, so a
/// property's cases and verdict depend only on the seed and the budget. A failure is shrunk and rendered; the
/// property then stops.
/// </summary>
public sealed class PropertyCampaign(Target target, ulong seed, long commandBudget, IReadOnlyList<PropertySpec>? plan = null)
{
    const int MaxShrinks = 200, MaxShrinkRuns = 4000;

    readonly IReadOnlyList<PropertySpec> _plan = plan ?? PropertyPlan.Every;
    long _commands;

    /// <summary>Commands executed and checked so far (for progress).</summary>
    public long CommandsRun => Interlocked.Read(ref _commands);

    State[]? _states;
    long _scriptCommands = -1;

    /// <summary>The commands planned (progress total): each property's share of the budget, or what it ran once it is
    /// done (a property ends on the case that reaches its share, or at its first failure), so the total ends equal to
    /// the count.</summary>
    public long Planned =>
        (Volatile.Read(ref _scriptCommands) is >= 0 and var scripts ? scripts : ScriptCommands) +
        (_states is { } states ? states.Sum(s => s.Done ? Volatile.Read(ref s.Commands) : Math.Max(s.Budget, Volatile.Read(ref s.Commands)))
            : _plan.Select(p => Share(p)).Sum());

    long Share(PropertySpec p) => Math.Max(1, commandBudget * p.Weight / _plan.Sum(x => x.Weight));

    static long ScriptCommands => Scripts.Sum(s => (long)s.Program.Count) * 2;

    public static IReadOnlyList<ScriptedProgram> Scripts { get; } =
        [.. FindingScripts.All, FindingScripts.QemuLifecycle(12), FindingScripts.QemuLifecycle(16)];

    /// <summary>Runs every property; stops early (each property after its current case) when cancelled.</summary>
    public (IReadOnlyList<PropertyResult> Properties, PropertyResult Scripts) Run(int workers, CancellationToken ct)
    {
        var scripts = RunScripts(ct);
        if (!ct.IsCancellationRequested) Volatile.Write(ref _scriptCommands, scripts.Commands);
        var states = _plan.Select(p => new State(p, Share(p), p.RunnerFor(target))).ToArray();
        _states = states;
        var queue = new ConcurrentQueue<State>(states);
        Workers.Run(workers, "tceverify-properties", () =>
        {
            while (!ct.IsCancellationRequested && queue.TryDequeue(out var s))
            {
                Step(s, ct);
                if (!s.Done) queue.Enqueue(s);
            }
        });
        return (states.Select(s => new PropertyResult(s.Spec.Name, s.Cases, s.Commands, s.Failure, s.Spec.Invariants)).ToList(), scripts);
    }

    sealed class State(PropertySpec spec, long budget, CampaignRunner runner)
    {
        public PropertySpec Spec { get; } = spec;
        public long Budget { get; } = budget;
        public CampaignRunner Runner { get; } = runner;
        public long Cases, Commands;
        public ProgramFailure? Failure;
        public volatile bool Done;
    }

    /// <summary>Runs the next case of one property.</summary>
    void Step(State s, CancellationToken ct)
    {
        var c = s.Spec.CaseAt(seed, s.Cases);
        s.Cases++;
        CampaignOutcome outcome;
        try { outcome = s.Runner.Run(c); }
        catch (Exception ex) { outcome = Crashed(c.Platform, c.Program ?? [], ex); }
        long n = outcome.Result.Ok ? outcome.Program.Count : outcome.Result.FailedStep + 1;
        Interlocked.Add(ref s.Commands, n);
        Interlocked.Add(ref _commands, n);
        if (!outcome.Result.Ok)
        {
            string foundIn = $"generated {c.Workload} program, seed {c.Seed}, length {c.Length}, on {c.Platform.Name} (case {s.Cases - 1} of the campaign seed {seed})";
            s.Failure = Shrink(s.Spec.Name, s.Runner, outcome, foundIn, ct);
            s.Done = true;
        }
        else if (s.Commands >= s.Budget) s.Done = true;
    }

    /// <summary>Shrinks a failing program (<see cref="ProgramShrinker.Minimize(PlatformConfig, IReadOnlyList{Command}, Func{IReadOnlyList{Command}, int?}, out int, int, int, CancellationToken)"/>):
    /// a candidate is kept when it fails with the same kind; a candidate that crashes a check is not kept.</summary>
    ProgramFailure Shrink(string property, CampaignRunner runner, CampaignOutcome outcome, string foundIn, CancellationToken ct)
    {
        var platform = outcome.Platform;
        var result = outcome.Result;
        int? SameFailure(IReadOnlyList<Command> candidate)
        {
            try
            {
                if (runner.Run(platform, candidate).Result is not { Ok: false } r || r.Kind != result.Kind) return null;
                result = r;
                return r.FailedStep;
            }
            catch (Exception) { return null; }
        }
        var program = new ProgramShrinker(PropertySpec.Model).Minimize(platform.Config, outcome.Program.Take(outcome.Result.FailedStep + 1).ToList(),
            SameFailure, out int shrinks, MaxShrinks, MaxShrinkRuns, ct);
        return new ProgramFailure(property, target, platform, foundIn, program, result, shrinks, Render(property, platform, program, result, foundIn, shrinks));
    }

    string Render(string property, Platform platform, IReadOnlyList<Command> program, RunResult result, string foundIn, int shrinks)
    {
        try
        {
            var logger = new DifferentialRunner(platform.Config, PropertySpec.Model, target.Factory, Checks.None);
            return FailureReport.Render(logger, program, result with { Steps = [] },
                replayLine: $"Property '{property}' on {target.Display}, platform {platform.Name}; found in a {foundIn}; {shrinks} shrink step{(shrinks == 1 ? "" : "s")}",
                systemUnderTest: target.Code, configCode: platform.Code, regressionTest: false);
        }
        catch (Exception ex)
        {
            return $"TceVerify: {result.Kind} failure at step {result.FailedStep + 1}: {result.Detail}\n(the detailed report could not be rendered: {ex.Message})";
        }
    }

    static CampaignOutcome Crashed(Platform platform, IReadOnlyList<Command> program, Exception ex) =>
        new(new RunResult(false, Math.Max(0, program.Count - 1), "internal error",
            $"a check of TceVerify itself threw {ex.GetType().Name}: {ex.Message} (a bug in the harness, not necessarily in the system under test)",
            [], program.Count), program, platform);

    /// <summary>The finding scripts: differential with every check, then every property's step checks.</summary>
    PropertyResult RunScripts(CancellationToken ct)
    {
        long commands = 0, cases = 0;
        ProgramFailure? failure = null;
        foreach (var script in Scripts)
        {
            if (ct.IsCancellationRequested) break;
            cases++;
            var platform = Platforms.Of(script.Config);
            RunResult result;
            try
            {
                var runner = new DifferentialRunner(script.Config, PropertySpec.Model, target.Factory);
                result = runner.Run(script.Program);
                if (result.Ok)
                    result = new CampaignRunner(target.Factory, PropertySpec.Model, PropertyPlan.AllChecks).Run(platform, script.Program).Result;
            }
            catch (Exception ex) { result = Crashed(platform, script.Program, ex).Result; }
            long n = result.Ok ? script.Program.Count * 2L : result.FailedStep + 1;
            commands += n;
            Interlocked.Add(ref _commands, n);
            if (!result.Ok)
            {
                var program = script.Program.Take(result.FailedStep + 1).ToList();
                string foundIn = $"finding script {script.Name} ({script.Clauses})";
                failure = new ProgramFailure(PropertyPlan.FindingScriptsName, target, platform, foundIn, program, result, 0,
                    Render($"{PropertyPlan.FindingScriptsName}: {script.Name}", platform, program, result, foundIn, 0));
                break;
            }
        }
        return new PropertyResult(PropertyPlan.FindingScriptsName, cases, commands, failure,
            ["INV-1", "INV-2", "INV-3", "INV-4", "INV-5", "INV-6", "INV-7", "INV-9", "INV-10"]);
    }
}
