using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// The non-linearizable histories that issue 11's generated threads found in code it did not change
/// (<see cref="PendingIssues"/>): each is still found on its scenario, recognised by its pattern and not already by
/// <see cref="KnownIssues"/>. When one is fixed, or folded into <see cref="KnownIssues"/>, its test fails: remove it.
/// </summary>
public class PendingIssueTests
{
    public static TheoryData<string> Issues()
    {
        var data = new TheoryData<string>();
        foreach (var (issue, _) in PendingIssues.All) data.Add(issue.Scenario);
        return data;
    }

    [Theory]
    [MemberData(nameof(Issues))]
    [Spec("LOCK-7", "INV-11", "FIND-13", "FIND-16", "FIND-18", "FIND-21")]
    public void Pending_issue_is_still_found(string scenario)
    {
        var (issue, s) = PendingIssues.All.Single(p => p.Issue.Scenario == scenario);
        Assert.False(Scenarios.TryGet(scenario, out _), "a pending issue's scenario must not join the pristine runs");
        var runner = new ScenarioRunner(s);
        var outcome = runner.Run(Configuration.Create().WithPortfolioStrategy().WithTestingIterations(500).WithRandomGeneratorSeed(Scale.Seed));
        if (outcome.Passed) outcome = runner.Run(Configuration.Create().WithDfsStrategy(2).WithTestingIterations(20_000));
        Assert.False(outcome.Passed, $"'{scenario}' no longer fails: remove it from PendingIssues. {outcome.Report.Summary}");
        Assert.Equal(BugKind.FinalCheckFailure, outcome.Kind);
        Assert.Equal(issue.Clause, outcome.Clause);
        Assert.True(outcome.Reproduced, outcome.ToString());
        Assert.True(issue.Shows(outcome.History), "the issue's history pattern does not recognise:\n" + outcome);
        Assert.False(KnownIssues.Explains(outcome.History), "KnownIssues now recognises it: remove it from PendingIssues");
        Assert.Matches(@"^FIND-(1[3-9]|2[01])$", issue.Finding);
    }
}
