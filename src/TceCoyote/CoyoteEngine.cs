using System.Diagnostics;
using Microsoft.Coyote.Logging;
using Microsoft.Coyote.Specifications;
using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.Impl;
using CoyoteConfiguration = Microsoft.Coyote.Configuration;
using CoyoteTestingEngine = Microsoft.Coyote.SystematicTesting.TestingEngine;

namespace TceVerify.Coyote;

/// <summary>What to explore with Coyote: a scenario (on the pristine implementation or a catalog variant), a strategy,
/// a seed and a budget of schedules.</summary>
public sealed record CoyoteRun(ConcurrentScenario Scenario, CoyoteStrategy Strategy, uint Seed, int Iterations)
{
    /// <summary>The parts of the system to run (a catalog variant's; null: the pristine implementation).</summary>
    public Func<KernelParts?>? Parts { get; init; }

    /// <summary>What reports call that system: a catalog entry's name, or "pristine".</summary>
    public string VariantName { get; init; } = "pristine";

    /// <summary>Scheduling steps per schedule before it counts as a livelock (our engine's default bound).</summary>
    public int MaxSteps { get; init; } = 10_000;

    /// <summary>On a failure, replay its trace once to prove it reproduces and to recover the failing history.</summary>
    public bool ConfirmByReplay { get; init; } = true;

    /// <summary>One check alone (<see cref="ConcurrencyChecks.Invariants"/>, <see cref="ConcurrencyChecks.Linearizability"/> or
    /// <see cref="ConcurrencyChecks.Deadlock"/>, which is always on); null: every check Coyote runs (<see cref="CoyoteEngine.Options"/>).</summary>
    public string? Check { get; init; }

    /// <summary>Stops the run before its next schedule, which reports the schedules it ran.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Called as each schedule starts (progress counters).</summary>
    public Action? OnSchedule { get; init; }
}

/// <summary>
/// Microsoft Coyote as a second engine under TceImpl's sync seam (<see cref="CoyoteSync"/>): each schedule stages the
/// scenario with <see cref="ScenarioRunner.Stage"/> (the same prefix, staging and checks as our engine), runs each
/// logical thread as one task, and asserts the final invariants and linearizability (INV-11) with
/// <see cref="Specification.Assert(bool, string, object[])"/>; deadlocks (INV-8) are Coyote's own. Failures come back in our
/// terms (<see cref="BugKind"/>, the check and clauses of <see cref="ConcurrencyChecks.Classify(BugKind, Classification?)"/>) with a
/// trace <see cref="Replay"/> reproduces. The lock discipline and the race detector are our engine's and do not run here
/// (<see cref="Options"/>).
/// </summary>
public static class CoyoteEngine
{
    /// <summary>The checks both engines run: the final invariants and linearizability (no lock discipline).</summary>
    public static RunnerOptions Options { get; } = RunnerOptions.SemanticOnly with { DescribeStates = false };

    /// <summary>Explores up to <see cref="CoyoteRun.Iterations"/> schedules; stops at the first failure.</summary>
    /// <exception cref="CoyoteNotRewrittenException">The build did not rewrite this assembly.</exception>
    public static CoyoteReport Explore(CoyoteRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentOutOfRangeException.ThrowIfLessThan(run.Iterations, 1);
        var session = new Session(Runner(run.Scenario, run.Parts, run.VariantName, run.Check)) { Cancellation = run.Cancellation, OnSchedule = run.OnSchedule };
        var configuration = run.Strategy.Apply(Base(run.MaxSteps))
            .WithTestingIterations((uint)run.Iterations)
            .WithRandomGeneratorSeed(run.Seed);
        var (schedules, steps, elapsed, failure) = session.Execute(configuration, run.Strategy.Name(), run.Seed);
        if (failure is not null && run.ConfirmByReplay)
        {
            var again = Replay(run.Scenario, run.Parts, run.VariantName, failure.Trace, run.MaxSteps, run.Check);
            failure = failure with
            {
                Reproduced = again.Failure is { } f && f.Kind == failure.Kind && f.Message == failure.Message,
                History = again.Failure?.History ?? [],
                Pending = again.Failure?.Pending ?? [],
            };
        }
        return new CoyoteReport(run.Scenario.Name, run.VariantName, run.Strategy.Name(), run.Seed, schedules, steps, elapsed, failure) { Check = run.Check };
    }

    /// <summary>Replays a trace of <see cref="CoyoteFailure.Trace"/> on the same scenario and variant: one schedule. When
    /// the schedule cannot follow the trace to its end (Coyote then stops it silently), or ends before the trace does, the
    /// failure is <see cref="BugKind.ReplayDivergence"/>: the code or the scenario changed under the trace. A schedule that
    /// follows the whole trace and then runs to its end with every check holding passes (a trace recorded at a failure
    /// stops there, so on fixed code Coyote also asks for its closing steps, which the trace cannot have).</summary>
    /// <exception cref="TraceFormatException">The text is not a Coyote trace of ours.</exception>
    /// <exception cref="CoyoteNotRewrittenException">The build did not rewrite this assembly.</exception>
    public static CoyoteReport Replay(ConcurrentScenario scenario, Func<KernelParts?>? parts, string variantName, string trace, int maxSteps = 10_000, string? check = null)
    {
        var decoded = CoyoteTrace.Decode(trace);
        var session = new Session(Runner(scenario, parts, variantName, check));
        var configuration = Base(maxSteps).WithReproducibleTrace(decoded.Json);
        var (schedules, steps, elapsed, failure) = session.Execute(configuration, "replay", decoded.Seed);
        if (failure is not null) failure = failure with { Schedule = decoded.Schedule, Trace = trace };
        else if (!session.Completed || steps < decoded.Steps)
            failure = new CoyoteFailure(BugKind.ReplayDivergence, BugKind.ReplayDivergence.ToString(), [],
                session.Completed
                    ? $"replay diverged: the schedule finished after {steps} steps, but the trace has {decoded.Steps} (the code or the scenario changed under the trace)"
                    : $"replay diverged: the schedule stopped after {Math.Min(steps, decoded.Steps)} of the trace's {decoded.Steps} steps, at a choice the trace does not have (the code or the scenario changed under the trace)",
                decoded.Schedule, trace) { History = session.LastHistory, Pending = session.LastPending };
        return new CoyoteReport(scenario.Name, variantName, "replay of " + decoded.Strategy, decoded.Seed, schedules, steps, elapsed, failure)
        {
            Check = check,
            LastHistory = session.LastHistory,
        };
    }

    /// <summary>The checks Coyote can run: ours but the lock discipline and the race detector, which live in our engine.</summary>
    public static IReadOnlyList<string> AvailableChecks { get; } = [ConcurrencyChecks.Invariants, ConcurrencyChecks.Linearizability, ConcurrencyChecks.Deadlock];

    static ScenarioRunner Runner(ConcurrentScenario scenario, Func<KernelParts?>? parts, string variantName, string? check)
    {
        if (check is not null && !AvailableChecks.Contains(check))
            throw new ArgumentException($"check '{check}' does not run under Coyote; it runs: {string.Join(", ", AvailableChecks)}", nameof(check));
        var options = check is null ? Options : ConcurrencyChecks.OptionsFor(check) with { DescribeStates = false };
        return new(scenario, parts, options, variantName);
    }

    /// <summary>Settings of every run: no telemetry (there is no network here), quiet logging, a failure at the step
    /// bound (a livelock, as in our engine), no fallback to fuzzing or partial control (everything is controlled;
    /// anything that is not is a bug of this layer, not something to work around), and no scheduling points beyond
    /// the sync layer's (Coyote's race-checking points at locks, atomics and collections in rewritten code are off,
    /// so both engines interleave at the same places).</summary>
    static CoyoteConfiguration Base(int maxSteps) =>
        CoyoteConfiguration.Create()
            .WithTelemetryEnabled(false)
            .WithConsoleLoggingEnabled(false)
            .WithVerbosityEnabled(VerbosityLevel.None)
            .WithMaxSchedulingSteps((uint)maxSteps)
            .WithFailureOnMaxStepsBoundEnabled(true)
            .WithPartiallyControlledConcurrencyAllowed(false)
            .WithSystematicFuzzingFallbackEnabled(false)
            .WithCollectionAccessRaceCheckingEnabled(false)
            .WithLockAccessRaceCheckingEnabled(false)
            .WithAtomicOperationRaceCheckingEnabled(false)
            .WithVolatileOperationRaceCheckingEnabled(false);

    /// <summary>One engine run over one runner: the test body, and the failure it asserted (Coyote keeps only text).</summary>
    sealed class Session(ScenarioRunner runner)
    {
        StagedSchedule? _last;
        (BugKind Kind, string Message, object? Detail)? _asserted;
        int _ran;

        public CancellationToken Cancellation { get; init; }
        public Action? OnSchedule { get; init; }

        /// <summary>Whether the last schedule ran its body to the end, the final checks included (Coyote stops a replay
        /// that runs out of trace silently, so this is how a replay tells a finished schedule from a cut one).</summary>
        public bool Completed { get; private set; }

        public IReadOnlyList<Concurrency.HistoryEntry> LastHistory => _last?.History.ToList() ?? [];
        public IReadOnlyList<PendingCall> LastPending => _last?.PendingCalls() ?? [];

        public (int Schedules, long Steps, TimeSpan Elapsed, CoyoteFailure? Failure) Execute(CoyoteConfiguration configuration, string strategy, uint seed)
        {
            using var engine = CoyoteTestingEngine.Create(configuration, Body);
            if (!CoyoteBuild.EngineIsRewritten || !engine.IsTestRewritten()) throw new CoyoteNotRewrittenException();
            engine.SetLogger(new TextWriterLogger(TextWriter.Null, VerbosityLevel.None));
            int iteration = 0;
            engine.RegisterStartIterationCallBack(i =>
            {
                // Coyote 1.7.11's Stop() returns at once while the current schedule goes on in the background; a
                // TaskCanceledException thrown here, before the schedule starts, ends its loop at once and is swallowed
                // by its testing task (tests/cli CoyoteHuntTests interrupts a hunt in a batch of a million schedules).
                if (Cancellation.IsCancellationRequested) throw new TaskCanceledException("the run was cancelled");
                iteration = (int)i;
                _ran++;
                OnSchedule?.Invoke();
            });
            var clock = Stopwatch.StartNew();
            engine.Run();
            clock.Stop();
            var report = engine.TestReport;
            long steps = (long)report.TotalExploredFairSteps + report.TotalExploredUnfairSteps;
            if (report.NumOfFoundBugs == 0)
                return (_ran, steps, clock.Elapsed, null);
            string coyoteMessage = report.BugReports.FirstOrDefault() ?? "";
            var (kind, message, detail) = _asserted ?? FromCoyote(coyoteMessage);
            var (check, clauses, _) = ConcurrencyChecks.Classify(kind, detail as Classification);
            var trace = CoyoteTrace.Encode(strategy, seed, iteration, engine.ReproducibleTrace);
            var failure = new CoyoteFailure(kind, check, clauses, message, iteration + 1, trace) { History = LastHistory, Pending = LastPending };
            return (_ran, steps, clock.Elapsed, failure);
        }

        /// <summary>A failure Coyote found itself: a deadlock (every unfinished task blocked) or the step bound.</summary>
        static (BugKind, string, object?) FromCoyote(string message) =>
            message.Contains("Deadlock", StringComparison.OrdinalIgnoreCase) ? (BugKind.Deadlock, "deadlock: " + message, null)
            : message.Contains("steps bound", StringComparison.OrdinalIgnoreCase) ? (BugKind.Livelock, "livelock: " + message, null)
            : (BugKind.AssertionFailure, message, null);

        async Task Body()
        {
            _asserted = null;
            Completed = false;
            var sync = new CoyoteSync();
            var state = runner.Stage(sync);
            _last = state;
            if (state.PrefixFailure is { } diverged) Fail(BugKind.AssertionFailure, diverged);
            sync.Quiet = false;
            var threads = new Task[state.ThreadCount];
            for (int t = 0; t < threads.Length; t++)
            {
                int thread = t;
                threads[t] = Task.Run(() => RunThread(state, thread));
            }
            await Task.WhenAll(threads);
            sync.Quiet = true;
            if (state.FinalVerdict() is { } broken) Fail(BugKind.FinalCheckFailure, broken.Message, broken.Detail);
            Completed = true;
        }

        /// <summary>A task's exception would surface only when awaited, after the others blocked on the lock it held
        /// (a false deadlock): fail the schedule at once instead.</summary>
        void RunThread(StagedSchedule state, int thread)
        {
            try
            {
                state.RunThread(thread);
            }
            catch (Exception e)
            {
                Fail(BugKind.UnhandledException, $"thread '{state.Names[thread]}' threw {e.GetType().Name}: {e.Message}");
            }
        }

        void Fail(BugKind kind, string message, object? detail = null)
        {
            _asserted = (kind, message, detail);
            Specification.Assert(false, "{0}", message);
        }
    }
}

/// <summary>TceVerify.Coyote.dll runs without Coyote's rewrite: Coyote would not control its tasks and locks and would
/// report false deadlocks.</summary>
public sealed class CoyoteNotRewrittenException() : InvalidOperationException(
    $"{typeof(CoyoteEngine).Assembly.Location} is not rewritten by Coyote, so Coyote cannot control its tasks and locks " +
    "(it would report false deadlocks). The build rewrites it after every build of src/TceCoyote (target CoyoteRewrite); " +
    "rebuild with `dotnet build`, or rewrite it by hand: `dotnet tool restore && dotnet tool run coyote rewrite <that path>`.");
