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
            Figures.Measure("random, engine checks only", new ScenarioRunner(scenario, RunnerOptions.EngineOnly), Figures.StrategyConfiguration("random", 1, n)),
            Figures.Measure("pct(d=3), every check", new ScenarioRunner(scenario), Figures.StrategyConfiguration("pct", 1, n)),
            Figures.Measure("portfolio, every check", new ScenarioRunner(scenario), Figures.StrategyConfiguration("portfolio", 1, n)),
            Figures.Measure($"dfs(pb={(Full ? 2 : 1)}), every check", new ScenarioRunner(scenario), Configuration.Create().WithDfsStrategy(Full ? 2 : 1).WithTestingIterations(1_000_000)),
            Figures.Measure($"dfs(pb={(Full ? 2 : 1)}), engine checks only", new ScenarioRunner(scenario, RunnerOptions.EngineOnly), Configuration.Create().WithDfsStrategy(Full ? 2 : 1).WithTestingIterations(1_000_000)),
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
        // Every check on, except the costly every-step invariants, which run only for the entries recorded with them.
        string? check = v.Expected.Check == ConcurrencyChecks.EveryStep ? v.Expected.Check : null;
        var rows = Figures.PerStrategy(v, Scenarios.Get(v.Expected.Scenarios[0]), check, 1, 1000);
        Emit(string.Join(Environment.NewLine, rows));
        // Some strategy finds it within the budget (which one is what the figures measure).
        Assert.Contains(rows, r => r.Check == (check ?? "all") && r.Found > 0);
    }

    /// <summary>Seeds and budget of the full table (docs/catalog.md, "Schedules to first failure").</summary>
    public const int FullSeeds = 10, FullMaxSchedules = 5_000;

    /// <summary>
    /// The table of docs/catalog.md, "Schedules to first failure": every concurrency-only entry on each of its recorded
    /// scenarios, with the semantic checks only (final invariants and linearizability; no lock discipline, no race
    /// detection) and with its recorded check alone; per strategy the median over 10 seeds of the schedules to the first
    /// failure, at most 5,000 per seed. By default a small version (two entries, 2 seeds, 200 schedules) checks the table;
    /// CONCURRENCY_FIGURES=1 computes the full one (CONCURRENCY_FIGURES_ENTRIES=a,b limits it to some entries).
    /// </summary>
    [Fact]
    [Spec("INV-8", "INV-11")]
    public void Schedules_to_first_failure_table()
    {
        var entries = Full
            ? VariantCatalog.Select(Environment.GetEnvironmentVariable("CONCURRENCY_FIGURES_ENTRIES"))
            : VariantCatalog.Select("no-mutex-on-enable,ownership-pools-descending");
        int seeds = Full ? FullSeeds : 2, max = Full ? FullMaxSchedules : 200;
        var rows = new List<Figures.FirstFailure>();
        foreach (var (v, scenario) in Figures.RecordedScenarios(entries))
            foreach (string check in new[] { Figures.Semantic, v.Expected.Check })
                rows.AddRange(Figures.PerStrategy(v, scenario, check, seeds, max));
        string table = Figures.FirstFailureTable(rows, max);
        Emit(table);
        var lines = table.Split('\n');
        int pairs = Figures.RecordedScenarios(entries).Count();
        Assert.Equal(2 + 2 * pairs, lines.Length);
        Assert.All(lines.Skip(2), l => Assert.Equal(Figures.Strategies.Count + 5, l.Count(c => c == '|')));
        // The recorded check is the one the self-test proves catches each entry: some strategy finds it.
        Assert.All(entries.Where(v => v.ConcurrencyOnly), v => Assert.Contains(rows, r => r.Variant == v.Name && r.Check == v.Expected.Check && r.Found > 0));
    }

    /// <summary>
    /// The table of docs/catalog.md, "Semantic-only: harm shown": every entry that only the lock checker or the race
    /// detector catches, on each of its harm scenarios with the semantic checks only (final invariants, linearizability,
    /// deadlock; the lock checker and the race detector off), per strategy the median over 10 seeds of the schedules to the
    /// harm, at most 5,000 per seed; or why it has no harm to show. By default a small version (2 seeds, 200 schedules);
    /// CONCURRENCY_FIGURES=1 computes the full one.
    /// </summary>
    [Fact]
    [Spec("INV-4", "INV-8", "INV-11")]
    public void Semantic_only_harm_table()
    {
        int seeds = Full ? FullSeeds : 2, max = Full ? FullMaxSchedules : 200;
        var rows = Figures.MeasureHarms(VariantCatalog.Catalog, seeds, max);
        string table = Figures.HarmTable(rows, max);
        Emit(table);
        Assert.Equal(2 + rows.Count, table.Split('\n').Length);
        Assert.Contains(rows, r => r.Scenario is null);
        // A recorded harm is found by some strategy, as its recorded check and clause.
        Assert.All(rows.Where(r => r.Scenario is not null), r =>
            Assert.Contains(r.PerStrategy, f => f.Found > 0 && f.FirstKind == $"{r.Variant.Harm!.Check} {r.Variant.Harm.Clause}"));
    }
}
