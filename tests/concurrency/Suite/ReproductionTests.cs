using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.TestKit;
using TceVerify.Variants;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// A failing schedule is reported with everything needed to read and reproduce it, replaying its trace reproduces
/// the same failure, a trace that does not fit the program says where it diverged, and the same seed gives the same
/// exploration.
/// </summary>
public class ReproductionTests
{
    static ScenarioRunner Find11(RunnerOptions? options = null) =>
        Target.Of(VariantCatalog.Get("literal-set-container-unlocked")).Runner(Scenarios.DoubleSetContainer(), options ?? RunnerOptions.SemanticOnly);

    static ScenarioRunner Find12Linearizability() =>
        new(Scenarios.DeviceFdVsUnset(), VariantCatalog.Get("literal-get-device-fd-check-then-inc").CreateParts,
            ConcurrencyChecks.OptionsFor(Checks.Linearizability) with { DescribeStates = true }, "literal-get-device-fd-check-then-inc");

    [Fact]
    [Spec("FIND-11", "INV-7")]
    public void Replaying_a_failing_trace_reproduces_the_same_failure()
    {
        var outcome = Find11().Run(Scale.Random(200).WithDataRaceDetection(false));
        Assert.False(outcome.Passed);
        Assert.Equal("INV-7", outcome.Clause);
        Assert.True(outcome.Reproduced, outcome.ToString());

        // From a fresh runner, as a user pasting the trace would.
        var replay = Find11().Replay(outcome.Trace!, Configuration.Create().WithDataRaceDetection(false));
        Assert.Equal(1, replay.Report.Iterations);
        Assert.Equal(outcome.Kind, replay.Kind);
        Assert.Equal(outcome.Message, replay.Message);
        Assert.Equal(outcome.History.Select(h => h.ToString()), replay.History.Select(h => h.ToString()));
    }

    [Fact]
    [Spec("FIND-12", "INV-11")]
    public void A_failure_report_carries_the_history_why_no_order_fits_the_readable_trace_and_the_replay_command()
    {
        var outcome = Find12Linearizability().Run(Configuration.Create().WithDfsStrategy(2).WithTestingIterations(5_000).WithDataRaceDetection(false));
        Assert.False(outcome.Passed);
        string text = outcome.ToString();
        // The engine's bug message itself carries the history and the reason (the final check's message).
        Assert.Contains("No sequential order of these calls on the model explains the results (INV-11)", outcome.Message);
        Assert.Contains("GROUP_GET_DEVICE_FD pid 1 fd 4", outcome.Message);
        Assert.Contains("GROUP_UNSET_CONTAINER pid 1 fd 4", outcome.Message);
        Assert.Matches("cannot come next|final states differ", outcome.Message);
        // The report adds the recovered history, the readable per-thread trace with the model-level state, and replay.
        Assert.Contains("history of the failing schedule", text);
        Assert.Contains("T0 get-device", text);
        Assert.Contains("T1 unset", text);
        Assert.Contains("g1{open c1", text);                          // model-level state at a step
        Assert.Contains("reproduce: Configuration.Create().WithReproducibleTrace(\"TCE1:", text);
        Assert.Contains("replay: new ScenarioRunner(Scenarios.Get(\"device-fd-vs-unset\"), VariantCatalog.Get(\"literal-get-device-fd-check-then-inc\").CreateParts, " +
                        "new RunnerOptions { StateInvariants = false, LockDiscipline = false }, \"literal-get-device-fd-check-then-inc\").Replay(\"TCE1:", text);
        Assert.Contains("\", Configuration.Create().WithDataRaceDetection(false))", text);
        Assert.Equal(2, outcome.History.Count);
    }

    [Fact]
    [Spec("FIND-11")]
    public void A_bug_that_stops_calls_midway_reports_them_in_progress()
    {
        // The lock discipline stops the thread inside SET_CONTAINER: the call is reported as in progress.
        var outcome = Find11(RunnerOptions.Default).Run(Scale.Random(10));
        Assert.Equal(BugKind.AssertionFailure, outcome.Kind);
        Assert.NotEmpty(outcome.Pending);
        Assert.Contains("(in progress when the bug stopped the schedule)", outcome.ToString());
        Assert.True(outcome.Reproduced);
    }

    [Fact]
    [Spec("FIND-11", "INV-7")]
    public void A_trace_that_does_not_fit_the_program_reports_where_it_diverged()
    {
        var outcome = Find11().Run(Scale.Random(200).WithDataRaceDetection(false));
        var trace = ReproducibleTrace.Parse(outcome.Trace!);

        var cut = Find11().Replay(trace.Truncate(trace.Count / 2).ToString(), Configuration.Create().WithDataRaceDetection(false));
        Assert.Equal(BugKind.ReplayDivergence, cut.Kind);
        Assert.Contains("replay diverged at step", cut.Message);

        // The variant's schedule on the pristine implementation: the same decisions, but no bug (or a divergence).
        var pristine = new ScenarioRunner(Scenarios.DoubleSetContainer(), RunnerOptions.SemanticOnly)
            .Replay(outcome.Trace!, Configuration.Create().WithDataRaceDetection(false));
        Assert.True(pristine.Passed || pristine.Kind == BugKind.ReplayDivergence, pristine.ToString());
    }

    [Theory]
    [InlineData("random")]
    [InlineData("pct")]
    [InlineData("portfolio")]
    [Spec("LOCK-7", "INV-11")]
    public void Same_seed_gives_the_same_exploration_and_another_seed_another(string strategy)
    {
        TestReport Run(ulong seed) =>
            new ScenarioRunner(Scenarios.AttachEnableRelease()).Explore(Figures.StrategyConfiguration(strategy, seed, Scale.Iterations(60)));
        var a = Run(11);
        var b = Run(11);
        var c = Run(12);
        Assert.Equal(a.ExplorationFingerprint, b.ExplorationFingerprint);
        Assert.Equal(a.TotalSchedulingDecisions, b.TotalSchedulingDecisions);
        Assert.NotEqual(a.ExplorationFingerprint, c.ExplorationFingerprint);
    }

    [Fact]
    [Spec("FIND-9", "INV-1")]
    public void Same_seed_finds_the_same_bug_in_the_same_schedule()
    {
        ScenarioOutcome Run() => Target.Of(VariantCatalog.Get("literal-ownership-without-pool-locks")).Runner(Scenarios.OwnershipVsHostAlloc(), RunnerOptions.SemanticOnly)
            .Run(Scale.Pct(500, seed: 5).WithDataRaceDetection(false));
        var a = Run();
        var b = Run();
        Assert.False(a.Passed);
        Assert.Equal(a.Schedules, b.Schedules);
        Assert.Equal(a.Trace, b.Trace);
        Assert.Equal(a.Message, b.Message);
        Assert.Equal(a.Report.ExplorationFingerprint, b.Report.ExplorationFingerprint);
    }
}
