using TceVerify.Scheduling;
using Xunit;

namespace TceVerify.Tests.Scheduler;

public class CounterTests
{
    private static Configuration LostUpdateConfig() =>
        Configuration.Create().WithTestingIterations(1000).WithRandomGeneratorSeed(42).WithDataRaceDetection(false);

    public static TheoryData<string> Strategies => new() { "random", "pct", "dfs", "portfolio" };

    private static Configuration With(Configuration c, string strategy) => strategy switch
    {
        "random" => c.WithRandomStrategy(),
        "pct" => c.WithPctStrategy(2),
        "dfs" => c.WithDfsStrategy(int.MaxValue),
        _ => c.WithPortfolioStrategy(),
    };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Lost_update_is_found_and_its_trace_replays_to_the_same_failure(string strategy)
    {
        TestReport report = new TestingEngine(With(LostUpdateConfig(), strategy), Scenarios.Counter(withMutex: false)).Run();

        Assert.Equal(1, report.BugsFound);
        Assert.Equal(BugKind.FinalCheckFailure, report.FirstBugKind);
        Assert.Contains("lost update: counter = 1", report.FirstBugMessage);
        Assert.StartsWith(ReproducibleTrace.Prefix, report.ReproducibleTrace);
        Assert.Contains("T0 inc0", report.ReadableTrace);
        Assert.Contains("counter=1", report.ReadableTrace);

        TestReport replay = new TestingEngine(
            Configuration.Create().WithDataRaceDetection(false).WithReproducibleTrace(report.ReproducibleTrace!),
            Scenarios.Counter(withMutex: false)).Run();
        Assert.Equal(1, replay.Iterations);
        Assert.Equal(report.FirstBugKind, replay.FirstBugKind);
        Assert.Equal(report.FirstBugMessage, replay.FirstBugMessage);
        Assert.Equal(report.ReproducibleTrace, replay.ReproducibleTrace);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Unsynchronized_counter_is_reported_as_a_data_race(string strategy)
    {
        TestReport report = new TestingEngine(
            With(Configuration.Create().WithTestingIterations(100), strategy), Scenarios.Counter(withMutex: false)).Run();

        Assert.Equal(BugKind.DataRace, report.FirstBugKind);
        Assert.Contains("data race on 'counter'", report.FirstBugMessage);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Counter_under_a_mutex_passes(string strategy)
    {
        TestReport report = new TestingEngine(
            With(Configuration.Create().WithTestingIterations(200).WithRandomGeneratorSeed(7), strategy), Scenarios.Counter(withMutex: true)).Run();

        Assert.Null(report.FirstBug);
        Assert.True(report.Iterations > 0);
    }

    // Each thread runs 4 segments separated by decisions: start..lock, lock..read, read..write,
    // write+unlock..end. The critical sections (lock, read, write) of the two threads cannot
    // interleave, so one thread's whole section comes first; the other thread's start segment can
    // go in any of 5 slots before its own lock (before the first thread's start, after it, after
    // its lock, after its read, after its write). 2 orders x 5 slots = 10 schedules.
    // Preemptions per slot: 1, 2, 1, 1, 0 (switching away from a blocked or finished thread is
    // free), so bound 0 keeps 2 schedules and bound 1 keeps 8.
    [Theory]
    [InlineData(int.MaxValue, 10)]
    [InlineData(2, 10)]
    [InlineData(1, 8)]
    [InlineData(0, 2)]
    public void Dfs_exhausts_the_mutex_counter_with_an_exact_schedule_count(int preemptionBound, int expected)
    {
        TestReport report = new TestingEngine(
            Configuration.Create().WithTestingIterations(10_000).WithDfsStrategy(preemptionBound), Scenarios.Counter(withMutex: true)).Run();

        Assert.Null(report.FirstBug);
        Assert.True(report.IsExhausted);
        Assert.Equal(expected, report.SchedulesExplored);
        Assert.Contains($"explored {expected} schedules; the space is exhausted", report.Summary);
    }

    [Fact]
    public void Dfs_without_a_mutex_explores_all_interleavings_of_three_segments()
    {
        // 3 segments per thread (start..read, read..write, write..end): C(6,3) = 20 interleavings.
        TestReport report = new TestingEngine(
            Configuration.Create().WithTestingIterations(10_000).WithDfsStrategy(int.MaxValue).WithDataRaceDetection(false).WithStopAtFirstBug(false),
            Scenarios.Counter(withMutex: false)).Run();

        Assert.True(report.IsExhausted);
        Assert.Equal(20, report.SchedulesExplored);
        // With the checks on and stopping disabled, every schedule where both reads precede the first write fails.
        Assert.Equal(LostUpdateSchedules(), report.BugsFound);
    }

    /// <summary>Brute-force count of interleavings of a0 a1 a2 / b0 b1 b2 where both reads (x1) precede both writes (x2).</summary>
    private static int LostUpdateSchedules()
    {
        int count = 0;
        for (int mask = 0; mask < 64; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) != 3) continue;
            int a = 0, b = 0, reads = 0, readsAtFirstWrite = -1;
            for (int i = 0; i < 6; i++)
            {
                int seg = (mask >> i & 1) == 1 ? a++ : b++;
                if (seg == 1) reads++;
                if (seg == 2 && readsAtFirstWrite < 0) readsAtFirstWrite = reads;
            }
            if (readsAtFirstWrite == 2) count++;
        }
        return count;
    }
}
