using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Bench;

/// <summary>
/// MAP/UNMAP of 1 and 512 pages and GET_INFO, model (baseline) against implementation: the Ratio column is
/// implementation time / model time, measured in the same run.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class DriverBenchmarks
{
    ITceSystem _model = null!, _impl = null!;
    ulong _scratch;
    byte[] _map1 = null!, _unmap1 = null!, _map512 = null!, _unmap512 = null!, _info = null!;

    [GlobalSetup]
    public void Setup()
    {
        var config = Systems.Large();
        _model = Systems.Create("model", config);
        _impl = Systems.Create("impl", config);
        Systems.Setup(_model);
        Systems.Setup(_impl);
        _scratch = Script.ScratchOf(config, 1);
        ulong vaddr = Script.VaddrOf(config, 1, 0);
        _map1 = Abi.DmaMap(32, Script.RW, vaddr, 0x100000, 0x1000);
        _unmap1 = Abi.DmaUnmap(24, 0, 0x100000, 0x1000);
        _map512 = Abi.DmaMap(32, Script.RW, vaddr, 0x200000, 512 << 12);
        _unmap512 = Abi.DmaUnmap(24, 0, 0x200000, 512 << 12);
        _info = Abi.TceInfo(16);
    }

    long Ioctl(ITceSystem s, uint cmd, byte[] arg)
    {
        s.PokeUser(1, _scratch, arg);
        return s.Ioctl(1, Systems.ContainerFd, cmd, _scratch);
    }

    long MapUnmap(ITceSystem s, byte[] map, byte[] unmap)
    {
        Systems.Check(Ioctl(s, Ioctls.MapDma, map), "map");
        return Ioctl(s, Ioctls.UnmapDma, unmap);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("map+unmap 1 page")]
    public long Model_MapUnmap1() => MapUnmap(_model, _map1, _unmap1);

    [Benchmark, BenchmarkCategory("map+unmap 1 page")]
    public long Impl_MapUnmap1() => MapUnmap(_impl, _map1, _unmap1);

    [Benchmark(Baseline = true), BenchmarkCategory("map+unmap 512 pages")]
    public long Model_MapUnmap512() => MapUnmap(_model, _map512, _unmap512);

    [Benchmark, BenchmarkCategory("map+unmap 512 pages")]
    public long Impl_MapUnmap512() => MapUnmap(_impl, _map512, _unmap512);

    [Benchmark(Baseline = true), BenchmarkCategory("get_info")]
    public long Model_GetInfo() => Ioctl(_model, Ioctls.SpaprTceGetInfo, _info);

    [Benchmark, BenchmarkCategory("get_info")]
    public long Impl_GetInfo() => Ioctl(_impl, Ioctls.SpaprTceGetInfo, _info);
}
