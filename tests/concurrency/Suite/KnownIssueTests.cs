using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// The pristine implementation's known non-linearizable histories (<see cref="KnownIssues"/>): each is still found,
/// with the clause recorded. When one is fixed (in the spec or the implementation) its test fails: remove the entry,
/// and the scenario joins the pristine runs.
/// </summary>
public class KnownIssueTests
{
    public static TheoryData<string> Issues()
    {
        var data = new TheoryData<string>();
        foreach (var i in KnownIssues.All) data.Add(i.Scenario);
        return data;
    }

    [Theory]
    [MemberData(nameof(Issues))]
    [Spec("LOCK-7", "LOCK-8", "INV-11", "FIND-13", "FIND-14", "FIND-15", "FIND-16", "FIND-17", "FIND-18")]
    public void Known_issue_is_still_found(string scenario)
    {
        var issue = KnownIssues.All.Single(i => i.Scenario == scenario);
        var runner = new ScenarioRunner(Scenarios.Get(scenario));
        var outcome = runner.Run(Configuration.Create().WithDfsStrategy(2).WithTestingIterations(20_000));
        Assert.False(outcome.Passed, $"'{scenario}' no longer fails: remove it from KnownIssues. {outcome.Report.Summary}");
        Assert.Equal(BugKind.FinalCheckFailure, outcome.Kind);
        Assert.Equal(issue.Clause, outcome.Clause);
        Assert.True(outcome.Reproduced, outcome.ToString());
        Assert.True(issue.Shows(outcome.History), "the issue's history pattern does not recognise:\n" + outcome);
        Assert.True(KnownIssues.Explains(outcome.History));
        if (issue.Finding is { } finding) Assert.Matches(@"^FIND-1[3-9]$", finding);
    }
}
