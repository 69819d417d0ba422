using FsCheck;
using FsCheck.Fluent;
using TceVerify.Harness.Differential;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Programs;
using TceVerify.TestKit.Properties;

namespace TceVerify.Tests.Properties.Infrastructure;

/// <summary>
/// A property of the campaign as the FsCheck suite runs it: its shared definition (<see cref="PropertyDefinition"/>:
/// the checks after every command, whether the model runs alongside, workloads, platforms, program lengths) and how
/// many cases a default run checks (<see cref="MaxTest"/>, the definition's default number of cases).
/// </summary>
public sealed record CampaignProperty(PropertyDefinition Definition)
{
    public string Name => Definition.Name;
    public IReadOnlyList<StepCheck> Checks => Definition.Checks;
    public int MinLength => Definition.MinLength;
    public int MaxLength => Definition.MaxLength;
    public int MaxTest => Definition.DefaultCases;

    /// <summary>FsCheck's size runs from 1 to this over a run; the program length grows with it.</summary>
    public const int EndSize = 100;

    /// <summary>No more shrink steps than this (FsCheck has no limit of its own).</summary>
    public const int MaxShrinkDepth = 300;

    /// <summary>A lower bound of the commands one default run checks (every case is at least this long).</summary>
    public long PlannedCommands => (long)MaxTest * MinLength;

    public int LengthFor(int size) => MinLength + (MaxLength - MinLength) * Math.Clamp(size, 0, EndSize) / EndSize;

    public CampaignRunner RunnerFor(SystemUnderTest sut) =>
        new(sut.Create, Definition.Differential ? Systems.ModelFactory : null, Checks,
            compareResults: Definition.Differential, compareState: Definition.Differential);

    /// <summary>Generated cases: a seed drawn by FsCheck drives <see cref="ProgramGenerator"/>; the workload and the
    /// platform are drawn too; the length grows with FsCheck's size.</summary>
    public Gen<ProgramCase> Cases() =>
        Gen.Sized(size =>
            from seed in Gen.Choose(0, int.MaxValue)
            from workload in Gen.Elements(Definition.Workloads.ToArray())
            from platform in Gen.Elements(Definition.Platforms.ToArray())
            select ProgramCase.Generated(platform, seed, LengthFor(size), workload));

    /// <summary>Shrinks a failing case through <see cref="ProgramShrinker"/>: its program (for a generated case, the
    /// commands its run produced, up to the failing one), dropped commands and chunks, simpler arguments.</summary>
    public IEnumerable<ProgramCase> Shrink(CampaignRunner runner, ProgramCase c)
    {
        if (c.ShrinkDepth >= MaxShrinkDepth) yield break;
        if (c.Program is null || c.LastResult is null) runner.Run(c);
        int? failed = c.LastResult is { Ok: false } r ? r.FailedStep : null;
        var shrinker = new ProgramShrinker(Systems.ModelFactory);
        foreach (var p in shrinker.Shrink(c.Config, c.Program!, failed))
            yield return ProgramCase.Explicit(c.Platform, p, c.ShrinkDepth + 1);
    }

    /// <summary>The FsCheck property on one system. <paramref name="onFailure"/> sees every failing evaluation: the
    /// last one is the shrunk case.</summary>
    public Property ToProperty(SystemUnderTest sut, Action<ProgramCase, CampaignOutcome>? onFailure = null,
        bool shrink = true, Action<ProgramCase, CampaignOutcome>? onEvery = null) =>
        ToProperty(RunnerFor(sut), sut, onFailure, shrink, onEvery);

    Property ToProperty(CampaignRunner runner, SystemUnderTest sut, Action<ProgramCase, CampaignOutcome>? onFailure,
        bool shrink, Action<ProgramCase, CampaignOutcome>? onEvery) =>
        Prop.ForAll(Arbitrary(runner, shrink), c => Holds(runner, sut, c, replayLine: null, onFailure, onEvery));

    /// <summary>The cases with their shrinker (<see cref="Cases"/>, <see cref="Shrink"/>); FsCheck.Xunit tests name it
    /// through <see cref="CampaignCases{T}"/>.</summary>
    public Arbitrary<ProgramCase> Arbitrary(CampaignRunner runner, bool shrink = true) =>
        shrink ? Arb.From(Cases(), c => Shrink(runner, c)) : Arb.From(Cases());

    /// <summary>
    /// The property for one case: run and checked after every command. A failure is labelled with the report (and the
    /// replay line, when given). A generated case must also check at least <see cref="MinLength"/> commands: with
    /// MaxTest cases that is the run's budget of <see cref="PlannedCommands"/> (shrunk cases are shorter by design).
    /// </summary>
    public Property Holds(CampaignRunner runner, SystemUnderTest sut, ProgramCase c, string? replayLine = null,
        Action<ProgramCase, CampaignOutcome>? onFailure = null, Action<ProgramCase, CampaignOutcome>? onEvery = null)
    {
        var outcome = runner.Run(c);
        onEvery?.Invoke(c, outcome);
        if (outcome.Result.Ok)
        {
            if (!c.IsGenerated || outcome.Program.Count >= MinLength) return true.ToProperty();
            return false.ToProperty().Label($"Property '{Name}': a generated case checked only {outcome.Program.Count} commands, fewer than its minimum {MinLength} (the budget of a run is MaxTest x {MinLength})");
        }
        onFailure?.Invoke(c, outcome);
        string report = Report(sut, c, outcome);
        return false.ToProperty().Label(replayLine is null ? report : "Replay the run:  " + replayLine + Environment.NewLine +
            "(or jump to the shrunk case: TCEVERIFY_SEED=seed,gamma,size from FsCheck's 'Replay directly at failing step with (seed,gamma,size)')" +
            Environment.NewLine + report);
    }

    /// <summary>The failure report: FailureReport.Render's numbered program with the model's state changes per step,
    /// the first divergence, and a regression test replaying the program.</summary>
    public string Report(SystemUnderTest sut, ProgramCase c, CampaignOutcome outcome)
    {
        var logger = new DifferentialRunner(c.Config, Systems.ModelFactory, sut.Create, Harness.Differential.Checks.None);
        var program = outcome.Program.Take(outcome.Result.FailedStep + 1).ToList();
        return FailureReport.Render(logger, program, outcome.Result with { Steps = [] },
            replayLine: $"Property '{Name}' on {sut.Name}, platform {c.Platform.Name} ({(c.IsGenerated ? $"generated {c.Workload} program, seed {c.Seed}" : $"after {c.ShrinkDepth} shrinks")})",
            systemUnderTest: sut.Code, configCode: c.Platform.Code);
    }

    /// <summary>Runs the property through <see cref="PropertyRunner"/> (pinned seed per name, TCEVERIFY_SEED replay,
    /// PROPERTY_SCALE), for the tests that expect a failure or set their own case count; the suite's own runs are
    /// FsCheck.Xunit <c>[Property]</c> tests (<see cref="CampaignPropertyAttribute{T}"/>). Throws
    /// <see cref="PropertyFailedException"/> with the report on failure.</summary>
    public void Check(SystemUnderTest sut, Action<ProgramCase, CampaignOutcome>? onFailure = null, int? maxTest = null,
        string? seedName = null, bool shrink = true, Action<ProgramCase, CampaignOutcome>? onEvery = null)
    {
        var runner = RunnerFor(sut);
        PropertyRunner.Check(ToProperty(runner, sut, onFailure, shrink, onEvery), seedName ?? SeedName(sut), maxTest ?? MaxTest, EndSize);
        // The budget is part of the property: a default run checks at least PlannedCommands commands (replays of one
        // case and explicit maxTest overrides are exempt).
        bool defaultRun = maxTest is null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PropertyRunner.SeedVariable));
        if (defaultRun && runner.CommandsRun < PlannedCommands * PropertyRunner.Scale)
            throw new Xunit.Sdk.XunitException($"Property '{Name}' checked only {runner.CommandsRun} commands; its budget is at least {PlannedCommands * PropertyRunner.Scale}.");
    }

    /// <summary>The name the pinned seed derives from: the property's, and the system's when it is not the implementation.</summary>
    public string SeedName(SystemUnderTest sut) => sut == Systems.Impl ? Name : $"{Name} on {sut.Name}";

    /// <summary>Runs the property on a broken system and returns the shrunk failure (the last failing evaluation) and the
    /// message; fails the test when the property passes.</summary>
    public Caught ExpectFailure(SystemUnderTest sut, int? maxTest = null, bool shrink = true)
    {
        ProgramCase? last = null;
        CampaignOutcome? lastOutcome = null;
        try
        {
            Check(sut, (c, o) => { last = c; lastOutcome = o; }, maxTest, shrink: shrink);
        }
        catch (PropertyFailedException ex)
        {
            var program = lastOutcome!.Program.Take(lastOutcome.Result.FailedStep + 1).ToList();
            return new Caught(ex.Message, program, lastOutcome.Result, last!);
        }
        throw new Xunit.Sdk.XunitException($"Property '{Name}' passed on {sut.Name}, which it must reject.");
    }
}

/// <summary>A property failure as a test sees it: the full message, the shrunk program (up to the failing step), why.</summary>
public sealed record Caught(string Message, IReadOnlyList<Command> Program, RunResult Result, ProgramCase Case);
