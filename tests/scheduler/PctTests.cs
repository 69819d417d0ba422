using TceVerify.Scheduling;
using Xunit;

namespace TceVerify.Tests.Scheduler;

/// <summary>
/// PCT as the paper defines it (Burckhardt et al., ASPLOS 2010): change point k_i gives the thread about to run priority
/// i, and the k_i are drawn, not sorted, so a thread lowered later may rank below one lowered earlier. A rule that always
/// ranks the later-lowered thread above (sorted change points) can never switch back to a lowered thread while the
/// thread lowered after it can run, so it never finds a bug that needs two preemptions between two threads.
/// </summary>
public class PctTests
{
    private const string Failure = "both threads were preempted between their two steps";

    /// <summary>
    /// Two threads, each: step 1, a scheduling point, step 2. The failure is x1 y1 x2 y2: the first thread is preempted
    /// after its first step, the second after its own, and the first one, lowered earlier, must then run before the
    /// second, lowered later, can continue.
    /// </summary>
    private static void TwoPreemptions(IterationContext ctx)
    {
        var steps = new List<string>();
        foreach (string name in new[] { "a", "b" })
        {
            ctx.Spawn(name, () =>
            {
                steps.Add(name);
                ControlledRuntime.SchedulingPoint(name + ": between its steps");
                steps.Add(name);
            });
        }
        ctx.AddFinalCheck(() => steps[0] != steps[1] && steps[2] == steps[0] ? $"{Failure}: {string.Join(" ", steps)}" : null);
    }

    private static TestReport Run(Configuration configuration) =>
        new TestingEngine(configuration.WithDataRaceDetection(false), TwoPreemptions).Run();

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(4UL)]
    [InlineData(5UL)]
    public void Pct_of_depth_three_finds_a_bug_that_needs_the_later_lowered_thread_below_the_earlier_one(ulong seed)
    {
        // Three counted steps (the start and the two points between the steps), two change points: the failing schedule
        // needs them at steps 2 and 3 with step 3's priority below step 2's, 1 in 6 iterations once the length is known.
        TestReport report = Run(Configuration.Create().WithPctStrategy(3).WithRandomGeneratorSeed(seed).WithTestingIterations(200));

        Assert.Equal(BugKind.FinalCheckFailure, report.FirstBugKind);
        Assert.Contains(Failure, report.FirstBugMessage);
        Assert.InRange(report.FirstBug!.Iteration, 1, 199);
    }

    [Fact]
    public void Pct_of_depth_two_has_one_change_point_and_never_preempts_twice()
    {
        TestReport report = Run(Configuration.Create().WithPctStrategy(2).WithRandomGeneratorSeed(1).WithTestingIterations(2_000));

        Assert.Null(report.FirstBug);
        Assert.Equal(2_000, report.Iterations);
    }

    [Fact]
    public void The_same_seed_explores_the_same_schedules_and_the_failure_replays()
    {
        Configuration Config() => Configuration.Create().WithPctStrategy(3).WithRandomGeneratorSeed(7).WithTestingIterations(200);
        TestReport first = Run(Config());
        TestReport second = Run(Config());

        Assert.Equal(first.ExplorationFingerprint, second.ExplorationFingerprint);
        Assert.Equal(first.ReproducibleTrace, second.ReproducibleTrace);
        TestReport replay = Run(Configuration.Create().WithReproducibleTrace(first.ReproducibleTrace!));
        Assert.Equal(BugKind.FinalCheckFailure, replay.FirstBugKind);
        Assert.Equal(first.FirstBugMessage, replay.FirstBugMessage);
    }

    [Fact]
    public void A_yielding_spinner_lets_the_others_run_under_many_change_points()
    {
        // A yield sends the spinner below every priority, change points included, so the setter always gets to run.
        TestReport report = new TestingEngine(
            Configuration.Create().WithTestingIterations(300).WithMaxSchedulingSteps(500).WithPctStrategy(5).WithRandomGeneratorSeed(3), ctx =>
            {
                var flag = new ControlledAtomic("flag");
                ctx.Spawn("spinner", () => { while (flag.Read() == 0) ControlledRuntime.Yield("spin"); });
                ctx.Spawn("other", () => ControlledRuntime.SchedulingPoint("other"));
                ctx.Spawn("setter", () => flag.Set(1));
            }).Run();

        Assert.Null(report.FirstBug);
        Assert.Equal(0, report.IterationsHittingMaxSteps);
    }
}
