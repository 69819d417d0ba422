using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>hunt --iterations N spreads its budget over every scenario, and says exactly what it covered.</summary>
public sealed class HuntCoverageTests
{
    [Fact]
    public void A_small_budget_reaches_every_scenario()
    {
        var r = CliRunner.Run("hunt", "--format", "json", "--iterations", "600", "--workers", "1");
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        var json = r.Json();
        int scenarios = json.GetProperty("scenarios").GetInt32();
        Assert.True(scenarios > 200, $"{scenarios} scenarios");
        var per = json.GetProperty("schedulesByScenario").EnumerateObject().ToList();
        Assert.Equal(scenarios, per.Count);
        Assert.All(per, p => Assert.True(p.Value.GetInt64() >= 1, $"{p.Name}: {p.Value} schedules"));
        Assert.Equal(scenarios, json.GetProperty("scenariosExplored").GetInt32());
        Assert.Equal(600, per.Sum(p => p.Value.GetInt64()));
        Assert.Equal(600, json.GetProperty("schedules").GetInt64());
    }

    [Fact]
    public void A_budget_below_one_schedule_per_scenario_says_how_many_it_reached()
    {
        var r = CliRunner.Run("hunt", "--iterations", "40", "--workers", "1");
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        Assert.Matches(@"40 of \d{3} scenarios", r.Out);

        var json = CliRunner.Run("hunt", "--format", "json", "--iterations", "40", "--workers", "1").Json();
        Assert.Equal(40, json.GetProperty("scenariosExplored").GetInt32());
    }
}
