using TceVerify.Contract;
using TceVerify.Harness.Invariants;
using TceVerify.Harness.Observation;
using TceVerify.Harness.Programs;
using TceVerify.Impl;
using TceVerify.Impl.Sync;
using TceVerify.Model;
using TceVerify.Scheduling;

namespace TceVerify.Concurrency;

/// <summary>What a <see cref="ScenarioRunner"/> checks besides the engine's own checks.</summary>
public sealed record RunnerOptions
{
    public static RunnerOptions Default { get; } = new();

    /// <summary>INV-11: the history of results is explained by some sequential order on the model (LOCK-7).</summary>
    public bool Linearizability { get; init; } = true;

    /// <summary>INV-1..4, 7, 9 on the implementation's state when the threads have finished.</summary>
    public bool StateInvariants { get; init; } = true;

    /// <summary>LOCK-2..6 at every lock operation and cell access (<see cref="Concurrency.LockDiscipline"/>).</summary>
    public bool LockDiscipline { get; init; } = true;

    /// <summary>The "always" invariants INV-1, INV-2 and INV-12, and INV-6 at every change of a table's owner, checked at
    /// every scheduling step (costly: one snapshot per step).</summary>
    public bool EveryStep { get; init; }

    /// <summary>Bitmap words as shared cells (LOCK-9): a read-modify-write of a word is a read and then a write, two
    /// scheduling points, so a lost update is a schedule. Off: one atomic step, as before issue 11 (for measurements).</summary>
    public bool SharedWords { get; init; } = true;

    /// <summary>Reuse the verdict of an earlier iteration that ended in the same state with the same history shape.</summary>
    public bool CacheVerdicts { get; init; } = true;

    /// <summary>Per-step model-level state in readable traces.</summary>
    public bool DescribeStates { get; init; } = true;

    /// <summary>Only the engine's checks (deadlock, livelock, races, exceptions): the cheapest run.</summary>
    public static RunnerOptions EngineOnly { get; } = new() { Linearizability = false, StateInvariants = false, LockDiscipline = false };

    /// <summary>Only the semantic checks (invariants and linearizability): what the user of the driver could see.</summary>
    public static RunnerOptions SemanticOnly { get; } = new() { LockDiscipline = false };
}

/// <summary>
/// Explores the interleavings of one scenario on TceImpl (or a variant) under the controlled scheduler. Each
/// iteration builds a fresh system on <see cref="ControlledSync"/>, runs the prefix, starts the threads, and when
/// they all finish checks the state invariants (INV-1..4, 7, 9) on the implementation's snapshot and that the
/// history of results is linearizable against the model (INV-11). The locking protocol (LOCK-2..6) is checked at
/// every lock and cell access; deadlock, livelock, uncontrolled blocking, data races and exceptions are the
/// engine's checks (INV-8).
/// </summary>
public sealed class ScenarioRunner
{
    const int MaxCachedVerdicts = 50_000;

    readonly ConcurrentScenario _scenario;
    readonly Func<KernelParts?>? _parts;
    readonly RunnerOptions _options;
    readonly World _afterPrefix;
    readonly long[] _prefixResults;
    readonly GroupConfig[] _groups;
    readonly Dictionary<string, FailedCheck?> _invariantVerdicts = new(StringComparer.Ordinal);
    readonly Dictionary<string, FailedCheck?> _linearizabilityVerdicts = new(StringComparer.Ordinal);
    StagedSchedule? _last;

    /// <summary>The pristine implementation with <paramref name="options"/>.</summary>
    public ScenarioRunner(ConcurrentScenario scenario, RunnerOptions options)
        : this(scenario, null, options) { }

    /// <summary>TceImpl built with <paramref name="parts"/> (null: the pristine implementation), which reports call
    /// <paramref name="variantName"/> (a catalog entry's name: TceVerify.Campaigns.Target builds these from the catalog).</summary>
    public ScenarioRunner(ConcurrentScenario scenario, Func<KernelParts?>? parts = null, RunnerOptions? options = null, string? variantName = null)
    {
        _scenario = scenario;
        _parts = parts;
        _options = options ?? RunnerOptions.Default;
        VariantName = variantName ?? (parts is null ? "pristine" : "custom parts");
        (_afterPrefix, _prefixResults) = PrefixOnModel(scenario);
        CheckStaging(scenario);
        _groups = scenario.Config.Groups.OrderBy(g => g.Id).ToArray();
        if (scenario.Config.Groups.Select((g, i) => g.Id != i + 1).Any(x => x))
            throw new ArgumentException("group ids must be 1..n", nameof(scenario));
    }

    public ConcurrentScenario Scenario => _scenario;
    public RunnerOptions Options => _options;
    public string VariantName { get; }

    /// <summary>How often each locking rule was checked, over every iteration of this runner.</summary>
    public DisciplineStats Discipline { get; } = new();

    /// <summary>The calls completed in the latest iteration (for tests that observe histories).</summary>
    public IReadOnlyList<HistoryEntry> LastHistory => _last?.History ?? (IReadOnlyList<HistoryEntry>)[];

    /// <summary>Final checks run, and how many of them were answered from the verdict caches.</summary>
    public long FinalChecks { get; private set; }
    public long CachedVerdicts { get; private set; }

    /// <summary>Runs the engine; the raw report.</summary>
    public TestReport Explore(Configuration configuration) => new TestingEngine(configuration, Iteration).Run();

    /// <summary>Runs the engine and, on a bug, replays its trace to recover the history and to prove it reproduces.</summary>
    public ScenarioOutcome Run(Configuration configuration)
    {
        var report = Explore(configuration);
        if (report.FirstBug is not { } bug) return new ScenarioOutcome(this, configuration, report, null, [], [], null);
        var replay = new TestingEngine(ReplayConfiguration(configuration, bug.ReproducibleTrace), Iteration).Run();
        var state = _last;
        bool reproduced = replay.FirstBug is { } again && again.Kind == bug.Kind && again.Message == bug.Message;
        return new ScenarioOutcome(this, configuration, report, replay, state?.History.ToList() ?? [], state?.PendingCalls() ?? [], reproduced);
    }

    /// <summary>Replays one compact trace (from <see cref="TestReport.ReproducibleTrace"/>) with the given settings.</summary>
    public ScenarioOutcome Replay(string trace, Configuration? settings = null)
    {
        var configuration = ReplayConfiguration(settings ?? Configuration.Create(), trace);
        var report = Explore(configuration);
        var state = _last;
        return new ScenarioOutcome(this, configuration, report, null, state?.History.ToList() ?? [], state?.PendingCalls() ?? [], null);
    }

    /// <summary>The settings that change what a schedule does (race detection, step bound), plus the trace.</summary>
    public static Configuration ReplayConfiguration(Configuration original, string trace) =>
        Configuration.Create()
            .WithDataRaceDetection(original.DataRaceDetection)
            .WithMaxSchedulingSteps(original.MaxSchedulingSteps)
            .WithLivelockAsBug(original.ReportLivelockAsBug)
            .WithUncontrolledBlockingTimeout(original.UncontrolledBlockingTimeout)
            .WithReproducibleTrace(trace);

    /// <summary>The test body the engine runs once per iteration.</summary>
    public void Iteration(IterationContext ctx)
    {
        var discipline = _options.LockDiscipline ? new LockDiscipline(_groups, Discipline) : null;
        var sync = new ControlledSync(discipline, _options.SharedWords);
        var state = Stage(sync);
        if (state.PrefixFailure is { } diverged) IterationContext.Assert(false, diverged);
        for (int t = 0; t < state.ThreadCount; t++)
        {
            int thread = t;
            ctx.Spawn(state.Names[t], () => state.RunThread(thread));
        }
        if (_options.DescribeStates) ctx.DescribeState(() => Describe(state, sync));
        if (_options.EveryStep) ctx.AddInvariantWithDetail(EveryStepCheck(state, sync));
        ctx.AddFinalCheckWithDetail(state.FinalVerdict);
    }

    /// <summary>
    /// One schedule made ready for any engine (ours: <see cref="Iteration"/>; Microsoft Coyote: src/TceCoyote): a fresh
    /// system (with the variant's parts) on <paramref name="sync"/>, the sequential prefix run on it and compared with
    /// the model, every argument staged. The engine then runs <see cref="StagedSchedule.RunThread"/> for each thread
    /// under its control and, when all have finished, <see cref="StagedSchedule.FinalCheck"/> (this runner's state
    /// invariants and linearizability, sharing its verdict caches).
    /// </summary>
    public StagedSchedule Stage(ISyncLayer sync)
    {
        var system = new ImplSystem(_scenario.Config, sync, _parts?.Invoke());
        var state = new StagedSchedule(this, system, _scenario.Threads);
        _last = state;
        for (int i = 0; i < _scenario.Prefix.Count && state.PrefixFailure is null; i++)
        {
            var c = _scenario.Prefix[i];
            c.Prepare(system);
            long r = c.Invoke(system);
            if (r != _prefixResults[i])
                state.PrefixFailure = $"the sequential prefix diverges from the model at call {i} ({c.Describe()}): {Errno.Describe(r)}, model {Errno.Describe(_prefixResults[i])}";
        }
        // Arguments are staged before the threads start, as a program writes its structs before the ioctl: staging is
        // scaffolding (PROC-8), not a call under test, so it must neither race with the calls nor add steps.
        foreach (var t in _scenario.Threads)
            foreach (var c in t.Commands)
                c.Prepare(system);
        return state;
    }

    string Describe(StagedSchedule state, ControlledSync sync)
    {
        sync.Quiet = true;
        try
        {
            var o = Observed.Parse(state.System.Snapshot());
            return StateSummary.Describe(_scenario.Config, o) + " || " + string.Join(" ", state.History.Select(h => $"{h.ThreadName}#{h.Index}={Errno.Describe(h.Result)}"));
        }
        finally
        {
            sync.Quiet = false;
        }
    }

    Func<FailedCheck?> EveryStepCheck(StagedSchedule state, ControlledSync sync)
    {
        Observed? previous = null;
        return () =>
        {
            sync.Quiet = true;
            try
            {
                var o = Observed.Parse(state.System.Snapshot());
                var v = new List<Violation>();
                InvariantChecker.Isolation(_scenario.Config, o, v);
                InvariantChecker.WindowConfinement(_scenario.Config, o, v);
                InvariantChecker.DmaIsolation(_scenario.Config, o, state.System.DeviceState(), v); // INV-12, always
                if (previous is not null) InvariantChecker.CheckHandOver(_scenario.Config, previous, o, v);
                previous = o;
                return v.Count == 0 ? null : new FailedCheck(string.Join("; ", v.Take(4)) + "\n" + HistoryText(state),
                    ConcurrencyChecks.Failure(ConcurrencyChecks.EveryStep, v.Take(4).Select(x => x.Clause).Distinct().ToList()));
            }
            finally
            {
                sync.Quiet = false;
            }
        };
    }

    internal FailedCheck? Check(StagedSchedule state)
    {
        FinalChecks++;
        var snapshot = state.System.Snapshot();
        var device = state.System.DeviceState();                       // DEV-2, INV-12(b): beyond the snapshot
        string? key = _options.CacheVerdicts ? StateKey(snapshot, device) : null;
        if (_options.StateInvariants)
        {
            FailedCheck? verdict;
            if (key is not null && _invariantVerdicts.TryGetValue(key, out verdict)) CachedVerdicts++;
            else
            {
                var violations = InvariantChecker.CheckState(_scenario.Config, Observed.Parse(snapshot), device).Take(6).ToList();
                verdict = violations.Count == 0 ? null : new FailedCheck(string.Join("; ", violations),
                    ConcurrencyChecks.Failure(ConcurrencyChecks.Invariants, violations.Select(v => v.Clause).Distinct().ToList()));
                if (key is not null && _invariantVerdicts.Count < MaxCachedVerdicts) _invariantVerdicts[key] = verdict;
            }
            if (verdict is not null)
                return verdict with { Message = "invariants broken after the threads finished: " + verdict.Message + "\n" + HistoryText(state) };
        }
        if (!_options.Linearizability) return null;
        string? linKey = key is null ? null : HistoryShape(state.History) + "\n" + key;
        if (linKey is not null && _linearizabilityVerdicts.TryGetValue(linKey, out var cached))
        {
            CachedVerdicts++;
            return cached;
        }
        // DEV-6: the device's DMAs are observers judged per entry by INV-12 and INV-13, not linearized.
        var calls = state.History.Exists(h => h.Command is DmaCmd) ? state.History.FindAll(h => h.Command is not DmaCmd) : state.History;
        var result = Linearizability.Check(_afterPrefix, calls, snapshot);
        var failed = result.Ok ? null : new FailedCheck(result.Explanation, ConcurrencyChecks.Failure(ConcurrencyChecks.Linearizability, ["INV-11"]));
        if (linKey is not null && _linearizabilityVerdicts.Count < MaxCachedVerdicts) _linearizabilityVerdicts[linKey] = failed;
        return failed;
    }

    /// <summary>A collision-free (SHA-256) key of a final state, the hardware's part included (a cache left stale, a DMA
    /// breach), so the caches hold no copies of whole snapshots.</summary>
    static string StateKey(Snapshot snapshot, DeviceState device)
    {
        if (device.Cached.Count == 0 && device.Breaches.Count == 0) return Hash(snapshot.Text);   // no device: the snapshot alone
        var text = new System.Text.StringBuilder(snapshot.Text);
        foreach (var c in device.Cached) text.Append("\ncache ").Append(c.Group).Append(' ').Append(c.Entry).Append(' ').Append(c.Tce);
        foreach (var b in device.Breaches) text.Append("\nbreach ").Append(b);
        return Hash(text.ToString());
    }

    static string Hash(string text) => Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>What a linearizability verdict depends on besides the final state: each call's result and which
    /// calls returned before which others were called (absolute positions do not matter).</summary>
    static string HistoryShape(List<HistoryEntry> history)
    {
        var sorted = history.OrderBy(h => h.Thread).ThenBy(h => h.Index).ToList();
        var sb = new System.Text.StringBuilder();
        foreach (var h in sorted)
        {
            sb.Append(h.Thread).Append('.').Append(h.Index).Append('=').Append(h.Result).Append('<');
            for (int j = 0; j < sorted.Count; j++)
                sb.Append(h.ReturnAt < sorted[j].CallAt ? '1' : '0');
            sb.Append(';');
        }
        return sb.ToString();
    }

    static string HistoryText(StagedSchedule state) =>
        "history:\n  " + string.Join("\n  ", state.History.OrderBy(h => h.CallAt)) +
        string.Concat(state.PendingCalls().Select(p => "\n  " + p + " (in progress)"));

    /// <summary>Every argument is staged before the threads start, so no two calls may stage at overlapping addresses
    /// of one process (a forked child shares its parent's frames, so addresses are compared across processes).</summary>
    static void CheckStaging(ConcurrentScenario scenario)
    {
        var seen = new List<(ulong From, ulong To, string What)>();
        foreach (var t in scenario.Threads)
            foreach (var c in t.Commands)
            {
                if (c is DmaCmd { Direction: DmaDirection.Write })
                    throw new ArgumentException($"scenario '{scenario.Name}': '{c.Describe()}': a device thread reads (DEV-6): its DMAs are observers, not linearized, so a write would change memory no order of the calls accounts for", nameof(scenario));
                if (c is not IoctlArgCmd a) continue;
                ulong from = a.Addr, to = a.Addr + (ulong)a.Bytes.Length;
                foreach (var (f, e, what) in seen)
                    if (from < e && f < to)
                        throw new ArgumentException($"scenario '{scenario.Name}': '{c.Describe()}' and '{what}' stage their arguments at overlapping addresses; use ThreadScript slots", nameof(scenario));
                seen.Add((from, to, c.Describe()));
            }
    }

    static (World, long[]) PrefixOnModel(ConcurrentScenario scenario)
    {
        var model = new ModelSystem(scenario.Config);
        var results = new long[scenario.Prefix.Count];
        for (int i = 0; i < results.Length; i++)
        {
            var c = scenario.Prefix[i];
            c.Prepare(model);
            results[i] = c.Invoke(model);
        }
        foreach (var t in scenario.Threads)
            foreach (var c in t.Commands)
                c.Prepare(model);
        return (model.State, results);
    }
}

/// <summary>
/// One schedule of a <see cref="ScenarioRunner"/>'s scenario, staged by <see cref="ScenarioRunner.Stage"/>: the system,
/// the threads' bodies (each records its calls in the shared history with call and return positions) and the final check.
/// An engine runs one thread body at a time, so the history needs no lock.
/// </summary>
public sealed class StagedSchedule
{
    readonly ScenarioRunner _runner;
    readonly IReadOnlyList<ThreadProgram> _threads;

    internal StagedSchedule(ScenarioRunner runner, ImplSystem system, IReadOnlyList<ThreadProgram> threads)
    {
        _runner = runner;
        _threads = threads;
        System = system;
        Names = threads.Select(t => t.Name).ToArray();
        Pending = new (int, Command, int)?[threads.Count];
    }

    public ImplSystem System { get; }

    /// <summary>Why the sequential prefix disagrees with the model (null: it agrees); the engine fails the schedule.</summary>
    public string? PrefixFailure { get; internal set; }

    public int ThreadCount => _threads.Count;
    public IReadOnlyList<string> Names { get; }
    public List<HistoryEntry> History { get; } = new();
    internal (int Index, Command Command, int CallAt)?[] Pending { get; }
    int _clock;

    /// <summary>Logical thread <paramref name="thread"/>'s calls, in program order, recorded in <see cref="History"/>.</summary>
    public void RunThread(int thread)
    {
        var program = _threads[thread];
        for (int i = 0; i < program.Commands.Count; i++)
        {
            var cmd = program.Commands[i];
            int callAt = _clock++;
            Pending[thread] = (i, cmd, callAt);
            long result = cmd.Invoke(System);
            Pending[thread] = null;
            History.Add(new HistoryEntry(thread, program.Name, i, cmd, result, callAt, _clock++));
        }
    }

    /// <summary>The runner's final checks once every thread has finished: null when they hold, else the message
    /// (naming the invariants broken, or INV-11 with the history and why no sequential order fits).</summary>
    public string? FinalCheck() => FinalVerdict()?.Message;

    /// <summary>The same with the check and the clauses it breaks as data (<see cref="ConcurrencyChecks.Failure"/>).</summary>
    public FailedCheck? FinalVerdict() => _runner.Check(this);

    public List<PendingCall> PendingCalls()
    {
        var list = new List<PendingCall>();
        for (int t = 0; t < Pending.Length; t++)
            if (Pending[t] is { } p) list.Add(new PendingCall(t, Names[t], p.Index, p.Command, p.CallAt));
        return list;
    }
}

/// <summary>A call that had started but not returned when the iteration stopped (a bug unwound it).</summary>
public sealed record PendingCall(int Thread, string ThreadName, int Index, Command Command, int CallAt)
{
    public override string ToString() => $"{ThreadName}#{Index} [{CallAt},-] {Command.Describe()}";
}
