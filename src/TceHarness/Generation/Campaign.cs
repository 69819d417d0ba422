using System.Text;
using TceVerify.Contract;
using TceVerify.Harness.Differential;
using TceVerify.Harness.Invariants;
using TceVerify.Harness.Observation;
using TceVerify.Harness.Programs;

namespace TceVerify.Harness.Generation;

/// <summary>
/// One test case of a property campaign: either a generated program, known by (platform, seed, length, workload) and
/// produced step by step while it runs, or an explicit program (a shrink candidate, a regression). Immutable but for
/// two caches filled by <see cref="CampaignRunner"/>: the commands a generated case produced, and its last outcome,
/// so that the shrinker starts from what the run saw without running it again.
/// </summary>
public sealed class ProgramCase
{
    ProgramCase(Platform platform, int seed, int length, Workload workload, IReadOnlyList<Command>? program, int depth)
    {
        Platform = platform; Seed = seed; Length = length; Workload = workload; _program = program; ShrinkDepth = depth;
    }

    public Platform Platform { get; }
    public PlatformConfig Config => Platform.Config;
    public int Seed { get; }
    public int Length { get; }
    public Workload Workload { get; }
    /// <summary>How many shrink steps led here from a generated case (0 for generated and hand-written cases).</summary>
    public int ShrinkDepth { get; }
    public bool IsGenerated { get; private set; }

    IReadOnlyList<Command>? _program;

    /// <summary>The commands: given, or (for a generated case) those its last run produced; null before that run.</summary>
    public IReadOnlyList<Command>? Program => _program;

    /// <summary>The outcome of the last run of this case.</summary>
    public RunResult? LastResult { get; internal set; }

    public static ProgramCase Generated(Platform platform, int seed, int length, Workload workload) =>
        new(platform, seed, length, workload, null, 0) { IsGenerated = true };

    public static ProgramCase Explicit(Platform platform, IReadOnlyList<Command> program, int depth = 0) =>
        new(platform, 0, program.Count, Workload.Mixed, program, depth);

    internal void Materialized(IReadOnlyList<Command> program) => _program ??= program;

    public override string ToString()
    {
        var sb = new StringBuilder();
        if (IsGenerated) sb.Append($"generated {Workload} program, seed {Seed}, length {Length}, on {Platform.Name}");
        else sb.Append($"{Program!.Count}-command program on {Platform.Name}{(ShrinkDepth > 0 ? $" (after {ShrinkDepth} shrinks)" : "")}");
        if (Program is { } p && !IsGenerated)
            for (int i = 0; i < p.Count; i++) sb.Append($"\n{i + 1,4}. {p[i].Describe()}");
        return sb.ToString();
    }
}

/// <summary>What a campaign run did: the result and the commands actually run (for a generated case, up to and
/// including the failing one).</summary>
public sealed record CampaignOutcome(RunResult Result, IReadOnlyList<Command> Program, Platform Platform);

/// <summary>
/// Runs property cases: the system under test, optionally in lockstep with a reference model (then results and the
/// full observable state are compared after every command, as <see cref="DifferentialRunner"/> does), and every
/// <see cref="StepCheck"/> after every command. A generated case is produced while it runs: the next command is
/// chosen from the guiding system's observed state, the model's in a differential run, the system under test's
/// otherwise, so one snapshot and one parse per system and command serve both generation and checking.
/// </summary>
public sealed class CampaignRunner(
    Func<PlatformConfig, ITceSystem> underTest,
    Func<PlatformConfig, ITceSystem>? reference,
    IReadOnlyList<StepCheck> checks,
    bool compareResults = true,
    bool compareState = true)
{
    static long s_commands;
    long _commands;

    /// <summary>Commands executed and checked by this runner so far.</summary>
    public long CommandsRun => Interlocked.Read(ref _commands);

    /// <summary>Commands executed and checked by every campaign run in this process so far.</summary>
    public static long CommandsChecked => Interlocked.Read(ref s_commands);

    public Func<PlatformConfig, ITceSystem> UnderTest => underTest;
    public Func<PlatformConfig, ITceSystem>? Reference => reference;
    public IReadOnlyList<StepCheck> Checks => checks;
    public bool Differential => reference is not null && (compareResults || compareState);

    public CampaignOutcome Run(ProgramCase c)
    {
        CampaignOutcome outcome;
        if (c.Program is { } p && !c.IsGenerated) outcome = Run(c.Platform, p, null, p.Count);
        else
        {
            var stream = new ProgramGenerator(c.Config, reference ?? underTest).Start(c.Seed, c.Workload);
            outcome = Run(c.Platform, null, stream, c.Length);
            c.Materialized(outcome.Program);
        }
        c.LastResult = outcome.Result;
        return outcome;
    }

    public CampaignOutcome Run(Platform platform, IReadOnlyList<Command> program) => Run(platform, program, null, program.Count);

    CampaignOutcome Run(Platform platform, IReadOnlyList<Command>? program, ProgramStream? stream, int length)
    {
        var config = platform.Config;
        var sut = underTest(config);
        var model = reference?.Invoke(config);
        var ran = new List<Command>(length);
        var obs = Observed.Parse(sut.Snapshot());
        var guide = model is null ? obs : Observed.Parse(model.Snapshot());
        var violations = new List<Violation>();
        bool staleWritten = false;
        var limits = config.Processes.ToDictionary(p => p.Pid, p => (p.RlimitMemlock, p.CapIpcLock));
        int i = 0;
        try
        {
            for (; i < length; i++)
            {
                var cmd = program is not null ? program[i] : stream!.Next(guide);
                ran.Add(cmd);
                staleWritten |= cmd is HostStaleCmd;
                var before = Staging.Apply(config, obs, cmd);
                long expected = 0, actual;
                if (model is not null)
                {
                    cmd.Prepare(model);
                    try { expected = cmd.Invoke(model); }
                    catch (Exception ex) { return Fail(i, "model-exception", $"the model threw {ex.GetType().Name}: {ex.Message}"); }
                }
                cmd.Prepare(sut);
                try { actual = cmd.Invoke(sut); }
                catch (Exception ex) { return Fail(i, "exception", $"the system under test threw {ex.GetType().Name}: {ex.Message}\n{FirstFrames(ex)}"); }

                if (model is not null && compareResults && expected != actual)
                    return Fail(i, "result", $"model returned {Errno.Describe(expected)}, implementation returned {Errno.Describe(actual)}");
                // PROC-3: a child inherits its parent's RLIMIT_MEMLOCK and CAP_IPC_LOCK (for the EN-5 check).
                if (cmd is ForkCmd fork && actual > 0 && limits.TryGetValue(fork.Pid, out var parent)) limits[(int)actual] = parent;

                var snap = sut.Snapshot();
                var modelSnap = model?.Snapshot();
                if (modelSnap is not null && compareState && !modelSnap.Equals(snap))
                    return Fail(i, "state", "observable state differs:\n" + Snapshot.Diff(modelSnap, snap));

                var after = Observed.Parse(snap);
                Observed? modelAfter = modelSnap is null ? null : modelSnap.Equals(snap) ? after : Observed.Parse(modelSnap);
                if (checks.Count > 0)
                {
                    var facts = new StepFacts
                    {
                        Config = config, Index = i, Command = cmd, Result = actual, Expected = model is null ? null : expected,
                        Before = before, After = after, ModelAfter = modelAfter,
                        HostWroteStale = staleWritten,
                        Limits = limits,
                        Device = sut.DeviceState(),
                    };
                    foreach (var check in checks)
                    {
                        check.Check(facts, violations);
                        if (violations.Count > 0)
                            return Fail(i, check.Name, $"{string.Join("\n", violations.Take(6).Select(v => v.ToString()))}{(violations.Count > 6 ? $"\n... {violations.Count - 6} more" : "")}");
                    }
                }
                obs = after;
                guide = modelAfter ?? after;
            }
            return new CampaignOutcome(RunResult.Pass([], ran.Count), ran, platform);
        }
        finally
        {
            long n = Math.Min(i + 1, length);
            Interlocked.Add(ref s_commands, n);
            Interlocked.Add(ref _commands, n);
        }

        CampaignOutcome Fail(int step, string kind, string detail) =>
            new(new RunResult(false, step, kind, detail, [], step + 1), ran, platform);
    }

    static string FirstFrames(Exception ex) =>
        string.Join("\n", (ex.StackTrace ?? "").Split('\n').Take(4).Select(l => "  " + l.Trim()));
}
