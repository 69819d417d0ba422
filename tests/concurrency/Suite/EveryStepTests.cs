using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.TestKit;
using TceVerify.Variants;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// The invariants marked "always" (INV-1 isolation, INV-2 window confinement) checked at every scheduling step, and
/// INV-6 (clean hand-over) at the exact step where a table changes owner, not only at the end.
/// </summary>
public class EveryStepTests
{
    static readonly RunnerOptions EveryStep = RunnerOptions.Default with { EveryStep = true };

    public static TheoryData<string> Ownership => new()
    {
        "attach-enable-release", "ownership-vs-host-alloc", "release-vs-host-alloc", "exit-vs-passed-user", "two-containers",
    };

    [Theory]
    [MemberData(nameof(Ownership))]
    [Spec("INV-1", "INV-2", "INV-6", "LOCK-4")]
    public void Always_invariants_hold_at_every_step_on_pristine(string scenario)
    {
        var outcome = new ScenarioRunner(Scenarios.Get(scenario), EveryStep).Run(Scale.Portfolio(60));
        Assert.True(outcome.Passed, outcome.ToString());
    }

    [Fact]
    [Spec("FIND-9", "INV-1", "LOCK-4")]
    public void FIND_9_host_tce_in_a_container_table_is_seen_at_the_step_it_appears()
    {
        // Only the step invariants: no lock discipline, no race detection, no final checks.
        var options = RunnerOptions.EngineOnly with { EveryStep = true };
        var runner = new ScenarioRunner(Scenarios.OwnershipVsHostAlloc(), VariantCatalog.Get("literal-ownership-without-pool-locks").CreateParts, options, "literal-ownership-without-pool-locks");
        var outcome = runner.Run(Configuration.Create().WithDfsStrategy(2).WithTestingIterations(5_000).WithDataRaceDetection(false));
        Assert.Equal(BugKind.InvariantViolation, outcome.Kind);
        Assert.Equal("INV-1", outcome.Clause);
        Assert.Contains("points outside user memory", outcome.Message);
        Assert.Contains("host_alloc group 1 pages 1 (in progress)", outcome.Message); // the host has written its TCE, not yet returned
    }
}
