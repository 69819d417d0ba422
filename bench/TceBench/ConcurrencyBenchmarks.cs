using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.Variants;

namespace TceVerify.Bench;

/// <summary>
/// The controlled scheduler on the standard 3-thread scenario (attach-enable-release: SET_IOMMU, ENABLE and the
/// group fd's release race): one operation is one schedule, so the Mean is the time per schedule and the
/// "schedules/s" and "decisions/s" columns are derived from it (decisions per schedule are counted once, outside the
/// measurement; the explorations are deterministic). The baseline runs the same prefix and calls one after the other
/// on a fresh system with the real primitives, no scheduler and no checks: the Ratio column is the cost of control.
/// Each invocation explores <see cref="Schedules"/> schedules with a fresh engine (DFS: the first ones of its
/// bound-2 tree).
/// </summary>
[Config(typeof(ConcurrencyConfig))]
public class ConcurrencyBenchmarks
{
    public const int Schedules = 200;

    static readonly ConcurrentScenario Scenario = Scenarios.AttachEnableRelease();
    ScenarioRunner _full = null!, _engineOnly = null!;

    [GlobalSetup]
    public void Setup()
    {
        _full = new ScenarioRunner(Scenario);
        _engineOnly = new ScenarioRunner(Scenario, RunnerOptions.EngineOnly);
    }

    internal static Configuration Random() => Configuration.Create().WithRandomStrategy().WithRandomGeneratorSeed(1).WithTestingIterations(Schedules);
    internal static Configuration Dfs() => Configuration.Create().WithDfsStrategy(2).WithTestingIterations(Schedules);

    [Benchmark(Baseline = true, OperationsPerInvoke = Schedules, Description = "sequential, no scheduler")]
    public long Sequential()
    {
        long sum = 0;
        for (int i = 0; i < Schedules; i++) sum += Figures.RunSequentially(Scenario);
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Schedules, Description = "random, every check")]
    public long RandomEveryCheck() => _full.Explore(Random()).TotalSchedulingDecisions;

    [Benchmark(OperationsPerInvoke = Schedules, Description = "random, engine checks")]
    public long RandomEngineOnly() => _engineOnly.Explore(Random()).TotalSchedulingDecisions;

    [Benchmark(OperationsPerInvoke = Schedules, Description = "dfs(pb=2), every check")]
    public long DfsEveryCheck() => _full.Explore(Dfs()).TotalSchedulingDecisions;

    [Benchmark(OperationsPerInvoke = Schedules, Description = "dfs(pb=2), engine checks")]
    public long DfsEngineOnly() => _engineOnly.Explore(Dfs()).TotalSchedulingDecisions;

    /// <summary>Scheduling decisions per schedule of each benchmark (0 for the baseline), counted once.</summary>
    internal static double DecisionsPerSchedule(string method)
    {
        return Cache.GetOrAdd(method, m =>
        {
            var engineOnly = new ScenarioRunner(Scenario, RunnerOptions.EngineOnly);
            TestReport? r = m switch
            {
                nameof(RandomEveryCheck) or nameof(RandomEngineOnly) => engineOnly.Explore(Random()),
                nameof(DfsEveryCheck) or nameof(DfsEngineOnly) => engineOnly.Explore(Dfs()),
                _ => null,
            };
            return r is null ? 0 : (double)r.TotalSchedulingDecisions / r.Iterations;
        });
    }

    static readonly ConcurrentDictionary<string, double> Cache = new();
}

/// <summary>Adds the derived throughput columns.</summary>
public sealed class ConcurrencyConfig : ManualConfig
{
    public ConcurrencyConfig()
    {
        AddColumn(new RateColumn("schedules/s", _ => 1));
        AddColumn(new RateColumn("decisions/s", ConcurrencyBenchmarks.DecisionsPerSchedule));
        AddColumn(new RateColumn("decisions/schedule", ConcurrencyBenchmarks.DecisionsPerSchedule, perSecond: false));
    }

    sealed class RateColumn(string name, Func<string, double> perOperation, bool perSecond = true) : IColumn
    {
        public string Id => "Concurrency." + name;
        public string ColumnName => name;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => perSecond ? $"{name} derived from the Mean (one operation = one schedule)" : "scheduling decisions per schedule";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            double per = perOperation(benchmarkCase.Descriptor.WorkloadMethod.Name);
            if (!perSecond) return per == 0 ? "-" : per.ToString("0.0", CultureInfo.InvariantCulture);
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats || per == 0) return "-";
            return (per * 1e9 / stats.Mean).ToString("N0", CultureInfo.InvariantCulture);
        }
    }
}
