using TceVerify.Concurrency;
using TceVerify.Contract;
using TceVerify.Harness.Programs;
using TceVerify.Scheduling;
using TceVerify.TestKit;
using TceVerify.Variants;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// Generated mode: per-thread operation lists built from the model's state after a generated prefix; the pristine
/// implementation passes them, and a variant's failure is shrunk in its program and then in its schedule.
/// </summary>
public class GeneratedTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    [Spec("LOCK-7")]
    public void Generation_is_deterministic_and_varied()
    {
        Assert.Equal(ScenarioGenerator.Generate(7).ToString(), ScenarioGenerator.Generate(7).ToString());
        var scenarios = Enumerable.Range(0, 200).Select(i => ScenarioGenerator.Generate(i)).ToList();
        Assert.True(scenarios.Select(s => s.ToString()).Distinct().Count() > 150);
        Assert.Contains(scenarios, s => s.Threads.Count == 3);
        Assert.Contains(scenarios, s => s.Prefix.OfType<ForkCmd>().Any() && s.Threads.Any(t => t.Name.EndsWith(":p3", StringComparison.Ordinal)));
        var calls = scenarios.SelectMany(s => s.Threads).SelectMany(t => t.Commands).ToList();
        var ops = calls.Select(c => c.Describe().Split(' ')[0]).ToHashSet();
        foreach (var op in new[] { "SET_IOMMU", "ENABLE", "DISABLE", "MAP_DMA", "UNMAP_DMA", "SPAPR_TCE_GET_INFO", "GROUP_SET_CONTAINER",
                     "GROUP_UNSET_CONTAINER", "GROUP_GET_STATUS", "GROUP_GET_DEVICE_FD", "close", "exit", "host_alloc", "host_free",
                     "host_write_stale", "inject", "open_container", "open_group", "fork", "pass_fd", "mmap", "munmap", "CHECK_EXTENSION" })
            Assert.Contains(op, ops);
        // Every kind of call a thread can make is drawn.
        Assert.Equal(Enum.GetValues<GenOp>().Where(o => o != GenOp.CloseDevice).ToHashSet(), calls.Select(c => ScenarioGenerator.KindOf(c)!.Value).ToHashSet());
    }

    [Fact]
    [Spec("LOCK-7", "ABI-5", "ABI-8", "MAP-7", "MAP-9", "MAP-10", "HOST-6", "HOST-7")]
    public void Threads_draw_the_argument_shapes_of_the_sequential_programs()
    {
        var calls = Enumerable.Range(0, 400).Select(i => ScenarioGenerator.Generate(i)).SelectMany(s => s.Threads).SelectMany(t => t.Commands).ToList();
        var maps = calls.OfType<IoctlArgCmd>().Where(c => c.Cmd == Ioctls.MapDma && c.Bytes.Length >= Abi.DmaMapMinsz).ToList();
        uint U32(IoctlArgCmd c, int at) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(c.Bytes.AsSpan(at));
        ulong U64(IoctlArgCmd c, int at) => System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(c.Bytes.AsSpan(at));
        Assert.Contains(maps, m => U32(m, 0) < Abi.DmaMapMinsz);                               // argsz below minsz (ABI-8)
        Assert.Contains(maps, m => (U64(m, 16) & 0xfff) != 0 || (U64(m, 24) & 0xfff) != 0);   // misaligned (MAP-7)
        Assert.Contains(maps, m => U64(m, 16) + U64(m, 24) < U64(m, 16));                      // wrapping 2^64 (MAP-9)
        Assert.Contains(maps, m => U64(m, 24) >> 12 >= 2 && U32(m, 4) == Script.RW);           // multi-page maps (MAP-10)
        // Arguments at odd addresses (straddling the hole after the last mapping, read-only, unmapped), each apart.
        var scratch = Script.ScratchOf(PlatformConfig.Small(), 1) & ~0xfffUL;
        Assert.Contains(calls.OfType<IoctlArgCmd>(), c => c.Addr >> 12 != scratch >> 12);
        Assert.Contains(calls.OfType<HostStaleCmd>(), c => !Abi.InUse(c.Tce));                 // stale values without permission
        Assert.Contains(calls.OfType<InjectCmd>(), c => c.Nth < 1);                            // rejected injections (HOST-7)
        Assert.Contains(calls, c => c is IoctlArgCmd { Cmd: var x } && Ioctls.All.All(i => i.Cmd != x)); // unknown ioctls
    }

    /// <summary>Seeds and schedules per seed of the generated budget: what a user's first few minutes of
    /// <c>hunt --threads 3</c> and <c>--threads 4</c> explore (hunt's scenarios, each seed generating one and seeding
    /// its 100 portfolio schedules). Before the rules of FIND-13 .. FIND-21 were adopted, this budget with the calls of
    /// a container's life (<see cref="GeneratorSettings.Lifecycle"/>) failed on the pristine implementation (docs/catalog.md
    /// gives the figures), so it is large enough to find what users found; scaled by CONCURRENCY_SCALE.</summary>
    public const int GeneratedSeeds = 200, SchedulesPerSeed = 100;

    /// <summary>Threads drawing every operation of the world (issue 11), and threads drawing the calls of a container's
    /// life (issue 10's findings), at 2, 3 and 4 threads.</summary>
    public static TheoryData<string, int> Mixes() => new()
    {
        { "every", 2 }, { "every", 3 }, { "every", 4 }, { "lifecycle", 3 }, { "lifecycle", 4 },
    };

    static GeneratorSettings Mix(string mix, int threads) =>
        mix == "every" ? GeneratorSettings.Threads(threads) : GeneratorSettings.Lifecycle(threads);

    [Theory]
    [MemberData(nameof(Mixes))]
    [Spec("LOCK-7", "INV-8", "INV-11")]
    public void Generated_scenarios_pass_on_pristine(string mix, int threads)
    {
        var failures = new List<string>();
        for (int seed = 0; seed < Scale.Iterations(GeneratedSeeds); seed++)
        {
            var scenario = ScenarioGenerator.Generate(seed, Mix(mix, threads));
            var outcome = new ScenarioRunner(scenario).Run(Scale.Portfolio(SchedulesPerSeed, seed: (ulong)seed));
            if (!outcome.Passed) failures.Add(outcome.ToString());
        }
        Assert.True(failures.Count == 0, $"{failures.Count} generated {threads}-thread scenario(s) ({mix}) failed on pristine:\n" + string.Join("\n\n", failures));
    }

    /// <summary>The generated budget still finds the literal code of the linearizability findings: the guard that it is
    /// large enough now that the pristine implementation passes it. (FIND-19's two-group SET_IOMMU is rare in generated
    /// prefixes; its own scenario and its sequential INV-5 failure catch it.)</summary>
    [Theory]
    [InlineData("literal-device-fd-unlocked", "lifecycle", 4)]
    [InlineData("literal-close-beside-calls", "lifecycle", 4)]
    [InlineData("literal-exit-marks-first", "lifecycle", 3)]
    [InlineData("literal-open-beside-calls", "every", 3)]
    [Spec("FIND-13", "FIND-15", "FIND-16", "FIND-22", "INV-11")]
    public void Generated_budget_finds_the_literal_code_of_the_linearizability_findings(string name, string mix, int threads)
    {
        var variant = VariantCatalog.Get(name);
        for (int seed = 0; seed < Scale.Iterations(GeneratedSeeds); seed++)
        {
            var scenario = ScenarioGenerator.Generate(seed, Mix(mix, threads));
            var outcome = Target.Of(variant).Runner(scenario).Run(Scale.Portfolio(SchedulesPerSeed, seed: (ulong)seed));
            if (outcome.Passed) continue;
            output.WriteLine($"{name}: generated seed {seed} ({mix}): {outcome.Kind} {outcome.Clause}");
            Assert.Equal("INV-11", outcome.Clause);
            return;
        }
        Assert.Fail($"{name}: no generated {threads}-thread scenario ({mix}) of the budget fails");
    }

    [Fact]
    [Spec("FIND-11", "INV-7", "LOCK-3")]
    public void A_generated_failure_is_shrunk_in_its_program_then_in_its_schedule()
    {
        var variant = VariantCatalog.Get("literal-set-container-unlocked");
        var campaign = new GeneratedCampaign(variant.CreateParts, variant.Name, RunnerOptions.SemanticOnly)
        {
            Exploration = () => Configuration.Create().WithPortfolioStrategy().WithTestingIterations(150).WithRandomGeneratorSeed(3).WithDataRaceDetection(false),
            // The core's group ioctls but GET_DEVICE_FD: SET_CONTAINER's race is the one this test shrinks to.
            Settings = GeneratorSettings.Core with
            {
                MaxThreads = 3,
                MaxCallsPerThread = 3,
                Ops = new HashSet<GenOp> { GenOp.SetContainer, GenOp.UnsetContainer, GenOp.GetStatus, GenOp.Close },
            },
        };
        var found = campaign.FindFailure(0, 200);
        Assert.NotNull(found);
        var (seed, scenario, outcome) = found!.Value;
        Assert.Equal(BugKind.FinalCheckFailure, outcome.Kind);

        var shrunk = campaign.Shrink(scenario, outcome);
        output.WriteLine($"seed {seed}: {scenario}\n\n{shrunk}");
        // Program: two threads with one call each, SET_CONTAINER racing SET_CONTAINER or UNSET_CONTAINER without the
        // group lock (FIND-11: the variant takes none), every other call and thread dropped.
        Assert.Equal(2, shrunk.Shrunk.Threads.Count);
        Assert.All(shrunk.Shrunk.Threads, t => Assert.StartsWith("GROUP_", t.Commands.Single().Describe()));
        Assert.Contains(shrunk.Shrunk.Threads, t => t.Commands.Single().Describe().StartsWith("GROUP_SET_CONTAINER", StringComparison.Ordinal));
        // The shrunk program passes on the pristine implementation (the bug is the variant's).
        Assert.True(new ScenarioRunner(shrunk.Shrunk).Run(Configuration.Create().WithDfsStrategy(2).WithTestingIterations(20_000)).Passed);
        Assert.True(shrunk.Shrunk.CallCount <= scenario.CallCount && shrunk.Shrunk.Prefix.Count <= scenario.Prefix.Count);
        // Schedule: the fewest preemptions that show it; every smaller bound was exhausted without a failure.
        Assert.InRange(shrunk.PreemptionBound, 0, 1);
        Assert.False(shrunk.Minimal.Passed);
        Assert.Equal(outcome.Kind, shrunk.Minimal.Kind);
        Assert.Equal(outcome.Clause, shrunk.Minimal.Clause);
        Assert.True(shrunk.Minimal.Reproduced);
        Assert.Contains("fewest preemptions", shrunk.ToString());
        _ = seed;
    }
}
