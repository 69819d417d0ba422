using System.Diagnostics;

namespace TceVerify.Scheduling;

/// <summary>
/// Runs a concurrency test many times under a controlled scheduler (Coyote's TestingEngine).
/// The test body runs once per iteration on the caller's thread: it builds fresh state, spawns
/// 2-4 logical threads and registers checks; the threads then run one at a time.
/// </summary>
public sealed class TestingEngine
{
    private readonly Configuration _configuration;
    private readonly Action<IterationContext> _test;
    private ControlledRuntime _runtime = null!;

    public TestingEngine(Configuration configuration, Action<IterationContext> test)
    {
        _configuration = configuration ?? throw new ArgumentNullException(nameof(configuration));
        _test = test ?? throw new ArgumentNullException(nameof(test));
    }

    /// <exception cref="TraceFormatException">The configured reproducible trace cannot be parsed.</exception>
    public TestReport Run()
    {
        ReproducibleTrace? trace = _configuration.ReproducibleTrace is { } text ? ReproducibleTrace.Parse(text) : null;
        var clock = Stopwatch.StartNew();
        _runtime = new ControlledRuntime(_configuration);
        int workers = 0;
        TestReport report;
        try
        {
            report = trace is null ? Explore() : Replay(trace);
        }
        finally
        {
            workers += _runtime.WorkersCreated;
            _runtime.Shutdown();
        }
        report.Elapsed = clock.Elapsed;
        report.WorkerThreadsCreated += workers;
        return report;
    }

    private TestReport Explore()
    {
        ISchedulingStrategy strategy = _configuration.CreateStrategy();
        var report = new TestReport(_configuration.StrategyDescription, _configuration.RandomGeneratorSeed);
        ulong fingerprint = 14695981039346656037UL;
        for (int i = 0; i < _configuration.TestingIterations; i++)
        {
            if (!strategy.PrepareIteration(i)) break;
            string description = strategy.Description;
            IterationOutcome outcome = _runtime.RunIteration(_test, strategy, i, verbose: false);
            strategy.IterationEnded();
            fingerprint = _runtime.Trace.Hash(fingerprint);
            Count(report, outcome);
            if (outcome.BugKind is { } kind)
            {
                report.BugsFound++;
                report.FirstBug ??= DescribeBug(outcome, kind, i, description, null, outcome.Abandoned);
                if (outcome.Abandoned) ReplaceRuntime(report);
                if (_configuration.StopAtFirstBug) break;
            }
            else if (_runtime.IsAbandoned)
            {
                ReplaceRuntime(report);
            }
        }
        report.IsExhausted = strategy.IsExhausted;
        report.ExplorationFingerprint = fingerprint;
        return report;
    }

    private TestReport Replay(ReproducibleTrace trace)
    {
        var report = new TestReport("replay", trace.Seed);
        var replay = new ReplayStrategy(trace);
        replay.PrepareIteration(trace.Iteration);
        IterationOutcome outcome = _runtime.RunIteration(_test, replay, trace.Iteration, verbose: true);
        Count(report, outcome);
        if (outcome.BugKind is null && !outcome.HitStepBound && replay.Remaining > 0)
        {
            outcome = outcome with
            {
                BugKind = BugKind.ReplayDivergence,
                Message = $"replay diverged at step {replay.Consumed + 1}: the program finished after {replay.Consumed} steps but the trace has {trace.Count}",
            };
        }
        if (outcome.BugKind is { } kind)
        {
            report.BugsFound = 1;
            report.FirstBug = DescribeBug(outcome, kind, trace.Iteration, trace.Strategy, trace, alreadyVerbose: true);
        }
        report.ExplorationFingerprint = _runtime.Trace.Hash(14695981039346656037UL);
        return report;
    }

    private static void Count(TestReport report, IterationOutcome outcome)
    {
        report.Iterations++;
        report.TotalSchedulingDecisions += outcome.Decisions;
        report.TotalDataChoices += outcome.DataChoices;
        report.MaxDecisionsPerIteration = Math.Max(report.MaxDecisionsPerIteration, outcome.Decisions);
        if (outcome.HitStepBound) report.IterationsHittingMaxSteps++;
    }

    /// <summary>
    /// Packages the bug with its compact trace and, unless the iteration was abandoned, replays it
    /// once with state description to build the readable trace.
    /// </summary>
    private BugReport DescribeBug(IterationOutcome outcome, BugKind kind, int iteration, string strategy, ReproducibleTrace? given, bool alreadyVerbose)
    {
        ReproducibleTrace trace = given ?? new ReproducibleTrace(strategy, _configuration.RandomGeneratorSeed, iteration, _runtime.Trace.ToArray());
        var bug = new BugReport(kind, outcome.Message!, iteration, strategy, outcome.Exception)
        {
            ReproducibleTrace = trace.ToString(),
            Steps = outcome.Decisions,
            Detail = outcome.Detail,
        };
        IReadOnlyList<string> names = _runtime.ThreadNames;
        TraceEvent[] events = _runtime.Events.ToArray();
        string? note = null;
        if (outcome.Abandoned)
        {
            note = "note: the iteration was abandoned, so the trace stops where the thread blocked and states are not described";
        }
        else if (!alreadyVerbose && _configuration.ReadableTraceOnBug)
        {
            var replay = new ReplayStrategy(trace);
            replay.PrepareIteration(iteration);
            IterationOutcome again = _runtime.RunIteration(_test, replay, iteration, verbose: true);
            if (again.Abandoned)
            {
                _runtime.Shutdown();
                _runtime = new ControlledRuntime(_configuration);
            }
            if (again.BugKind == kind && again.Message == outcome.Message)
            {
                names = _runtime.ThreadNames;
                events = _runtime.Events.ToArray();
            }
            else
            {
                note = $"note: re-running the schedule to describe states did not reproduce the bug (got {again.BugKind?.ToString() ?? "no bug"}); the test may be nondeterministic, states are omitted";
            }
        }
        bug.ReadableTrace = ReadableTraceFormatter.Format(bug, trace.Seed, names, events, note);
        bug.Seed = trace.Seed;
        bug.ThreadNames = names.ToArray();
        bug.Schedule = Array.ConvertAll(events, e => new ScheduleEvent(e.Thread, e.Kind == TraceEventKind.Scheduled ? e.Step : null, e.Label, e.State));
        bug.ScheduleNote = note;
        return bug;
    }

    private void ReplaceRuntime(TestReport report)
    {
        report.WorkerThreadsCreated += _runtime.WorkersCreated;
        _runtime.Shutdown();
        _runtime = new ControlledRuntime(_configuration);
    }
}
