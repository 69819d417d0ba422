using TceVerify.Contract;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Programs;
using TceVerify.Harness.Scripts;
using TceVerify.Model;
using TceVerify.Variants;

namespace TceVerify.Campaigns;

/// <summary>One program the sequential suite runs: a hand-written script or a generated case, and its label.</summary>
public sealed record SequentialCase(string Label, Platform Platform, IReadOnlyList<Command>? Program, int Seed, int Length, Workload Workload)
{
    /// <summary>A fresh case (cases cache their last run, so each run gets its own).</summary>
    public ProgramCase Create() =>
        Program is { } p ? ProgramCase.Explicit(Platform, p) : ProgramCase.Generated(Platform, Seed, Length, Workload);

    public override string ToString() => Label;
}

/// <summary>
/// The property suite's checks, one at a time, on the self-test's fixed corpus: the finding scripts of spec/findings.md,
/// QEMU's life cycle, then generated programs of every workload on every platform. A check runs alone, the model in
/// lockstep only to guide generation (so every system sees the same programs) unless the check is the differential
/// comparison itself.
/// </summary>
public static class SequentialSuite
{
    public static Func<PlatformConfig, ITceSystem> Model { get; } = c => new ModelSystem(c);

    /// <summary>Workloads in the order the corpus cycles through them.</summary>
    public static IReadOnlyList<Workload> Workloads { get; } =
        [Workload.Mixed, Workload.Adversarial, Workload.Alignment, Workload.WindowEdges, Workload.PartialFailure, Workload.Ownership, Workload.Lifecycle, Workload.Qemu];

    /// <summary>Every per-step check of the property suite, by name.</summary>
    public static IReadOnlyList<StepCheck> StepChecksAll { get; } =
    [
        StepChecks.Alignment, StepChecks.WindowBounds, StepChecks.Rollback, StepChecks.Attach, StepChecks.Isolation,
        StepChecks.PinBalance, StepChecks.Accounting, StepChecks.FailureAtomicity, StepChecks.CleanHandOver,
        StepChecks.CoreConsistency, StepChecks.Flushed, StepChecks.MemlockLimit, StepChecks.DirtyOnClear, StepChecks.WriteBack,
        StepChecks.DmaIsolation, StepChecks.NoDmaAfterUnmap,
    ];

    public static StepCheck StepCheck(string name) =>
        StepChecksAll.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"no sequential check '{name}'; known: {string.Join(", ", Checks.Sequential)}");

    /// <summary>A runner for one check on <paramref name="sut"/>.</summary>
    public static CampaignRunner RunnerFor(string check, Func<PlatformConfig, ITceSystem> sut) => check switch
    {
        Checks.Result => new CampaignRunner(sut, Model, [], compareResults: true, compareState: false),
        Checks.State => new CampaignRunner(sut, Model, [], compareResults: false, compareState: true),
        _ => new CampaignRunner(sut, Model, [StepCheck(check)], compareResults: false, compareState: false),
    };

    /// <summary>Every check at once (the differential comparison and every per-step check).</summary>
    public static CampaignRunner Everything(Func<PlatformConfig, ITceSystem> sut) =>
        new(sut, Model, StepChecksAll, compareResults: true, compareState: true);

    /// <summary>The hand-written programs: the sequential findings of spec/findings.md and QEMU's life cycle.</summary>
    public static IReadOnlyList<SequentialCase> Scripts { get; } =
        FindingScripts.All.Concat([FindingScripts.QemuLifecycle(12), FindingScripts.QemuLifecycle(16)])
            .Select(s => new SequentialCase("script " + s.Name, Platforms.Of(s.Config), s.Program, 0, s.Program.Count, Workload.Mixed))
            .ToList();

    /// <summary>Program i: workload i mod 8, platform (i / 8) mod the number of platforms (default: the four narrow
    /// machines), seed <paramref name="seed"/> + i.</summary>
    public static IEnumerable<SequentialCase> Generated(int count, int length, int seed, IReadOnlyList<Platform>? platforms = null)
    {
        var on = platforms ?? Platforms.Narrow;
        for (int i = 0; i < count; i++)
        {
            var w = Workloads[i % Workloads.Count];
            var p = on[i / Workloads.Count % on.Count];
            yield return new SequentialCase($"{w} seed {seed + i} on {p.Name}", p, null, seed + i, length, w);
        }
    }

    /// <summary>The generated programs of a corpus: <see cref="SelfTestOptions.GeneratedPrograms"/> of them on the narrow
    /// machines, with <see cref="SelfTestOptions.WidePrograms"/> on the wide one (issue 11, seeds after the narrow ones')
    /// after the first round of the narrow ones (every workload on every narrow machine once).</summary>
    public static IEnumerable<SequentialCase> Generated(SelfTestOptions o, int narrow)
    {
        int firstRound = Workloads.Count * Platforms.Narrow.Count;
        var programs = Generated(narrow, o.ProgramLength, o.Seed);
        return programs.Take(firstRound)
            .Concat(Generated(o.WidePrograms, o.ProgramLength, o.Seed + narrow, [Platforms.Wide4K]))
            .Concat(programs.Skip(firstRound));
    }

    /// <summary>The corpus of one entry: the scripts, then the generated programs.</summary>
    public static IEnumerable<SequentialCase> Corpus(SelfTestOptions o) => Scripts.Concat(Generated(o, o.GeneratedPrograms));

    /// <summary>The outcome of running a check over a corpus.</summary>
    public sealed record Attempt(bool Caught, string Kind, string Detail, SequentialCase? Case, IReadOnlyList<Command> Program, int Step, long Commands);

    /// <summary>Runs the corpus until the first failure.</summary>
    public static Attempt Run(CampaignRunner runner, IEnumerable<SequentialCase> corpus, CancellationToken cancel = default)
    {
        long commands = 0;
        foreach (var c in corpus)
        {
            if (cancel.IsCancellationRequested) break;
            var outcome = runner.Run(c.Create());
            if (!outcome.Result.Ok)
            {
                commands += outcome.Result.FailedStep + 1;
                return new Attempt(true, outcome.Result.Kind, outcome.Result.Detail, c, outcome.Program.Take(outcome.Result.FailedStep + 1).ToList(),
                    outcome.Result.FailedStep + 1, commands);
            }
            commands += outcome.Program.Count;
        }
        return new Attempt(false, "", "", null, [], 0, commands);
    }

    /// <summary>Shrinks a failing program (<see cref="ProgramShrinker.Minimize(PlatformConfig, IReadOnlyList{Command}, Func{IReadOnlyList{Command}, int?}, out int, int, int, CancellationToken)"/>):
    /// a candidate is kept when it fails with the same kind; at most <paramref name="budget"/> candidates are tried.</summary>
    public static IReadOnlyList<Command> Shrink(CampaignRunner runner, Platform platform, IReadOnlyList<Command> program, string kind, int budget,
        CancellationToken cancel = default) =>
        new ProgramShrinker(Model).Minimize(platform.Config, program,
            p => runner.Run(platform, p).Result is { Ok: false } r && r.Kind == kind ? r.FailedStep : null,
            out _, maxSteps: int.MaxValue, maxRuns: budget, cancel);
}
