using System.Diagnostics;
using TceVerify.Harness.Generation;
using TceVerify.Tests.Properties.Infrastructure;
using TceVerify.Tests.Properties.Properties;
using Xunit;
using Xunit.Abstractions;

namespace TceVerify.Tests.Properties.Scratch;

public class Bench(ITestOutputHelper output)
{
    [Fact]
    public void CatalogCost()
    {
        var proc = Process.GetCurrentProcess();
        long totalN = 0; double totalCpu = 0;
        foreach (var p in Catalog.Every)
        {
            proc.Refresh();
            var cpu0 = proc.TotalProcessorTime; long n0 = CampaignRunner.CommandsChecked; var sw = Stopwatch.StartNew();
            p.Check(Systems.Impl);
            proc.Refresh();
            var cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds; long n = CampaignRunner.CommandsChecked - n0;
            totalN += n; totalCpu += cpu;
            output.WriteLine($"{p.Name,-35} {n,7} cmds  cpu {cpu,6:F2}s  wall {sw.Elapsed.TotalSeconds,6:F2}s  {n / cpu,6:F0} cmd/cpu-s  planned>={p.PlannedCommands}");
        }
        output.WriteLine($"TOTAL {totalN} cmds cpu {totalCpu:F1}s => {totalN / totalCpu:F0} cmd/cpu-s");
    }
}
