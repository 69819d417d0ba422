using BenchmarkDotNet.Running;

namespace TceVerify.Bench;

/// <summary>Benchmarks: implementation vs model, measured in one run (ratios, since the machines are noisy); and
/// <c>engines</c>: our concurrency engine against Microsoft Coyote (<see cref="EngineComparison"/>).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "engines") return EngineComparison.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
