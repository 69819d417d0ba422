using System.Globalization;
using System.Text;

namespace TceVerify.Scheduling;

/// <summary>Statistics and the first bug of a <see cref="TestingEngine.Run"/>.</summary>
public sealed class TestReport
{
    internal TestReport(string strategy, ulong seed)
    {
        Strategy = strategy;
        Seed = seed;
    }

    /// <summary>Configured strategy ("portfolio", "random", "pct(d=3)", "dfs(pb=2)", "replay").</summary>
    public string Strategy { get; }

    public ulong Seed { get; }

    /// <summary>Iterations run, i.e. schedules explored (equal by construction).</summary>
    public int Iterations { get; internal set; }

    public int SchedulesExplored => Iterations;

    public long TotalSchedulingDecisions { get; internal set; }

    public long TotalDataChoices { get; internal set; }

    public int MaxDecisionsPerIteration { get; internal set; }

    /// <summary>Iterations cut at the step bound (when livelock is not reported as a bug).</summary>
    public int IterationsHittingMaxSteps { get; internal set; }

    public int BugsFound { get; internal set; }

    public BugReport? FirstBug { get; internal set; }

    public BugKind? FirstBugKind => FirstBug?.Kind;

    public string? FirstBugMessage => FirstBug?.Message;

    /// <summary>Compact trace of the first bug, for <see cref="Configuration.WithReproducibleTrace"/>.</summary>
    public string? ReproducibleTrace => FirstBug?.ReproducibleTrace;

    public string? ReadableTrace => FirstBug?.ReadableTrace;

    public TimeSpan Elapsed { get; internal set; }

    /// <summary>DFS only: every schedule within the preemption bound was explored.</summary>
    public bool IsExhausted { get; internal set; }

    /// <summary>Hash of every decision of every iteration: equal seeds and settings give equal values.</summary>
    public ulong ExplorationFingerprint { get; internal set; }

    /// <summary>OS threads the run created (they are reused across iterations).</summary>
    public int WorkerThreadsCreated { get; internal set; }

    public string Summary
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"strategy {Strategy}, seed {Seed}: {Iterations} iterations, {TotalSchedulingDecisions} scheduling decisions");
            if (TotalDataChoices > 0) sb.Append(CultureInfo.InvariantCulture, $", {TotalDataChoices} data choices");
            if (IterationsHittingMaxSteps > 0) sb.Append(CultureInfo.InvariantCulture, $", {IterationsHittingMaxSteps} cut at the step bound");
            sb.Append(CultureInfo.InvariantCulture, $", {BugsFound} bug(s), {Elapsed.TotalSeconds:0.###} s");
            if (IsExhausted) sb.Append(CultureInfo.InvariantCulture, $"; explored {SchedulesExplored} schedules; the space is exhausted");
            return sb.ToString();
        }
    }

    public override string ToString() => FirstBug is null ? Summary : Summary + Environment.NewLine + FirstBug.ReadableTrace;
}
