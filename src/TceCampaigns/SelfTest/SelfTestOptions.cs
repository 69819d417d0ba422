using TceVerify.Scheduling;

namespace TceVerify.Campaigns;

/// <summary>
/// The fixed budgets and seeds of a self-test run. Every entry gets the same budget; it stops at the first failure,
/// so a caught entry costs only what it took to catch it. Defaults fit the CI budget (the whole catalog in a few
/// minutes on 2 cores); <see cref="Scaled"/> (TCEVERIFY_SELFTEST_SCALE) multiplies the budgets for a deeper run.
/// </summary>
public sealed record SelfTestOptions
{
    public const string ScaleVariable = "TCEVERIFY_SELFTEST_SCALE";

    /// <summary>Generated programs tried per sequential entry, after the hand-written finding scripts (15 rounds of the 8
    /// workloads on the 4 narrow platforms; an entry stops at its first failure, most within the first round).</summary>
    public int GeneratedPrograms { get; init; } = 480;

    /// <summary>Generated programs on the wide machine (issue 11), after the first round of those: 8 rounds of the 8 workloads.</summary>
    public int WidePrograms { get; init; } = 64;

    /// <summary>Commands per generated program.</summary>
    public int ProgramLength { get; init; } = 60;

    /// <summary>Seed of the first generated program (program i uses Seed + i).</summary>
    public int Seed { get; init; } = 20121123;

    /// <summary>Schedules explored per scenario of a concurrency-only entry by the portfolio strategy (random and PCT).</summary>
    public int Schedules { get; init; } = 300;

    /// <summary>Schedules explored per scenario by bounded DFS, after the portfolio found nothing.</summary>
    public int DfsSchedules { get; init; } = 2_000;

    /// <summary>Preemption bound of that DFS.</summary>
    public int DfsPreemptionBound { get; init; } = 2;

    /// <summary>Seed of the controlled scheduler.</summary>
    public ulong ScheduleSeed { get; init; } = Configuration.DefaultSeed;

    /// <summary>Scheduling steps per schedule before it is cut.</summary>
    public int MaxSchedulingSteps { get; init; } = 5_000;

    /// <summary>Generated programs the pristine implementation must pass under every check at once.</summary>
    public int PristinePrograms { get; init; } = 256;

    /// <summary>Schedules per scenario the pristine implementation must pass under every check at once.</summary>
    public int PristineSchedules { get; init; } = 300;

    /// <summary>Shrink a failing program (with the check that caught it) to report the shortest one found.</summary>
    public bool Shrink { get; init; } = true;

    /// <summary>Candidate programs a shrink may try.</summary>
    public int ShrinkBudget { get; init; } = 400;

    /// <summary>When an entry escapes its recorded check, run every other check to say which one catches it.</summary>
    public bool Diagnose { get; init; } = true;

    /// <summary>Generated programs each check gets in a diagnosis.</summary>
    public int DiagnosePrograms { get; init; } = 96;

    /// <summary>Entries checked at once.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>Stops a run within one program or one schedule (what was cut short is then not a verdict).</summary>
    public CancellationToken Cancel { get; init; }

    public static SelfTestOptions Default { get; } = new();

    /// <summary>Every budget times <paramref name="factor"/> (shrinking and seeds unchanged).</summary>
    public SelfTestOptions Scaled(int factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        return this with
        {
            GeneratedPrograms = GeneratedPrograms * factor,
            WidePrograms = WidePrograms * factor,
            Schedules = Schedules * factor,
            DfsSchedules = DfsSchedules * factor,
            PristinePrograms = PristinePrograms * factor,
            PristineSchedules = PristineSchedules * factor,
        };
    }

    /// <summary>The defaults scaled by TCEVERIFY_SELFTEST_SCALE (1 when unset).</summary>
    public static SelfTestOptions FromEnvironment()
    {
        var s = Environment.GetEnvironmentVariable(ScaleVariable);
        if (string.IsNullOrWhiteSpace(s)) return Default;
        if (!int.TryParse(s, out var n) || n < 1)
            throw new ArgumentException($"{ScaleVariable} must be a positive whole number, got '{s}'");
        return Default.Scaled(n);
    }
}
