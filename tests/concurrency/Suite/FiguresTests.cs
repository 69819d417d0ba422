using System.Text;
using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.TestKit;
using TceVerify.Variants;
using Xunit;
using Xunit.Abstractions;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// The figures of the closing note (src/TceConcurrency/Figures.cs). By default a quick version checks that the
/// measurements work; with CONCURRENCY_FIGURES=1 the full tables are computed and printed (run with
/// <c>--logger "console;verbosity=detailed"</c>, or set CONCURRENCY_FIGURES_OUT to a file path). No timing is asserted.
/// </summary>
public class FiguresTests(ITestOutputHelper output)
{
    static bool Full => Environment.GetEnvironmentVariable("CONCURRENCY_FIGURES") == "1";

    void Emit(string text)
    {
        output.WriteLine(text);
        if (Environment.GetEnvironmentVariable("CONCURRENCY_FIGURES_OUT") is { Length: > 0 } path) File.AppendAllText(path, text + Environment.NewLine);
    }

    [Fact]
    [Spec("LOCK-7", "INV-11")]
    public void Throughput_on_the_standard_scenario()
    {
        var scenario = Scenarios.AttachEnableRelease();
        int n = Full ? 5_000 : 100;
        var rows = new List<Figures.Throughput>
        {
            Figures.Sequential(scenario, Full ? 20_000 : 200),
            Figures.Measure("random, every check", new ScenarioRunner(scenario), Figures.StrategyConfiguration("random", 1, n)),
            Figures.Measure("random, engine checks only", new ScenarioRunner(scenario, (Variant?)null, RunnerOptions.EngineOnly), Figures.StrategyConfiguration("random", 1, n)),
            Figures.Measure("pct(d=3), every check", new ScenarioRunner(scenario), Figures.StrategyConfiguration("pct", 1, n)),
            Figures.Measure("portfolio, every check", new ScenarioRunner(scenario), Figures.StrategyConfiguration("portfolio", 1, n)),
            Figures.Measure($"dfs(pb={(Full ? 2 : 1)}), every check", new ScenarioRunner(scenario), Configuration.Create().WithDfsStrategy(Full ? 2 : 1).WithTestingIterations(1_000_000)),
            Figures.Measure($"dfs(pb={(Full ? 2 : 1)}), engine checks only", new ScenarioRunner(scenario, (Variant?)null, RunnerOptions.EngineOnly), Configuration.Create().WithDfsStrategy(Full ? 2 : 1).WithTestingIterations(1_000_000)),
        };
        foreach (var r in rows) Emit(r.ToString());
        Assert.All(rows.Skip(1), r => Assert.True(r.Decisions > r.Schedules, r.ToString()));
        Assert.True(rows[5].Exhausted && rows[6].Exhausted);
        Assert.Equal(rows[5].Schedules, rows[6].Schedules); // the checks do not change the schedule space
    }

    public static TheoryData<string> Variants()
    {
        var data = new TheoryData<string>();
        foreach (var v in VariantCatalog.Catalog.Where(v => v.ConcurrencyOnly)) data.Add(v.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    [Spec("FIND-9", "FIND-11", "FIND-12", "INV-8", "INV-11")]
    public void Schedules_to_first_failure_per_strategy(string name)
    {
        var v = VariantCatalog.Get(name);
        var scenario = Scenarios.Get(v.Expected.Scenarios[0]);
        int seeds = Full ? 10 : 1, max = Full ? 5_000 : 300;
        var sb = new StringBuilder();
        var rows = new List<Figures.FirstFailure>();
        foreach (string? check in Full ? new[] { null, v.Expected.Check, Figures.Semantic }.Distinct() : new string?[] { null })
            foreach (var strategy in Figures.Strategies)
            {
                var row = Figures.SchedulesToFirstFailure(v, scenario, check, strategy, seeds, max);
                rows.Add(row);
                sb.AppendLine(row.ToString());
            }
        Emit(sb.ToString().TrimEnd());
        // With every check on, some strategy finds it within the budget (which one is what the figures measure).
        Assert.Contains(rows, r => r.Check == "all" && r.PerSeed.Any(x => x is not null));
    }
}
