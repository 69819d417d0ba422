using TceVerify.Scheduling;
using Xunit;

namespace TceVerify.Tests.Scheduler;

public class TraceTests
{
    private static TestReport FindLostUpdate() => new TestingEngine(
        Configuration.Create().WithTestingIterations(1000).WithRandomGeneratorSeed(11).WithRandomStrategy().WithDataRaceDetection(false),
        Scenarios.Counter(withMutex: false)).Run();

    private static TestReport Replay(string trace) => new TestingEngine(
        Configuration.Create().WithDataRaceDetection(false).WithReproducibleTrace(trace), Scenarios.Counter(withMutex: false)).Run();

    [Fact]
    public void Compact_trace_round_trips_with_its_settings()
    {
        TestReport report = FindLostUpdate();
        ReproducibleTrace trace = ReproducibleTrace.Parse(report.ReproducibleTrace!);

        Assert.Equal("random", trace.Strategy);
        Assert.Equal(11UL, trace.Seed);
        Assert.Equal(report.FirstBug!.Iteration, trace.Iteration);
        Assert.Equal(report.FirstBug.Steps, trace.Count);
        Assert.All(trace.Steps, s => Assert.False(s.IsDataChoice));
        Assert.Equal(report.ReproducibleTrace, trace.ToString());
    }

    [Fact]
    public void Replaying_a_tampered_trace_reports_where_it_diverged()
    {
        ReproducibleTrace trace = ReproducibleTrace.Parse(FindLostUpdate().ReproducibleTrace!);

        TestReport bogusThread = Replay(trace.WithStep(2, TraceStep.Thread(7)).ToString());
        Assert.Equal(BugKind.ReplayDivergence, bogusThread.FirstBugKind);
        Assert.StartsWith("replay diverged at step 3: the trace schedules thread 7 but it is not enabled", bogusThread.FirstBugMessage);

        TestReport dataInsteadOfThread = Replay(trace.WithStep(0, TraceStep.Data(1)).ToString());
        Assert.Equal(BugKind.ReplayDivergence, dataInsteadOfThread.FirstBugKind);
        Assert.StartsWith("replay diverged at step 1: the trace records a data choice", dataInsteadOfThread.FirstBugMessage);

        TestReport truncated = Replay(trace.Truncate(3).ToString());
        Assert.Equal(BugKind.ReplayDivergence, truncated.FirstBugKind);
        Assert.StartsWith("replay diverged at step 4: the trace ended after 3 steps", truncated.FirstBugMessage);
    }

    [Fact]
    public void Replaying_a_trace_longer_than_the_program_reports_divergence()
    {
        // inc0 runs start, read, write; then inc1 does the same; one extra step is left over.
        TraceStep[] steps = [.. new[] { 0, 0, 0, 1, 1, 1, 0 }.Select(TraceStep.Thread)];
        ReproducibleTrace longer = ReproducibleTrace.Create("hand-written", 0, 0, steps);

        TestReport report = Replay(longer.ToString());

        Assert.Equal(BugKind.ReplayDivergence, report.FirstBugKind);
        Assert.Equal("replay diverged at step 7: the program finished after 6 steps but the trace has 7", report.FirstBugMessage);
    }

    [Theory]
    [InlineData("hello", "expected it to start with 'TCE1:'")]
    [InlineData("TCE1:!!!", "not valid base64url")]
    [InlineData("TCE1:BnJhbmRvbSoBBgAC", "declares 6 steps but only 2 bytes follow")]
    public void Malformed_traces_give_a_clear_parse_error(string text, string expected)
    {
        var e = Assert.Throws<TraceFormatException>(() => ReproducibleTrace.Parse(text));
        Assert.Contains(expected, e.Message);
        Assert.False(ReproducibleTrace.TryParse(text, out _, out string? error));
        Assert.Contains(expected, error);
        Assert.Throws<TraceFormatException>(() => new TestingEngine(Configuration.Create().WithReproducibleTrace(text), _ => { }).Run());
    }

    [Fact]
    public void Same_seed_gives_identical_schedules_and_a_different_seed_does_not()
    {
        TestReport Run(ulong seed) => new TestingEngine(
            Configuration.Create().WithTestingIterations(300).WithRandomGeneratorSeed(seed), Scenarios.Counter(withMutex: true)).Run();

        TestReport a = Run(5), b = Run(5), c = Run(6);
        Assert.Equal(a.ExplorationFingerprint, b.ExplorationFingerprint);
        Assert.Equal(a.TotalSchedulingDecisions, b.TotalSchedulingDecisions);
        Assert.NotEqual(a.ExplorationFingerprint, c.ExplorationFingerprint);

        TestReport bug1 = FindLostUpdate(), bug2 = FindLostUpdate();
        Assert.Equal(bug1.ReproducibleTrace, bug2.ReproducibleTrace);
        Assert.Equal(bug1.ReadableTrace, bug2.ReadableTrace);
    }

    [Fact]
    public void Readable_trace_has_a_column_per_thread_and_the_state_per_step()
    {
        string text = FindLostUpdate().ReadableTrace!;

        Assert.Contains("step | setup", text);
        Assert.Contains("| T0 inc0", text);
        Assert.Contains("| T1 inc1", text);
        Assert.Contains("| state", text);
        Assert.Contains("read counter", text);
        Assert.Contains("counter=1", text);
        Assert.Contains("!! FinalCheckFailure", text);
        Assert.Contains("WithReproducibleTrace(\"TCE1:", text);
    }
}
