using TceVerify.Concurrency;
using TceVerify.Harness.Programs;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// Every pair of SET_CONTAINER, UNSET_CONTAINER, SET_IOMMU, ENABLE, DISABLE, MAP_DMA, UNMAP_DMA, GET_INFO,
/// GROUP_GET_STATUS, device fd open and close, group fd close, container fd close, process exit, a host driver
/// allocating and freeing in the same table, a stale host write, an injected write failure and a MAP failing part
/// way, the same operation twice included, in one process and with the second
/// thread in a forked child sharing the fds: each scenario explored exhaustively under the suite's preemption bound
/// and with random schedules, every check on.
/// </summary>
public class PairMatrixTests
{
    public static TheoryData<string> Pairs()
    {
        var data = new TheoryData<string>();
        foreach (var s in PairMatrix.All) data.Add(s.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    [Spec("LOCK-2", "LOCK-3", "LOCK-4", "LOCK-5", "LOCK-6", "LOCK-7", "INV-8", "INV-11")]
    public void Pair_passes_on_pristine(string name)
    {
        var runner = new ScenarioRunner(Scenarios.Get(name));
        var dfs = runner.Run(Scale.Dfs(Scale.PreemptionBound, cap: 5_000));
        Assert.True(dfs.Passed, dfs.ToString());
        var random = runner.Run(Scale.Random(30));
        Assert.True(random.Passed, random.ToString());
    }

    [Fact]
    [Spec("LOCK-6")]
    public void Matrix_covers_every_pair_of_the_eighteen_operations_in_one_and_in_two_processes()
    {
        Assert.Equal(18, PairMatrix.Ops.Count);
        int pairs = 18 * 19 / 2;
        Assert.Equal(2 * pairs, PairMatrix.All.Count);
        foreach (var a in PairMatrix.Ops)
            foreach (var b in PairMatrix.Ops)
                foreach (bool fork in new[] { false, true })
                {
                    var (x, y) = (int)a <= (int)b ? (a, b) : (b, a);
                    Assert.True(Scenarios.TryGet(PairMatrix.NameOf(x, y, fork), out var s), $"{x}+{y}");
                    Assert.Equal(2, s.Threads.Count);
                    Assert.Equal(fork, s.Prefix.OfType<ForkCmd>().Any());
                    if (fork) Assert.All(s.Threads[1].Commands.Where(c => c is not HostAllocCmd and not HostFreeCmd and not HostStaleCmd and not InjectCmd), c => Assert.Contains("pid 3", c.Describe()));
                }
    }

    [Fact]
    [Spec("LOCK-6")]
    public void Same_operation_twice_races_two_enables_two_overlapping_maps_and_two_unsets()
    {
        var enables = Scenarios.Get(PairMatrix.NameOf(Op.Enable, Op.Enable, false));
        Assert.All(enables.Threads, t => Assert.StartsWith("ENABLE", t.Commands.Single().Describe()));
        Assert.Equal(PairMatrix.Prefix(Stage.Iommu, false).Count, enables.Prefix.Count);

        var maps = Scenarios.Get(PairMatrix.NameOf(Op.Map, Op.Map, false));
        var ranges = maps.Threads.Select(t => t.Commands.Single().Describe()).ToList();
        Assert.Contains("iova 0x1000 size 0x2000", ranges[0]);
        Assert.Contains("iova 0x2000 size 0x2000", ranges[1]); // overlaps the first at entry 2

        var unsets = Scenarios.Get(PairMatrix.NameOf(Op.UnsetContainer, Op.UnsetContainer, true));
        Assert.All(unsets.Threads, t => Assert.StartsWith("GROUP_UNSET_CONTAINER", t.Commands.Single().Describe()));
    }

    [Theory]
    [InlineData(Op.SetIommu, Op.Enable, Stage.Joined)]
    [InlineData(Op.Enable, Op.Enable, Stage.Iommu)]
    [InlineData(Op.Map, Op.Unmap, Stage.Mapped)]
    [InlineData(Op.DeviceClose, Op.UnsetContainer, Stage.MappedDevice)]
    [InlineData(Op.GroupClose, Op.ContainerClose, Stage.Mapped)]
    [InlineData(Op.HostAllocFree, Op.SetIommu, Stage.Joined)]
    [Spec("LOCK-6")]
    public void Stage_is_chosen_with_the_model_so_that_the_pair_can_succeed(Op a, Op b, Stage expected)
    {
        Assert.Equal(expected, PairMatrix.ChooseStage(a, b, secondProcess: false));
    }

    [Fact]
    [Spec("LOCK-7", "INV-11")]
    public void Both_orders_of_a_pair_are_explored()
    {
        // SET_IOMMU against ENABLE: ENABLE succeeds only after the attach, and before it finds no driver (CORE-6).
        var runner = new ScenarioRunner(Scenarios.Get(PairMatrix.NameOf(Op.SetIommu, Op.Enable, false)));
        var enableResults = new HashSet<long>();
        var engine = new TceVerify.Scheduling.TestingEngine(Scale.Dfs(1), ctx =>
        {
            runner.Iteration(ctx);
            ctx.AddFinalCheck(() =>
            {
                enableResults.Add(runner.LastHistory.Single(h => h.Thread == 1).Result);
                return null;
            });
        });
        Assert.Null(engine.Run().FirstBug);
        Assert.Contains(0L, enableResults);
        Assert.Contains(-(long)TceVerify.Contract.Errno.EINVAL, enableResults);
    }

    [Fact]
    [Spec("LOCK-6", "CORE-23", "CORE-24", "MAP-10", "MAP-11", "HOST-6", "HOST-7")]
    public void Pairs_meet_on_one_object_and_run_the_host_in_a_thread()
    {
        // SET_CONTAINER and UNSET_CONTAINER on one group (group 2, fd 5), in both processes.
        foreach (bool fork in new[] { false, true })
        {
            var setUnset = Scenarios.Get(PairMatrix.NameOf(Op.SetContainer, Op.UnsetContainer, fork));
            Assert.All(setUnset.Threads, t => Assert.Contains($"fd {PairMatrix.Group2Fd}", t.Commands.Single().Describe()));
        }
        // The failing MAP covers entries 0 .. 2: the UNMAP's entry 0 and the MAP's entries 1 and 2.
        var partial = Scenarios.Get(PairMatrix.NameOf(Op.Map, Op.PartialMap, false));
        Assert.Contains("iova 0x0 size 0x3000", partial.Threads[1].Commands.Single().Describe());
        Assert.Contains("iova 0x1000 size 0x2000", partial.Threads[0].Commands.Single().Describe());
        // Run one after the other on the model, the partial MAP fails part way (-EFAULT at its read-only third page)
        // in some order against the UNMAP of the same entries.
        var unmapPartial = Scenarios.Get(PairMatrix.NameOf(Op.Unmap, Op.PartialMap, false));
        var model = new TceVerify.Model.ModelSystem(unmapPartial.Config);
        foreach (var c in unmapPartial.Prefix.Concat(unmapPartial.Threads[0].Commands)) { c.Prepare(model); c.Invoke(model); }
        var map = unmapPartial.Threads[1].Commands.Single();
        map.Prepare(model);
        Assert.Equal(-(long)TceVerify.Contract.Errno.EFAULT, map.Invoke(model));
        // The host's stale writes and injections run in threads, against every other operation.
        Assert.Contains(PairMatrix.All, p => p.Threads.Any(t => t.Commands.Any(c => c is HostStaleCmd)) && p.Threads.Any(t => t.Commands.Any(c => c.Describe().StartsWith("SET_IOMMU", StringComparison.Ordinal))));
        Assert.Contains(PairMatrix.All, p => p.Threads.Any(t => t.Commands.Any(c => c is InjectCmd)) && p.Threads.Any(t => t.Commands.Any(c => c.Describe().StartsWith("MAP_DMA", StringComparison.Ordinal))));
    }
}
