using BenchmarkDotNet.Running;

namespace TceVerify.Bench;

/// <summary>Benchmarks: implementation vs model, measured in one run (ratios, since the machines are noisy).</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
