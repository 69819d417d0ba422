using TceVerify.Contract;
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

    /// <summary>The VFIO core's calls only: SET/UNSET_CONTAINER, GET_STATUS, GET_DEVICE_FD, close.</summary>
    public static GeneratorSettings Core { get; } = new()
    {
        Ops = new HashSet<GenOp> { GenOp.SetContainer, GenOp.UnsetContainer, GenOp.GetStatus, GenOp.DeviceOpen, GenOp.Close },
    };
}

/// <summary>The kinds of call a generated thread makes.</summary>
public enum GenOp
{
    SetIommu, Enable, Disable, Map, Unmap, GetInfo, SetContainer, UnsetContainer, GetStatus, DeviceOpen, Close, CloseDevice,
    Exit, HostAlloc, HostFree,
}

/// <summary>
/// Generated mode: per-thread operation lists built from the model, so new scenarios come for free. A seed picks a
/// prefix (the pair matrix's stages, or two containers and a group, optionally forked), runs it on the model, and
/// builds each thread's calls from what the model then shows: the fds each process holds and what they refer to
/// (container, group, device), the tables' windows, the host's tables. Deterministic for a seed.
/// </summary>
public static class ScenarioGenerator
{
    static readonly PlatformConfig Config = PlatformConfig.Small();

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
        var ops = Enum.GetValues<GenOp>().Where(s.Ops.Contains).ToList();
        for (int t = 0; t < threads; t++)
        {
            int pid = fork && rng.Next(2) == 0 ? PairMatrix.Child : 1;
            var script = new ThreadScript(Config, t + 1);
            int calls = rng.Next(1, s.MaxCallsPerThread + 1);
            var mine = new List<GenOp>();
            for (int k = 0; k < calls; k++)
            {
                var earlier = used.Where(u => !mine.Contains(u)).ToList();
                var wanted = earlier.Count > 0 && rng.NextDouble() < s.Repeat ? Pick(rng, earlier) : Pick(rng, ops);
                var op = AddCall(rng, o, pid, script, wanted, ops);
                mine.Add(op);
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

    /// <summary>Adds a call of kind <paramref name="wanted"/> when the model's state allows one (the process holds a
    /// fd of the right kind), else of another kind drawn from <paramref name="ops"/>; returns the kind added.</summary>
    static GenOp AddCall(Random rng, Observed o, int pid, ThreadScript t, GenOp wanted, List<GenOp> ops)
    {
        var fds = o.Processes.TryGetValue(pid, out var p) ? p.Fds : new SortedDictionary<int, (string Kind, int Id, string Device)>();
        var containers = fds.Where(f => f.Value.Kind == "container").Select(f => f.Key).ToList();
        var groups = fds.Where(f => f.Value.Kind == "group").Select(f => (Fd: f.Key, Group: f.Value.Id)).ToList();
        var devices = fds.Where(f => f.Value.Kind == "device").Select(f => f.Key).ToList();
        for (var op = wanted; ; op = Pick(rng, ops))
        {
            switch (op)
            {
                case GenOp.SetIommu when containers.Count > 0: t.SetIommu(pid, Pick(rng, containers)); return op;
                case GenOp.Enable when containers.Count > 0: t.Enable(pid, Pick(rng, containers)); return op;
                case GenOp.Disable when containers.Count > 0: t.Disable(pid, Pick(rng, containers)); return op;
                case GenOp.Map when containers.Count > 0:
                {
                    int c = Pick(rng, containers);
                    long start = WindowOf(o, c);
                    t.Map(pid, c, Script.VaddrOf(Config, 1, rng.Next(4)), (ulong)(start + rng.Next(3)) << 12, (ulong)rng.Next(1, 3) << 12);
                    return op;
                }
                case GenOp.Unmap when containers.Count > 0:
                {
                    int c = Pick(rng, containers);
                    long start = WindowOf(o, c);
                    t.Unmap(pid, c, (ulong)(start + rng.Next(3)) << 12, (ulong)rng.Next(1, 3) << 12);
                    return op;
                }
                case GenOp.GetInfo when containers.Count > 0: t.GetInfo(pid, Pick(rng, containers)); return op;
                case GenOp.SetContainer when groups.Count > 0 && containers.Count > 0: t.SetContainer(pid, Pick(rng, groups).Fd, Pick(rng, containers)); return op;
                case GenOp.UnsetContainer when groups.Count > 0: t.UnsetContainer(pid, Pick(rng, groups).Fd); return op;
                case GenOp.GetStatus when groups.Count > 0: t.GetStatus(pid, Pick(rng, groups).Fd); return op;
                case GenOp.DeviceOpen when groups.Count > 0:
                {
                    var g = Pick(rng, groups);
                    t.GetDeviceFd(pid, g.Fd, Config.FindGroup(g.Group)!.Devices[0]);
                    return op;
                }
                case GenOp.Close when fds.Count > 0: t.Close(pid, Pick(rng, fds.Keys.ToList())); return op;
                case GenOp.CloseDevice when devices.Count > 0: t.Close(pid, Pick(rng, devices)); return op;
                case GenOp.Exit: t.Exit(pid); return op;
                case GenOp.HostAlloc: t.HostAlloc(Config.Groups[rng.Next(Config.Groups.Length)].Id, 1); return op;
                case GenOp.HostFree:
                {
                    var g = Config.Groups[rng.Next(Config.Groups.Length)];
                    t.HostFree(g.Id, g.ItOffset == 0 ? 1 : g.ItOffset, 1);
                    return op;
                }
            }
        }
    }

    /// <summary>The window of the table a container fd's container holds, else of group 1 (the map then fails early).</summary>
    static long WindowOf(Observed o, int fd)
    {
        var f = o.Processes[1].Fds.GetValueOrDefault(fd);
        int gid = 1;
        if (f.Kind == "container" && o.Containers.TryGetValue(f.Id, out var c))
            gid = c.Tbl ?? (c.Groups.Count > 0 ? c.Groups[0] : 1);
        return Config.FindGroup(gid)!.ItOffset;
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
        var clause = System.Text.RegularExpressions.Regex.Match(bug.Message, @"\b(LOCK|INV)-\d+\b");
        string? c = clause.Success ? clause.Value : bug.Kind is BugKind.Deadlock or BugKind.Livelock ? "INV-8" : null;
        return bug.Kind == signature.Kind && c == signature.Clause;
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
