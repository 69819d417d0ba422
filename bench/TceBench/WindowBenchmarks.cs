using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Bench;

/// <summary>
/// Window-scale operations on a 1 GiB window (262,144 entries) holding 1% stale entries: attach (SET_IOMMU,
/// which takes ownership and clears the window) and detach (UNSET_CONTAINER, which hands it back). Each
/// invocation needs fresh stale entries, written in the iteration setup, outside the measurement.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, iterationCount: 30, invocationCount: 1)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class WindowBenchmarks
{
    ITceSystem _model = null!, _impl = null!;
    ulong _scratch;

    [GlobalSetup]
    public void Setup()
    {
        var config = Systems.Large();
        _model = Systems.Create("model", config);
        _impl = Systems.Create("impl", config);
        foreach (var s in new[] { _model, _impl })
            Systems.Run(s, new Script(config).OpenContainer(1).OpenGroup(1, 1).Commands);
        _scratch = Script.ScratchOf(config, 1);
    }

    // Each benchmark detaches only its own system, so each gets its own setup.
    [IterationSetup(Target = nameof(Model_AttachDetach))]
    public void StaleModel() => Stale(_model);

    [IterationSetup(Target = nameof(Impl_AttachDetach))]
    public void StaleImpl() => Stale(_impl);

    void Stale(ITceSystem s)
    {
        Systems.WriteStale(s);
        s.PokeUser(1, _scratch, Abi.Int32(Systems.ContainerFd));
        Systems.Check(s.Ioctl(1, Systems.GroupFd, Ioctls.GroupSetContainer, _scratch), "set_container");
    }

    long AttachDetach(ITceSystem s)
    {
        Systems.Check(s.Ioctl(1, Systems.ContainerFd, Ioctls.SetIommu, Abi.SpaprTceIommu), "set_iommu");
        return s.Ioctl(1, Systems.GroupFd, Ioctls.GroupUnsetContainer, 0);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("attach+detach 1 GiB, 1% stale")]
    public long Model_AttachDetach() => AttachDetach(_model);

    [Benchmark, BenchmarkCategory("attach+detach 1 GiB, 1% stale")]
    public long Impl_AttachDetach() => AttachDetach(_impl);
}
