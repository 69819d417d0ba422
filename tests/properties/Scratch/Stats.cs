using TceVerify.Contract;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Programs;
using TceVerify.Tests.Properties.Infrastructure;
using TceVerify.Tests.Properties.Properties;
using Xunit;
using Xunit.Abstractions;

namespace TceVerify.Tests.Properties.Scratch;

public class Stats(ITestOutputHelper output)
{
    [Fact]
    public void WorkloadStats()
    {
        foreach (Workload w in Enum.GetValues<Workload>())
        {
            var counts = new SortedDictionary<string, int>();
            var runner = new CampaignRunner(Systems.ModelFactory, null, [], false, false);
            for (int seed = 0; seed < 40; seed++)
            {
                var c = ProgramCase.Generated(Platforms.All[seed % 4], seed, 60, w);
                // rerun to get results
                var o = runner.Run(c);
                var sys = Systems.ModelFactory(c.Config);
                foreach (var cmd in o.Program)
                {
                    cmd.Prepare(sys); long r = cmd.Invoke(sys);
                    string name = cmd switch { IoctlArgCmd a => Ioctls.Name(a.Cmd), IoctlCmd a => Ioctls.Name(a.Cmd), _ => cmd.GetType().Name.Replace("Cmd", "") };
                    string key = $"{name} {(r >= 0 ? "ok" : Errno.Describe(r))}";
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
            output.WriteLine($"== {w}: " + string.Join(", ", counts.Where(kv => kv.Value >= 8).Select(kv => $"{kv.Key}:{kv.Value}")));
        }
    }
}
