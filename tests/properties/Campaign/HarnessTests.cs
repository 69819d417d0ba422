using TceVerify.Contract;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Observation;
using TceVerify.Harness.Programs;
using TceVerify.Model;
using TceVerify.TestKit;
using TceVerify.Tests.Properties.Infrastructure;
using TceVerify.Tests.Properties.Properties;
using Xunit;
using Observed = TceVerify.Harness.Observation.Observed;

namespace TceVerify.Tests.Properties.Campaign;

/// <summary>The campaign's own machinery: the cheap paths it takes instead of extra snapshots must mean the same thing,
/// and the shrinker must keep programs meaningful and terminate.</summary>
public sealed class HarnessTests
{
    static IEnumerable<(Platform Platform, List<Command> Program)> Programs(int count, int length)
    {
        int i = 0;
        foreach (var w in Enum.GetValues<Workload>())
            for (int k = 0; k < count; k++, i++)
            {
                var p = Platforms.All[i % Platforms.All.Count];
                yield return (p, new ProgramGenerator(p.Config, Systems.ModelFactory).Generate(1000 + i, length, w));
            }
    }

    /// <summary>Observed.Parse loses nothing: rendering the parsed observation again gives the snapshot back.</summary>
    [Fact]
    [Spec("STATE-10")]
    public void Parsing_a_snapshot_loses_nothing()
    {
        foreach (var (platform, program) in Programs(3, 40))
        {
            var sys = new ModelSystem(platform.Config);
            foreach (var c in program)
            {
                c.Prepare(sys); c.Invoke(sys);
                var snap = sys.Snapshot();
                Assert.Equal(snap.Text, Staging.Render(Observed.Parse(snap)).Text);
            }
        }
    }

    /// <summary>The pre-call state the campaign computes (Staging.Apply) is the state staging really produces.</summary>
    [Fact]
    [Spec("PROC-8", "ABI-5")]
    public void Computed_staging_equals_real_staging()
    {
        foreach (var (platform, program) in Programs(3, 40))
        {
            var sys = new ModelSystem(platform.Config);
            var obs = Observed.Parse(sys.Snapshot());
            foreach (var c in program)
            {
                var computed = Staging.Apply(platform.Config, obs, c);
                c.Prepare(sys);
                Assert.Equal(sys.Snapshot().Text, Staging.WithSource(computed).Source.Text);
                c.Invoke(sys);
                obs = Observed.Parse(sys.Snapshot());
            }
        }
    }

    /// <summary>Dropping an unrelated open renumbers the later fds to what they become (lowest free), so the program
    /// still does what it did.</summary>
    [Fact]
    [Spec("STATE-4")]
    public void Dropping_a_command_relinks_the_fds_after_it()
    {
        var config = PlatformConfig.Small(12);
        var s = new Script(config).OpenContainer(1)                         // fd 3, unrelated
            .OpenContainer(1).OpenGroup(1, 1)                                // fd 4, fd 5
            .SetContainer(1, 5, 4).SetIommu(1, 4).Enable(1, 4).PassFd(1, 4, 1); // pass gives fd 6
        s.Map(1, 6, s.Vaddr(1, 0), 0, 0x1000);
        var program = s.Commands.ToList();
        var shrinker = new ProgramShrinker(Systems.ModelFactory);
        var expected = new Script(config).OpenContainer(1).OpenGroup(1, 1).SetContainer(1, 4, 3).SetIommu(1, 3).Enable(1, 3);
        expected.Map(1, 3, expected.Vaddr(1, 0), 0, 0x1000);                // the passed fd stands in for its source
        var wanted = expected.Commands.Select(c => c.ToCode()).ToList();
        Assert.Contains(shrinker.Shrink(config, program).Select(p => p.Select(c => c.ToCode()).ToList()),
            p => p.Count == program.Count - 1 && p.Take(5).SequenceEqual(wanted.Take(5)));
        // and, after dropping the pass too, the map names the container's new fd
        var first = shrinker.Shrink(config, program).First(p => p.Count == program.Count - 1 && p[0] is OpenContainerCmd && p[1] is OpenGroupCmd);
        var second = shrinker.Shrink(config, first).Where(p => p.Count == first.Count - 1).Select(p => p.Select(c => c.ToCode()).ToList());
        Assert.Contains(second, p => p.SequenceEqual(wanted));
    }

    /// <summary>The FsCheck-free greedy shrinker (for the CLI) takes a generated failing program down to the finding's
    /// minimal sequence too.</summary>
    [Fact]
    [Spec("FIND-2")]
    public void Greedy_minimize_reaches_the_minimal_sequence()
    {
        var broken = Systems.Variant("literal-map-without-enable");
        var runner = Catalog.Accounting.RunnerFor(broken);
        var failing = Enumerable.Range(0, 200).Select(seed => runner.Run(ProgramCase.Generated(Platforms.Small4K, seed, 80, Workload.Mixed)))
            .First(o => !o.Result.Ok);
        var program = failing.Program.Take(failing.Result.FailedStep + 1).ToList();
        var shrunk = new ProgramShrinker(Systems.ModelFactory).Minimize(Platforms.Small4K.Config, program,
            p => runner.Run(Platforms.Small4K, p).Result is { Ok: false } r ? r.FailedStep : null);
        Assert.True(shrunk.Count <= TceVerify.Harness.Scripts.FindingScripts.Find2().Program.Count,
            $"greedy shrinking left {shrunk.Count} commands:\n{string.Join("\n", shrunk.Select(c => c.Describe()))}");
    }

    /// <summary>Argument shrinking terminates: following the first simpler argument again and again ends.</summary>
    [Fact]
    public void Argument_shrinking_terminates()
    {
        foreach (var (platform, program) in Programs(2, 60))
            foreach (var c in program)
            {
                var cur = c;
                for (int steps = 0; ; steps++)
                {
                    Assert.True(steps < 400, $"argument shrinking of {c.Describe()} does not end");
                    var next = ProgramShrinker.ArgShrinks(platform.Config, cur).FirstOrDefault(x => !x.Equals(cur));
                    if (next is null) break;
                    cur = next;
                }
            }
    }

    /// <summary>The generator is deterministic and reaches the interesting results: maps that succeed and maps that fail
    /// part way for each reason, write-backs that fault, RLIMIT refusals.</summary>
    [Fact]
    [Spec("MAP-10", "EN-5", "ABI-6")]
    public void Generated_programs_reach_the_interesting_results()
    {
        foreach (var w in Enum.GetValues<Workload>())
        {
            var gen = new ProgramGenerator(PlatformConfig.Small(16), Systems.ModelFactory);
            Assert.Equal(gen.Generate(7, 50, w).Select(c => c.ToCode()), gen.Generate(7, 50, w).Select(c => c.ToCode()));
        }
        var results = new HashSet<string>();
        foreach (var (platform, program) in Programs(6, 60))
        {
            var sys = new ModelSystem(platform.Config);
            foreach (var c in program)
            {
                c.Prepare(sys);
                long r = c.Invoke(sys);
                string name = c switch { IoctlArgCmd a => Ioctls.Name(a.Cmd), IoctlCmd a => Ioctls.Name(a.Cmd), _ => c.GetType().Name };
                results.Add($"{name} {Errno.Describe(Math.Min(r, 0))}");
            }
        }
        // Maps fail part way (k > 0, shown by the dirty bit their undone WRITE entries leave) for each of the three reasons.
        var partial = new HashSet<long>();
        foreach (var (platform, program) in Programs(6, 60).Where(x => x.Program.Count > 0))
        {
            var sys = new ModelSystem(platform.Config);
            foreach (var c in program)
            {
                c.Prepare(sys);
                var before = Observed.Parse(sys.Snapshot());
                long r = c.Invoke(sys);
                if (r < 0 && DmaRequest.From(c) is { IsMap: true } && Observed.Parse(sys.Snapshot()).Pages.Any(p => p.Value.Dirty && !before.Pages[p.Key].Dirty))
                    partial.Add(r);
            }
        }
        Assert.Superset(new HashSet<long> { -Errno.EFAULT, -Errno.EBUSY, -Errno.EIO }, partial);
        foreach (var wanted in new[] { "MAP_DMA 0", "MAP_DMA -EBUSY", "MAP_DMA -EFAULT", "MAP_DMA -EIO", "MAP_DMA -EINVAL", "MAP_DMA -EPERM",
                     "UNMAP_DMA 0", "UNMAP_DMA -EINVAL", "ENABLE -ENOMEM", "SET_IOMMU -EBUSY", "SPAPR_TCE_GET_INFO -EFAULT",
                     "GROUP_GET_STATUS -EFAULT", "GROUP_GET_DEVICE_FD 0", "HostAllocCmd 0", "HostFreeCmd 0", "ExitCmd 0" })
            Assert.Contains(wanted, results);
    }
}
