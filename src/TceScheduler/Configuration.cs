namespace TceVerify.Scheduling;

/// <summary>Fluent settings for a <see cref="TestingEngine"/> run (Coyote's vocabulary).</summary>
public sealed class Configuration
{
    /// <summary>Default seed: fixed, so that runs are reproducible unless a seed is chosen.</summary>
    public const ulong DefaultSeed = 0x7CE5EEDUL;

    private Configuration() { }

    public static Configuration Create() => new();

    public int TestingIterations { get; private set; } = 100;

    public int MaxSchedulingSteps { get; private set; } = 10_000;

    /// <summary>True (default): exceeding the step bound is a livelock bug; false: the iteration is just cut.</summary>
    public bool ReportLivelockAsBug { get; private set; } = true;

    public ulong RandomGeneratorSeed { get; private set; } = DefaultSeed;

    public StrategyKind Strategy { get; private set; } = StrategyKind.Portfolio;

    /// <summary>PCT bug depth d (d-1 priority change points).</summary>
    public int PctBugDepth { get; private set; } = 3;

    /// <summary>DFS preemption bound; <see cref="int.MaxValue"/> = unbounded.</summary>
    public int DfsPreemptionBound { get; private set; } = 2;

    public string? ReproducibleTrace { get; private set; }

    /// <summary>How long a logical thread may run without reaching a scheduling point before the run is reported as
    /// uncontrolled blocking. Nothing really blocks under a controlled layer, so only a loaded machine (a whole test
    /// suite on 2 cores) comes near it: the default is generous, and only a test of the watchdog itself lowers it.</summary>
    public TimeSpan UncontrolledBlockingTimeout { get; private set; } = DefaultUncontrolledBlockingTimeout;

    /// <summary>20 s: a thread starved by a loaded machine (2 s was seen to be too short) is never taken for a hang.</summary>
    public static TimeSpan DefaultUncontrolledBlockingTimeout { get; } = TimeSpan.FromSeconds(20);

    public bool DataRaceDetection { get; private set; } = true;

    public bool StopAtFirstBug { get; private set; } = true;

    /// <summary>Re-run a failing schedule once with state description to build the readable trace.</summary>
    public bool ReadableTraceOnBug { get; private set; } = true;

    public Configuration WithTestingIterations(int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        TestingIterations = iterations;
        return this;
    }

    public Configuration WithMaxSchedulingSteps(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        MaxSchedulingSteps = steps;
        return this;
    }

    /// <summary>false: an iteration that hits the step bound is cut silently (counted in the report).</summary>
    public Configuration WithLivelockAsBug(bool reportAsBug)
    {
        ReportLivelockAsBug = reportAsBug;
        return this;
    }

    public Configuration WithRandomGeneratorSeed(ulong seed)
    {
        RandomGeneratorSeed = seed;
        return this;
    }

    public Configuration WithRandomStrategy()
    {
        Strategy = StrategyKind.Random;
        return this;
    }

    public Configuration WithPctStrategy(int bugDepth = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bugDepth, 1);
        Strategy = StrategyKind.Pct;
        PctBugDepth = bugDepth;
        return this;
    }

    /// <param name="preemptionBound">Max preemptions per schedule; <see cref="int.MaxValue"/> for unbounded.</param>
    public Configuration WithDfsStrategy(int preemptionBound = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(preemptionBound);
        Strategy = StrategyKind.Dfs;
        DfsPreemptionBound = preemptionBound;
        return this;
    }

    public Configuration WithPortfolioStrategy()
    {
        Strategy = StrategyKind.Portfolio;
        return this;
    }

    /// <summary>Replays one recorded schedule (compact form from a report) instead of exploring.</summary>
    public Configuration WithReproducibleTrace(string trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ReproducibleTrace = trace;
        return this;
    }

    public Configuration WithUncontrolledBlockingTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.FromMilliseconds(1));
        UncontrolledBlockingTimeout = timeout;
        return this;
    }

    public Configuration WithDataRaceDetection(bool enabled)
    {
        DataRaceDetection = enabled;
        return this;
    }

    /// <summary>false: keep exploring after a bug (the report keeps the first one and counts all).</summary>
    public Configuration WithStopAtFirstBug(bool stop)
    {
        StopAtFirstBug = stop;
        return this;
    }

    public Configuration WithReadableTraceOnBug(bool enabled)
    {
        ReadableTraceOnBug = enabled;
        return this;
    }

    /// <summary>Configured strategy as shown in reports ("portfolio", "random", "pct(d=3)", "dfs(pb=2)").</summary>
    public string StrategyDescription => Strategy switch
    {
        StrategyKind.Random => "random",
        StrategyKind.Pct => $"pct(d={PctBugDepth})",
        StrategyKind.Dfs => DfsPreemptionBound == int.MaxValue ? "dfs(pb=inf)" : $"dfs(pb={DfsPreemptionBound})",
        _ => "portfolio",
    };

    internal ISchedulingStrategy CreateStrategy()
    {
        var rng = new SplitMix64(RandomGeneratorSeed);
        return Strategy switch
        {
            StrategyKind.Random => new RandomStrategy(rng),
            StrategyKind.Pct => new PctStrategy(rng, PctBugDepth),
            StrategyKind.Dfs => new DfsStrategy(DfsPreemptionBound),
            _ => new PortfolioStrategy(rng),
        };
    }
}
