using System.Text.RegularExpressions;
using TceVerify.Campaigns;
using TceVerify.Cli.Infrastructure;
using TceVerify.Coyote;
using TceVerify.Scheduling;

namespace TceVerify.Cli.Files;

/// <summary>
/// Checks every field of a failure file before anything runs: a field edited to something the writer never writes is
/// one line and exit code 2 (<see cref="UsageException"/>), never silently replaced, ignored, or an internal error.
/// </summary>
public static partial class FileValidation
{
    /// <summary>Scheduling steps a schedule may be given (0: the engine's default).</summary>
    public const int MaxSchedulingSteps = 10_000_000;

    public static void Validate(ScheduleFile f, string path)
    {
        string Bad(string what) => throw new UsageException($"invalid trace file '{path}': {what}");
        if (string.IsNullOrWhiteSpace(f.Scenario)) Bad("no scenario");
        if (string.IsNullOrWhiteSpace(f.Trace)) Bad("no trace");
        Required(f.Variant, "variant", Bad);
        Required(f.Strategy, "strategy", Bad);
        Required(f.BugKind, "bugKind", Bad);
        Required(f.Message, "message", Bad);
        Required(f.FoundBy, "foundBy", Bad);
        Required(f.Replay, "replay", Bad);
        Required(f.ReadableTrace, "readableTrace", Bad);
        Variant(f.Variant, path);

        Engine engine = default;
        try { engine = Engines.Parse(f.Engine, "'engine'"); }
        catch (UsageException ex) { Bad(ex.Message); }
        if (Engines.OfTrace(f.Trace) is { } traced && traced != engine)
            Bad($"'engine' {f.Engine} disagrees with the trace, which is a trace of the {traced.Name()} engine ({f.Trace[..5]})");
        var (strategy, seed, iteration) = engine == Engine.Coyote ? CoyoteRecord(f.Trace, Bad) : BuiltinRecord(f.Trace, Bad);
        if (f.Strategy != strategy) Bad($"'strategy' {f.Strategy} disagrees with the trace's strategy {strategy}");
        if (f.Seed != seed) Bad($"'seed' {f.Seed} disagrees with the trace's seed {seed}");
        if (f.Iteration != iteration) Bad($"'iteration' {f.Iteration} disagrees with the trace's iteration {iteration}");
        if (engine == Engine.Coyote && (!f.SemanticOnly || f.DataRaceDetection))
            Bad("a Coyote trace is checked with the semantic checks only: 'semanticOnly' must be true and 'dataRaceDetection' false");

        BugKind kind = default;
        if (f.BugKind.Length > 0 && (!Enum.TryParse(f.BugKind, ignoreCase: false, out kind) || !Enum.IsDefined(kind) || char.IsDigit(f.BugKind[0])))
            Bad($"'bugKind' {f.BugKind} is not a kind of bug the engine reports (e.g. {BugKind.AssertionFailure}, {BugKind.Deadlock}, {BugKind.DataRace})");
        if (f.Clause is not null && !ClauseRx().IsMatch(f.Clause)) Bad($"'clause' {f.Clause} is not a clause id (LOCK-n, INV-n or FIND-n)");
        if (f.BugKind.Length > 0 && f.Clause != ScheduleExplorer.ClauseOf(kind, f.Message))
            Bad($"'clause' {f.Clause ?? "null"} disagrees with the message, which names {ScheduleExplorer.ClauseOf(kind, f.Message) ?? "no clause"}");
        if (f.MaxSchedulingSteps is < 0 or > MaxSchedulingSteps) Bad($"'maxSchedulingSteps' {f.MaxSchedulingSteps}: expected 1 to {MaxSchedulingSteps:N0} (or 0, the default)");
        if (f.SemanticOnly && f.DataRaceDetection) Bad("'dataRaceDetection' is true but 'semanticOnly' turns the race detector off");

        bool registered = ScheduleExplorer.TryScenario(f.Scenario, out _);
        if (registered && f.ScenarioDefinition is not null) Bad($"'scenarioDefinition' given for the registered scenario '{f.Scenario}'");
        if (f.ScenarioDefinition is { } def)
        {
            var scenario = FailureFiles.DecodeScenario(def, path);
            if (scenario.Name != f.Scenario) Bad($"the scenarioDefinition's 'name' {scenario.Name} disagrees with 'scenario' {f.Scenario}");
        }
        else if (!registered) Bad($"unknown scenario '{f.Scenario}' (not registered, and the file does not define it)");
    }

    /// <summary>What a TCE1 trace records of how it was found: strategy, seed, iteration.</summary>
    static (string Strategy, ulong Seed, int Iteration) BuiltinRecord(string text, Func<string, string> bad)
    {
        if (!ReproducibleTrace.TryParse(text, out var trace, out var error)) bad($"malformed trace: {error}");
        return (trace!.Strategy, trace.Seed, trace.Iteration);
    }

    /// <summary>The same for a COY1 trace (its schedule counts from 1, a file's iteration from 0).</summary>
    static (string Strategy, ulong Seed, int Iteration) CoyoteRecord(string text, Func<string, string> bad)
    {
        CoyoteTrace.Decoded? trace = null;
        try { trace = CoyoteTrace.Decode(text); }
        catch (TraceFormatException ex) { bad($"malformed trace: {ex.Message}"); }
        if (!CoyoteStrategies.TryParse(trace!.Strategy, out _)) bad($"malformed trace: its strategy '{trace.Strategy}' is not one of Coyote's");
        return (trace.Strategy, trace.Seed, trace.Schedule - 1);
    }

    public static void Validate(ProgramFile f, string path)
    {
        string Bad(string what) => throw new UsageException($"invalid program file '{path}': {what}");
        Required(f.Property, "property", Bad);
        Required(f.Variant, "variant", Bad);
        Required(f.Platform, "platform", Bad);
        Required(f.FailureKind, "failureKind", Bad);
        Required(f.Message, "message", Bad);
        Required(f.Replay, "replay", Bad);
        Required(f.Report, "report", Bad);
        if (f.Program is null) Bad("'program' must be a list of commands");
        Variant(f.Variant, path);
        if (f.Property != PropertyPlan.FindingScriptsName && PropertyPlan.Find(f.Property) is null)
            Bad($"unknown property '{f.Property}' (known: {PropertyPlan.FindingScriptsName}, {string.Join(", ", PropertyPlan.Every.Select(p => p.Name))})");
        FailureFiles.PlatformOf(f.Platform, f.PageShift, $"'{path}'");
        if (!FailureKinds.Contains(f.FailureKind)) Bad($"unknown failureKind '{f.FailureKind}' (known: {string.Join(", ", FailureKinds)})");
        int count = f.Program!.Count;
        if (count == 0) Bad("the program is empty");
        if (f.FailedStep < 1 || f.FailedStep > count) Bad($"'failedStep' {f.FailedStep}: the program has {Plural.Of(count, "command")} (steps 1 to {count})");
    }

    /// <summary>The kinds a program failure may have: the differential runner's and every step check's.</summary>
    static IReadOnlyList<string> FailureKinds { get; } =
        ["result", "state", "invariant", "exception", "model-exception", "internal error", .. PropertyPlan.AllChecks.Select(c => c.Name).Distinct()];

    static void Required(string? value, string field, Func<string, string> bad)
    {
        if (value is null) bad($"'{field}' must be a string");
    }

    static void Variant(string name, string path)
    {
        try { Target.Resolve(name); }
        catch (UsageException ex) { throw new UsageException($"'{path}': {ex.Message}"); }
    }

    [GeneratedRegex(@"^(?:LOCK|INV|FIND)-\d+$")]
    private static partial Regex ClauseRx();
}
