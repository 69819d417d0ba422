using TceVerify.Contract;
using TceVerify.Harness.Invariants;
using TceVerify.Harness.Observation;
using TceVerify.Harness.Programs;

namespace TceVerify.Harness.Differential;

/// <summary>What a run checks after every step.</summary>
[Flags]
public enum Checks
{
    None = 0,
    /// <summary>Model and implementation return the same result (INV-10).</summary>
    Results = 1,
    /// <summary>Their full observable states are equal (STATE-10).</summary>
    State = 2,
    /// <summary>The state invariants hold on the implementation (INV-1..4, 7, 9, 12, 13).</summary>
    Invariants = 4,
    /// <summary>Failed calls changed nothing they may not (INV-5), hand-overs are clean (INV-6).</summary>
    Transitions = 8,
    All = Results | State | Invariants | Transitions,
}

/// <summary>One executed step, as reported.</summary>
public sealed record StepLog(int Index, Command Command, long Expected, long Actual, IReadOnlyList<string> ModelChanges);

/// <summary>The outcome of a run: ok, or the first failing step and why.</summary>
public sealed record RunResult(bool Ok, int FailedStep, string Kind, string Detail, IReadOnlyList<StepLog> Steps, long CommandsRun)
{
    public static RunResult Pass(IReadOnlyList<StepLog> steps, long n) => new(true, -1, "", "", steps, n);
}

/// <summary>
/// Runs one program on a reference (the model) and a system under test in lockstep and checks every step.
/// The model is trusted for results and state; invariants are checked on the system under test, and on the
/// model too, so a model that breaks the spec is reported as such.
/// </summary>
public sealed class DifferentialRunner(
    PlatformConfig config,
    Func<PlatformConfig, ITceSystem> reference,
    Func<PlatformConfig, ITceSystem> underTest,
    Checks checks = Checks.All,
    bool keepLog = false)
{
    public PlatformConfig Config => config;
    public Func<PlatformConfig, ITceSystem> ReferenceFactory => reference;
    public Func<PlatformConfig, ITceSystem> UnderTestFactory => underTest;
    public Checks Checks => checks;

    public RunResult Run(IReadOnlyList<Command> program)
    {
        var model = reference(config);
        var sut = underTest(config);
        var log = new List<StepLog>();
        var before = model.Snapshot();
        Observed? beforeObs = checks.HasFlag(Checks.Transitions) ? Observed.Parse(sut.Snapshot()) : null;
        bool staleWritten = false;
        for (int i = 0; i < program.Count; i++)
        {
            var cmd = program[i];
            staleWritten |= cmd is HostStaleCmd;
            cmd.Prepare(model);
            cmd.Prepare(sut);
            if (cmd.Stages && beforeObs is not null) beforeObs = Observed.Parse(sut.Snapshot());
            long expected, actual;
            try { expected = cmd.Invoke(model); }
            catch (Exception ex) { return Fail(i, "model-exception", $"the model threw {ex.GetType().Name}: {ex.Message}", log, program); }
            try { actual = cmd.Invoke(sut); }
            catch (Exception ex) { return Fail(i, "exception", $"the implementation threw {ex.GetType().Name}: {ex.Message}", log, program); }

            var after = model.Snapshot();
            if (keepLog) log.Add(new StepLog(i, cmd, expected, actual, Changes(before, after)));
            before = after;

            if (checks.HasFlag(Checks.Results) && expected != actual)
                return Fail(i, "result", $"model returned {Errno.Describe(expected)}, implementation returned {Errno.Describe(actual)}", log, program);

            Snapshot? actualSnap = null;
            if (checks.HasFlag(Checks.State))
            {
                actualSnap = sut.Snapshot();
                if (!after.Equals(actualSnap))
                    return Fail(i, "state", "observable state differs:\n" + Snapshot.Diff(after, actualSnap), log, program);
            }
            if (checks.HasFlag(Checks.Invariants) || checks.HasFlag(Checks.Transitions))
            {
                actualSnap ??= sut.Snapshot();
                var obs = Observed.Parse(actualSnap);
                var v = new List<Violation>();
                if (checks.HasFlag(Checks.Invariants)) v.AddRange(InvariantChecker.CheckState(config, obs, sut.DeviceState(), hostWroteStale: staleWritten));
                if (checks.HasFlag(Checks.Transitions) && beforeObs is not null)
                {
                    InvariantChecker.CheckHandOver(config, beforeObs, obs, v);
                    if (actual < 0) v.AddRange(FailureAtomicity.Check(beforeObs, obs, cmd.Allowance));
                }
                if (v.Count > 0)
                {
                    // When the model breaks the same invariant the spec (or the model) is wrong: say so.
                    var modelV = InvariantChecker.CheckState(config, Observed.Parse(after), hostWroteStale: staleWritten);
                    string who = modelV.Count > 0 ? "the model too (spec or model bug)" : "the implementation";
                    return Fail(i, "invariant", $"{who} breaks {string.Join("; ", v.Take(6))}", log, program);
                }
                beforeObs = obs;
            }
        }
        return RunResult.Pass(log, program.Count);
    }

    static RunResult Fail(int step, string kind, string detail, List<StepLog> log, IReadOnlyList<Command> program) =>
        new(false, step, kind, detail, log, step + 1);

    /// <summary>The snapshot lines of the model that this step added (what changed, in the model's words).</summary>
    static IReadOnlyList<string> Changes(Snapshot before, Snapshot after)
    {
        var old = new HashSet<string>(before.Lines);
        return after.Lines.Where(l => !old.Contains(l)).ToList();
    }
}
