using TceVerify.Contract;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Observation;
using TceVerify.Harness.Programs;
using TceVerify.Impl;
using TceVerify.Model;
using TceVerify.Scheduling;

namespace TceVerify.Concurrency;

/// <summary>The shape of generated scenarios.</summary>
public sealed record GeneratorSettings
{
    public static GeneratorSettings Default { get; } = new();

    public int MinThreads { get; init; } = 2;
    public int MaxThreads { get; init; } = 3;

    /// <summary>At most <see cref="ThreadScript.CallsPerSlot"/>.</summary>
    public int MaxCallsPerThread { get; init; } = 2;

    /// <summary>Let some threads run in a forked child that shares every fd.</summary>
    public bool SecondProcess { get; init; } = true;

    /// <summary>The operations threads draw from (default: all of them).</summary>
    public IReadOnlySet<GenOp> Ops { get; init; } = Enum.GetValues<GenOp>().ToHashSet();

    /// <summary>Chance that a call repeats the kind of an earlier thread's call (with its own arguments): the same
    /// operation twice is where many races are.</summary>
    public double Repeat { get; init; } = 0.4;

    /// <summary>Exactly <paramref name="threads"/> threads, every operation: what <c>hunt --threads N</c> explores.</summary>
    public static GeneratorSettings Threads(int threads) => Default with { MinThreads = threads, MaxThreads = threads };

    /// <summary>Exactly <paramref name="threads"/> threads making the calls of a container's and a group's life on the fds the
    /// prefix opened (ioctls, close, exit, the host's allocator): the mix in which the linearizability findings FIND-13 ..
    /// FIND-21 show, without the rarer calls that dilute it.</summary>
    public static GeneratorSettings Lifecycle(int threads) => Threads(threads) with
    {
        Ops = new HashSet<GenOp>
        {
            GenOp.SetIommu, GenOp.Enable, GenOp.Disable, GenOp.Map, GenOp.Unmap, GenOp.GetInfo, GenOp.SetContainer, GenOp.UnsetContainer,
            GenOp.GetStatus, GenOp.DeviceOpen, GenOp.Close, GenOp.CloseDevice, GenOp.Exit, GenOp.HostAlloc, GenOp.HostFree,
        },
    };

    /// <summary>The VFIO core's calls only: SET/UNSET_CONTAINER, GET_STATUS, GET_DEVICE_FD, close.</summary>
    public static GeneratorSettings Core { get; } = new()
    {
        Ops = new HashSet<GenOp> { GenOp.SetContainer, GenOp.UnsetContainer, GenOp.GetStatus, GenOp.DeviceOpen, GenOp.Close },
    };
}

/// <summary>The kinds of call a generated thread makes: every operation of the world (ABI-1: the calls of processes, the
/// host's actions, the debugger's pokes excepted, which only stage arguments).</summary>
public enum GenOp
{
    SetIommu, Enable, Disable, Map, Unmap, GetInfo, SetContainer, UnsetContainer, GetStatus, DeviceOpen, Close, CloseDevice,
    Exit, HostAlloc, HostFree, HostStale, Inject, OpenContainer, OpenGroup, Fork, PassFd, Mmap, Munmap, CheckExtension, Raw,
}

/// <summary>
/// Generated mode: per-thread operation lists built from the model, so new scenarios come for free. A seed picks a
/// prefix (the pair matrix's stages, or two containers and a group, optionally forked), runs it on the model, and
/// builds each thread's calls from what the model then shows. The calls come from the sequential generator
/// (<see cref="ProgramStream.Next(Observed, int, CallKind)"/>, one stream per thread with a workload of its own), so a
/// thread draws every operation with every argument shape the sequential programs use: odd argsz, flags and
/// addresses, window edges, misalignment, partial failures, stale host entries, injected failures. Arguments the
/// sequential generator stages at the caller's scratch address move to the thread's own cell; one argument too long
/// for a cell (a device name of a whole page) may use the start of the scratch page, which no thread's cells use;
/// one staged at an odd address (straddling a hole, read-only, unmapped) stays there unless another thread's
/// argument already lies there. A thread never maps or unmaps a page that holds an argument (a call reads its
/// argument and writes it back in two steps: remapping the page in between is a race of the program with its own
/// buffer, which no driver lock orders). Deterministic for a seed.
/// </summary>
public static class ScenarioGenerator
{
    static readonly PlatformConfig Config = PlatformConfig.Small();

    /// <summary>The workloads a thread's calls are drawn with (QEMU's only replays a fixed boot first).</summary>
    static readonly Workload[] ThreadWorkloads =
        [Workload.Mixed, Workload.Adversarial, Workload.Alignment, Workload.WindowEdges, Workload.PartialFailure, Workload.Ownership, Workload.Lifecycle];

    /// <summary>Draws of a call before the generator settles for the last one drawn.</summary>
    const int Attempts = 24;

    public static ConcurrentScenario Generate(int seed, GeneratorSettings? settings = null)
    {
        var s = settings ?? GeneratorSettings.Default;
        if (s.MaxCallsPerThread > ThreadScript.CallsPerSlot || s.MinThreads < 1 || s.MaxThreads > 4 || s.MinThreads > s.MaxThreads)
            throw new ArgumentException("unsupported generator settings", nameof(settings));
        var rng = new Random(seed);
        bool fork = s.SecondProcess && rng.Next(3) == 0;
        var prefix = rng.Next(4) == 0 ? TwoContainersPrefix(rng.Next(2) == 0, fork) : PairMatrix.Prefix((Stage)rng.Next(8), fork);

        var model = new ModelSystem(Config);
        foreach (var c in prefix)
        {
            c.Prepare(model);
            c.Invoke(model);
        }
        var o = Observed.Parse(model.Snapshot());

        int threads = rng.Next(s.MinThreads, s.MaxThreads + 1);
        var programs = new List<ThreadProgram>();
        var used = new List<GenOp>();
        var staged = new Staged(Config.PageShift);
        var ops = Enum.GetValues<GenOp>().Where(s.Ops.Contains).ToList();
        for (int t = 0; t < threads; t++)
        {
            int pid = fork && rng.Next(2) == 0 ? PairMatrix.Child : 1;
            var script = new ThreadScript(Config, t + 1);
            var stream = new ProgramGenerator(Config, c => new ModelSystem(c)).Start(rng.Next(), ThreadWorkloads[rng.Next(ThreadWorkloads.Length)]);
            int calls = rng.Next(1, s.MaxCallsPerThread + 1);
            var mine = new List<GenOp>();
            for (int k = 0; k < calls; k++)
            {
                var earlier = used.Where(u => !mine.Contains(u)).ToList();
                var wanted = earlier.Count > 0 && rng.NextDouble() < s.Repeat ? Pick(rng, earlier) : Pick(rng, ops);
                mine.Add(AddCall(rng, o, pid, script, stream, wanted, ops, staged));
            }
            used.AddRange(mine);
            programs.Add(new ThreadProgram($"T{t}:p{pid}", script.Commands));
        }
        return new ConcurrentScenario($"gen/{seed}", Config, prefix, programs) { Clauses = ["LOCK-7", "INV-11"] };
    }

    /// <summary>Two containers (fds 3, 4) and group 1 (fd 5), and optionally group 2 (fd 6) in the first container.</summary>
    static IReadOnlyList<Command> TwoContainersPrefix(bool secondGroup, bool fork)
    {
        var s = new Script(Config).OpenContainer(1).OpenContainer(1).OpenGroup(1, 1);
        if (secondGroup) s.OpenGroup(1, 2).SetContainer(1, 6, 3);
        if (fork) s.Fork(1);
        return s.Commands;
    }

    /// <summary>Adds a call of kind <paramref name="wanted"/> drawn from the thread's stream (or, when the state offers no
    /// object for that kind, the call the stream draws instead, or one of another kind of <paramref name="ops"/>), its
    /// argument staged where no other call's is; returns the kind added.</summary>
    static GenOp AddCall(Random rng, Observed o, int pid, ThreadScript t, ProgramStream stream, GenOp wanted, List<GenOp> ops,
        Staged staged)
    {
        Command? last = null;
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            var kind = attempt == 0 ? wanted : Pick(rng, ops);
            var c = kind == GenOp.CloseDevice ? CloseDevice(rng, o, pid) : stream.Next(o, pid, CallKindOf(kind));
            var actual = kind == GenOp.CloseDevice && c is CloseCmd ? GenOp.CloseDevice : c is null ? null : KindOf(c);
            if (c is null || actual is null || !ops.Contains(actual.Value)) continue;
            last = c;
            if (Place(t, c, staged)) return actual.Value;
        }
        // Nothing of the allowed kinds fits: a close of a bad fd, which every state allows (-EBADF).
        t.Add(last is CloseCmd ? last : new CloseCmd(pid, 99));
        return GenOp.Close;
    }

    /// <summary>Adds <paramref name="c"/> to the thread, its argument staged at the thread's next cell (from the scratch
    /// address), at the start of the scratch page (too long for a cell), or where it is (an odd address); false when
    /// that place overlaps another call's argument.</summary>
    static bool Place(ThreadScript t, Command c, Staged staged)
    {
        if (c is MapPageCmd or UnmapPageCmd)
        {
            ulong vpage = c is MapPageCmd m ? m.Vpage : ((UnmapPageCmd)c).Vpage;
            if (!staged.Remap(vpage)) return false;
            t.Add(c);
            return true;
        }
        if (c is not IoctlArgCmd a)
        {
            t.Add(c);
            return true;
        }
        ulong scratch = Script.ScratchOf(Config, a.Pid);
        if (a.Addr == scratch && a.Bytes.Length <= ThreadScript.CellSize)
        {
            if (!staged.PageKept(scratch)) return false; // the cells lie on the scratch page, apart from every other argument
            t.Restaged(a);
            var placed = (IoctlArgCmd)t.Commands[^1];
            return staged.Take(placed.Addr, placed.Addr + (ulong)placed.Bytes.Length);
        }
        // The cells of slot 0, which no thread uses, and the first 0x400 bytes of the page hold one long argument.
        ulong at = a.Addr == scratch ? scratch - 0x400 : a.Addr;
        ulong end = at + (ulong)a.Bytes.Length;
        if (end < at) end = ulong.MaxValue;   // wraps past 2^64: the poke fails (PROC-8), and nothing else goes up there
        if (a.Addr == scratch && (ulong)a.Bytes.Length > 0x400 + ThreadScript.CallsPerSlot * (ulong)ThreadScript.CellSize) return false;
        if (!staged.Free(at, end)) return false;
        t.Add(a with { Addr = at });
        return staged.Take(at, end);
    }

    /// <summary>Where a scenario's threads staged arguments, and which pages they map or unmap.</summary>
    sealed class Staged(int pageShift)
    {
        readonly List<(ulong From, ulong To)> _ranges = new();
        readonly HashSet<ulong> _remapped = new();

        /// <summary>No argument lies in [from, to) and no page of it is remapped by a thread.</summary>
        public bool Free(ulong from, ulong to) =>
            !_ranges.Any(r => from < r.To && r.From < to) && !_remapped.Any(v => Meets(v, from, to));

        /// <summary>No thread maps or unmaps the page of <paramref name="addr"/>.</summary>
        public bool PageKept(ulong addr) => !_remapped.Contains(addr >> pageShift);

        public bool Take(ulong from, ulong to)
        {
            _ranges.Add((from, to));
            return true;
        }

        /// <summary>Records that a thread maps or unmaps <paramref name="vpage"/>; false when an argument lies there.</summary>
        public bool Remap(ulong vpage)
        {
            if (_ranges.Any(r => Meets(vpage, r.From, r.To))) return false;
            _remapped.Add(vpage);
            return true;
        }

        bool Meets(ulong vpage, ulong from, ulong to) => vpage >= from >> pageShift && vpage <= (to - 1) >> pageShift;
    }

    /// <summary>The sequential generator's kind for a thread's kind (a device close is drawn here, from the state).</summary>
    static CallKind CallKindOf(GenOp op) => op switch
    {
        GenOp.SetIommu => CallKind.SetIommu,
        GenOp.Enable => CallKind.Enable,
        GenOp.Disable => CallKind.Disable,
        GenOp.Map => CallKind.Map,
        GenOp.Unmap => CallKind.Unmap,
        GenOp.GetInfo => CallKind.GetInfo,
        GenOp.SetContainer => CallKind.SetContainer,
        GenOp.UnsetContainer => CallKind.Unset,
        GenOp.GetStatus => CallKind.GetStatus,
        GenOp.DeviceOpen => CallKind.GetDeviceFd,
        GenOp.Close or GenOp.CloseDevice => CallKind.Close,
        GenOp.Exit => CallKind.Exit,
        GenOp.HostAlloc => CallKind.HostAlloc,
        GenOp.HostFree => CallKind.HostFree,
        GenOp.HostStale => CallKind.HostStale,
        GenOp.Inject => CallKind.Inject,
        GenOp.OpenContainer => CallKind.OpenContainer,
        GenOp.OpenGroup => CallKind.OpenGroup,
        GenOp.Fork => CallKind.Fork,
        GenOp.PassFd => CallKind.PassFd,
        GenOp.Mmap => CallKind.Mmap,
        GenOp.Munmap => CallKind.Munmap,
        GenOp.CheckExtension => CallKind.CheckExtension,
        _ => CallKind.Raw,
    };

    /// <summary>The kind of a drawn call (null for none a thread makes, e.g. a debugger poke).</summary>
    public static GenOp? KindOf(Command c) => c switch
    {
        IoctlCmd i => KindOfIoctl(i.Cmd),
        IoctlArgCmd a => KindOfIoctl(a.Cmd),
        CloseCmd => GenOp.Close,
        ExitCmd => GenOp.Exit,
        HostAllocCmd => GenOp.HostAlloc,
        HostFreeCmd => GenOp.HostFree,
        HostStaleCmd => GenOp.HostStale,
        InjectCmd => GenOp.Inject,
        OpenContainerCmd => GenOp.OpenContainer,
        OpenGroupCmd => GenOp.OpenGroup,
        ForkCmd => GenOp.Fork,
        PassFdCmd => GenOp.PassFd,
        MapPageCmd => GenOp.Mmap,
        UnmapPageCmd => GenOp.Munmap,
        _ => null,
    };

    static GenOp KindOfIoctl(uint cmd) =>
        cmd == Ioctls.SetIommu ? GenOp.SetIommu
        : cmd == Ioctls.Enable ? GenOp.Enable
        : cmd == Ioctls.Disable ? GenOp.Disable
        : cmd == Ioctls.MapDma ? GenOp.Map
        : cmd == Ioctls.UnmapDma ? GenOp.Unmap
        : cmd == Ioctls.SpaprTceGetInfo ? GenOp.GetInfo
        : cmd == Ioctls.GroupSetContainer ? GenOp.SetContainer
        : cmd == Ioctls.GroupUnsetContainer ? GenOp.UnsetContainer
        : cmd == Ioctls.GroupGetStatus ? GenOp.GetStatus
        : cmd == Ioctls.GroupGetDeviceFd ? GenOp.DeviceOpen
        : cmd == Ioctls.CheckExtension ? GenOp.CheckExtension
        : GenOp.Raw;

    /// <summary>A close of one of the process's device fds, or null when it holds none.</summary>
    static Command? CloseDevice(Random rng, Observed o, int pid)
    {
        var devices = o.Processes.TryGetValue(pid, out var p) ? p.Fds.Where(f => f.Value.Kind == "device").Select(f => f.Key).ToList() : [];
        return devices.Count > 0 ? new CloseCmd(pid, Pick(rng, devices)) : null;
    }

    static T Pick<T>(Random rng, IReadOnlyList<T> list) => list[rng.Next(list.Count)];
}

/// <summary>A failing generated case, shrunk: first its program (calls, threads, prefix), then its schedule.</summary>
public sealed record ShrinkResult(
    ConcurrentScenario Original,
    ScenarioOutcome OriginalOutcome,
    ConcurrentScenario Shrunk,
    int ProgramSteps,
    ScenarioOutcome Minimal,
    int PreemptionBound)
{
    public override string ToString() =>
        $"original ({Original.CallCount} calls, {Original.Threads.Count} threads, {Original.Prefix.Count} prefix calls): {OriginalOutcome.Kind} after {OriginalOutcome.Schedules} schedules\n" +
        $"shrunk in {ProgramSteps} accepted steps to {Shrunk.CallCount} calls, {Shrunk.Threads.Count} threads, {Shrunk.Prefix.Count} prefix calls:\n{Shrunk}\n" +
        $"fewest preemptions: {PreemptionBound} (DFS with bound {PreemptionBound} fails, every bound below it was exhausted without failing)\n" +
        Minimal;
}

/// <summary>
/// Runs generated scenarios against an implementation and shrinks the first failure: in its program (drop a thread,
/// drop a call, drop a prefix call, while the same kind of bug naming the same clause is still found), then in its
/// schedule (depth-first search with preemption bound 0, 1, 2, ...: the first failing schedule has the fewest
/// preemptions, since every smaller bound was explored exhaustively without a failure).
/// </summary>
public sealed class GeneratedCampaign(Func<KernelParts?>? parts, string variantName, RunnerOptions? options = null)
{
    public RunnerOptions Options { get; } = options ?? RunnerOptions.Default;

    /// <summary>Schedules per generated scenario (a fixed seed, so a campaign is deterministic).</summary>
    public Func<Configuration> Exploration { get; init; } = () => Configuration.Create().WithRandomStrategy().WithTestingIterations(150).WithRandomGeneratorSeed(1);

    /// <summary>A candidate of the program shrinker is explored as the original was (<see cref="Exploration"/>), then, if
    /// that finds nothing, with bound-1 DFS capped at this many schedules.</summary>
    public int ShrinkDfsCap { get; init; } = 500;

    /// <summary>The highest preemption bound the schedule shrinker tries.</summary>
    public int MaxPreemptionBound { get; init; } = 4;

    public GeneratorSettings Settings { get; init; } = GeneratorSettings.Default;

    /// <summary>The first seed in [firstSeed, firstSeed + count) whose scenario fails, and its outcome; null if none.</summary>
    public (int Seed, ConcurrentScenario Scenario, ScenarioOutcome Outcome)? FindFailure(int firstSeed, int count)
    {
        for (int seed = firstSeed; seed < firstSeed + count; seed++)
        {
            var scenario = ScenarioGenerator.Generate(seed, Settings);
            var outcome = new ScenarioRunner(scenario, parts, Options, variantName).Run(Exploration());
            if (!outcome.Passed) return (seed, scenario, outcome);
        }
        return null;
    }

    /// <summary>Shrinks a failing scenario: program first, then schedule.</summary>
    public ShrinkResult Shrink(ConcurrentScenario scenario, ScenarioOutcome outcome)
    {
        var signature = Signature(outcome);
        var current = scenario;
        int accepted = 0;
        bool progress = true;
        while (progress)
        {
            progress = false;
            foreach (var candidate in Candidates(current))
            {
                if (!StillFails(candidate, signature)) continue;
                current = candidate;
                accepted++;
                progress = true;
                break;
            }
        }
        for (int bound = 0; bound <= MaxPreemptionBound; bound++)
        {
            var runner = new ScenarioRunner(current, parts, Options, variantName);
            var result = runner.Run(Dfs(bound, 200_000));
            if (!result.Passed) return new ShrinkResult(scenario, outcome, current, accepted, result, bound);
            if (!result.Report.IsExhausted) break;
        }
        // Not found by bounded DFS (the budget was not enough): keep the exploration that found it.
        var again = new ScenarioRunner(current, parts, Options, variantName).Run(Exploration());
        return new ShrinkResult(scenario, outcome, current, accepted, again, -1);
    }

    static (BugKind? Kind, string? Clause) Signature(ScenarioOutcome o) => (o.Kind, o.Clause);

    /// <summary>Bounded DFS with the exploration's race-detection setting.</summary>
    Configuration Dfs(int bound, int cap) =>
        Configuration.Create().WithDfsStrategy(bound).WithTestingIterations(cap).WithDataRaceDetection(Exploration().DataRaceDetection);

    bool StillFails(ConcurrentScenario candidate, (BugKind? Kind, string? Clause) signature)
    {
        ScenarioRunner runner;
        try
        {
            runner = new ScenarioRunner(candidate, parts, Options, variantName);
        }
        catch (ArgumentException)
        {
            return false; // not a valid scenario (e.g. staging overlaps)
        }
        var bug = runner.Explore(Exploration().WithReadableTraceOnBug(false)).FirstBug
            ?? runner.Explore(Dfs(1, ShrinkDfsCap).WithReadableTraceOnBug(false)).FirstBug;
        if (bug is null) return false;
        return bug.Kind == signature.Kind && ConcurrencyChecks.Classify(bug).Clause == signature.Clause;
    }

    /// <summary>Smaller programs: without one thread, without one call, without one prefix call (last first).</summary>
    static IEnumerable<ConcurrentScenario> Candidates(ConcurrentScenario s)
    {
        if (s.Threads.Count > 1)
            for (int t = s.Threads.Count - 1; t >= 0; t--)
                yield return s with { Threads = s.Threads.Where((_, i) => i != t).ToList() };
        for (int t = 0; t < s.Threads.Count; t++)
        {
            var th = s.Threads[t];
            if (th.Commands.Count < 2) continue;
            for (int k = th.Commands.Count - 1; k >= 0; k--)
            {
                var fewer = th with { Commands = th.Commands.Where((_, i) => i != k).ToList() };
                yield return s with { Threads = s.Threads.Select((x, i) => i == t ? fewer : x).ToList() };
            }
        }
        for (int k = s.Prefix.Count - 1; k >= 0; k--)
            yield return s with { Prefix = s.Prefix.Where((_, i) => i != k).ToList() };
    }
}
