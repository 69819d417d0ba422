using TceVerify.Scheduling;
using Xunit;

namespace TceVerify.Tests.Scheduler;

public class DataChoiceTests
{
    [Fact]
    public void Dfs_enumerates_every_data_choice()
    {
        var seen = new HashSet<(int, bool)>();
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(100).WithDfsStrategy(0), ctx =>
        {
            ctx.Spawn("chooser", () => seen.Add((ControlledRuntime.RandomInt(3, "n"), ControlledRuntime.RandomBool("b"))));
        }).Run();

        Assert.True(report.IsExhausted);
        Assert.Equal(6, report.SchedulesExplored);
        Assert.Equal(6, seen.Count);
    }

    [Fact]
    public void Data_choices_are_recorded_and_replayed()
    {
        static void Test(IterationContext ctx) => ctx.Spawn("picker", () =>
        {
            int n = ControlledRuntime.RandomInt(10, "pick");
            ControlledRuntime.Assert(n != 7, "picked the unlucky number");
        });

        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(1000).WithRandomGeneratorSeed(9), Test).Run();
        Assert.Equal(BugKind.AssertionFailure, report.FirstBugKind);
        ReproducibleTrace trace = ReproducibleTrace.Parse(report.ReproducibleTrace!);
        Assert.Contains(TraceStep.Data(7), trace.Steps);
        Assert.Contains("pick -> 7", report.ReadableTrace);

        TestReport replay = new TestingEngine(Configuration.Create().WithReproducibleTrace(report.ReproducibleTrace!), Test).Run();
        Assert.Equal(report.FirstBugMessage, replay.FirstBugMessage);
    }

    [Fact]
    public void Workers_are_reused_across_iterations()
    {
        TestReport report = new TestingEngine(Configuration.Create().WithTestingIterations(500), Scenarios.Counter(withMutex: true)).Run();

        Assert.Null(report.FirstBug);
        Assert.Equal(500, report.Iterations);
        Assert.InRange(report.WorkerThreadsCreated, 1, 2);
    }
}
