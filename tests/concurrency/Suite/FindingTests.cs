using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.TestKit;
using TceVerify.Variants;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// The concurrency-only findings (spec/findings.md FIND-9, FIND-11, FIND-12): on their schedules the pristine
/// implementation passes every check, and the literal variant is caught by each check that can see it, with the
/// clause the finding names: the lock discipline (the dropped lock), the race detector, the final invariants (what
/// the finding says breaks) and linearizability. DFS is deterministic, so the schedule counts are exact.
/// </summary>
public class FindingTests
{
    public static TheoryData<string, string, string> Findings => new()
    {
        // finding, variant, scenario
        { "FIND-9", "literal-ownership-without-pool-locks", "ownership-vs-host-alloc" },
        { "FIND-11", "literal-set-container-unlocked", "double-set-container" },
        { "FIND-12", "literal-get-device-fd-check-then-inc", "device-fd-vs-unset" },
    };

    static ScenarioOutcome RunCheck(string variant, string scenario, string check, Configuration config)
    {
        var runner = new ScenarioRunner(Scenarios.Get(scenario), VariantCatalog.Get(variant).CreateParts, ConcurrencyChecks.OptionsFor(check), variant);
        return runner.Run(ConcurrencyChecks.Configure(config, check));
    }

    [Theory]
    [MemberData(nameof(Findings))]
    [Spec("FIND-9", "FIND-11", "FIND-12", "LOCK-7", "INV-11")]
    public void Pristine_passes_the_finding_schedule_exhaustively(string finding, string variant, string scenario)
    {
        _ = (finding, variant);
        var outcome = new ScenarioRunner(Scenarios.Get(scenario)).Run(Configuration.Create().WithDfsStrategy(2).WithTestingIterations(20_000));
        Assert.True(outcome.Passed, outcome.ToString());
        Assert.True(outcome.Report.IsExhausted);
    }

    [Fact]
    [Spec("FIND-9", "LOCK-4", "LOCK-9", "INV-1", "INV-11")]
    public void FIND_9_take_over_without_pool_locks_is_caught_by_every_check_that_can_see_it()
    {
        const string v = "literal-ownership-without-pool-locks", s = "ownership-vs-host-alloc";
        var dfs = Configuration.Create().WithDfsStrategy(2).WithTestingIterations(5_000);

        var discipline = RunCheck(v, s, Checks.LockDiscipline, dfs);
        Assert.Equal(BugKind.AssertionFailure, discipline.Kind);
        // The take-over's first access is to a word of it_map, which every pool lock of the window guards (LOCK-9).
        Assert.Equal("LOCK-9", discipline.Clause);
        Assert.Contains("'table 1 it_map word 0'", discipline.Message);
        Assert.Equal(1, discipline.Schedules); // a dropped lock shows in every schedule, interleaved or not

        var race = RunCheck(v, s, Checks.DataRace, dfs);
        Assert.Equal(BugKind.DataRace, race.Kind);
        Assert.Contains("table 1", race.Message);

        // What the finding says breaks: the container owns a table with a live TCE into host memory (INV-1).
        var invariants = RunCheck(v, s, Checks.Invariants, dfs);
        Assert.Equal(BugKind.FinalCheckFailure, invariants.Kind);
        Assert.Equal("INV-1", invariants.Clause);
        Assert.Contains("points outside user memory", invariants.Message);
        Assert.True(invariants.Reproduced);

        var linearizability = RunCheck(v, s, Checks.Linearizability, dfs);
        Assert.Equal("INV-11", linearizability.Clause);
    }

    [Fact]
    [Spec("FIND-11", "LOCK-3", "INV-7", "INV-11")]
    public void FIND_11_set_container_without_group_lock_is_caught_by_every_check_that_can_see_it()
    {
        const string v = "literal-set-container-unlocked", s = "double-set-container";
        var dfs = Configuration.Create().WithDfsStrategy(2).WithTestingIterations(5_000);

        var discipline = RunCheck(v, s, Checks.LockDiscipline, dfs);
        Assert.Equal("LOCK-3", discipline.Clause);
        Assert.Contains("'group 1 lock'", discipline.Message);

        var race = RunCheck(v, s, Checks.DataRace, dfs);
        Assert.Equal(BugKind.DataRace, race.Kind);

        // The group lands in both containers' lists with container_users = 2 (INV-7).
        var invariants = RunCheck(v, s, Checks.Invariants, dfs);
        Assert.Equal("INV-7", invariants.Clause);
        Assert.Contains("users=2", invariants.Message);

        var linearizability = RunCheck(v, s, Checks.Linearizability, dfs);
        Assert.Equal("INV-11", linearizability.Clause);
        Assert.Contains("SET_CONTAINER", linearizability.Message);
    }

    [Fact]
    [Spec("FIND-12", "INV-7", "INV-11")]
    public void FIND_12_get_device_fd_check_then_increment_is_caught_by_the_checks_that_can_see_it()
    {
        const string v = "literal-get-device-fd-check-then-inc", s = "device-fd-vs-unset";
        var dfs = Configuration.Create().WithDfsStrategy(2).WithTestingIterations(5_000);

        // No lock is dropped, so the lock discipline has nothing to say: the bug is an atomicity violation.
        var discipline = RunCheck(v, s, Checks.LockDiscipline, dfs);
        Assert.True(discipline.Passed, discipline.ToString());
        Assert.True(discipline.Report.IsExhausted);

        var race = RunCheck(v, s, Checks.DataRace, dfs);
        Assert.Equal(BugKind.DataRace, race.Kind);

        // A group with no container and container_users = 1, or an open device without a container (INV-7).
        var invariants = RunCheck(v, s, Checks.Invariants, dfs);
        Assert.Equal("INV-7", invariants.Clause);

        var linearizability = RunCheck(v, s, Checks.Linearizability, dfs);
        Assert.Equal("INV-11", linearizability.Clause);
        Assert.Contains("GROUP_GET_DEVICE_FD", linearizability.Message);
    }
}
