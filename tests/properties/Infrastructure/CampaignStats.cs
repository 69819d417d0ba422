using System.Diagnostics;
using System.Runtime.CompilerServices;
using TceVerify.Harness.Generation;

namespace TceVerify.Tests.Properties.Infrastructure;

/// <summary>
/// Opt-in throughput report: with <c>TCEVERIFY_STATS=&lt;file&gt;</c> set, the test process appends one line at exit with
/// the commands the campaign checked, the wall time since the assembly loaded, the process CPU time, and the rates.
/// <c>TCEVERIFY_STATS=1 dotnet test tests/properties -c Release</c> then <c>cat</c> the file. Reports only, never asserts
/// on time (tests stay deterministic).
/// </summary>
static class CampaignStats
{
    public const string Variable = "TCEVERIFY_STATS";

    [ModuleInitializer]
    internal static void Register()
    {
        var target = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(target)) return;
        var wall = Stopwatch.StartNew();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            long n = CampaignRunner.CommandsChecked;
            double cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, secs = wall.Elapsed.TotalSeconds;
            var line = $"{DateTime.UtcNow:O} commands={n} wall={secs:F1}s cpu={cpu:F1}s " +
                       $"commands/wall-s={n / Math.Max(secs, 1e-9):F0} commands/cpu-s={n / Math.Max(cpu, 1e-9):F0} cores={Environment.ProcessorCount}";
            File.AppendAllText(target == "1" ? Path.Combine(Path.GetTempPath(), "tceverify-stats.txt") : target, line + Environment.NewLine);
        };
    }
}
