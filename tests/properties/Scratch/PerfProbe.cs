using System.Diagnostics;
using TceVerify.Harness.Generation;
using TceVerify.Tests.Properties.Infrastructure;
using TceVerify.Tests.Properties.Properties;
using Xunit;
using Xunit.Abstractions;

namespace TceVerify.Tests.Properties.Scratch;

public class PerfProbe(ITestOutputHelper output)
{
    [Fact]
    public void Throughput()
    {
        foreach (var p in Catalog.Every)
        {
            var runner = p.RunnerFor(Systems.Impl);
            long n = 0; var sw = Stopwatch.StartNew(); int fails = 0;
            for (int seed = 0; seed < 20; seed++)
            {
                var c = ProgramCase.Generated(p.Platforms[seed % p.Platforms.Count], seed, 60, p.Workloads[seed % p.Workloads.Count]);
                var o = runner.Run(c);
                n += o.Program.Count;
                if (!o.Result.Ok) { fails++; if (fails < 2) output.WriteLine(p.Report(Systems.Impl, c, o)); }
            }
            output.WriteLine($"{p.Name}: {n} in {sw.ElapsedMilliseconds} ms = {n / sw.Elapsed.TotalSeconds:F0}/s fails {fails}");
        }
    }
}
