using System.Text.Json;
using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>hunt: passes on TceImpl, finds and writes the FIND-11 race on its literal variant, stops on cancellation.</summary>
public sealed class HuntTests
{
    [Fact]
    public void Hunt_on_TceImpl_finds_nothing()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("hunt", "--scenario", "map-vs-disable", "--scenario", "double-set-container", "--iterations", "300", "--workers", "1", "--out", dir.Path);
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        Assert.Contains("schedules explored", r.Out);
        Assert.Contains("none", r.Out);
        Assert.Empty(dir.Files());
        CliRunner.AssertFits(r.Out);
    }

    [Fact]
    public void Hunt_finds_the_set_container_race_writes_a_trace_file_and_prints_its_replay_command()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("hunt", "--variant", "literal-set-container-unlocked", "--scenario", "double-set-container",
            "--iterations", "2000", "--workers", "1", "--out", dir.Path);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        var file = Assert.Single(dir.Files());
        Assert.Contains($"replay {Common(file)}", r.Out.Replace('\\', '/'));
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var t = doc.RootElement;
        Assert.Equal("tceverify/1", t.GetProperty("format").GetString());
        Assert.Equal("schedule", t.GetProperty("kind").GetString());
        Assert.Equal("double-set-container", t.GetProperty("scenario").GetString());
        Assert.Equal("literal-set-container-unlocked", t.GetProperty("variant").GetString());
        Assert.StartsWith("portfolio", t.GetProperty("strategy").GetString());
        Assert.Equal(JsonValueKind.Number, t.GetProperty("seed").ValueKind);
        Assert.StartsWith("TCE1:", t.GetProperty("trace").GetString());
        Assert.False(string.IsNullOrEmpty(t.GetProperty("message").GetString()));
        Assert.Contains("step", t.GetProperty("readableTrace").GetString());
        Assert.Contains(" replay ", t.GetProperty("replay").GetString());

        // The trace reproduces the failure, step by step, and on the pristine implementation the schedule passes.
        var again = CliRunner.Run("replay", file);
        Assert.True(again.Code == ExitCodes.Failure, again.ToString());
        Assert.Contains("REPRODUCED", again.Out);
        Assert.DoesNotContain("DIFFERENT", again.Out);
        Assert.Contains("T0 set-c1", again.Out);
        Assert.Contains("state:", again.Out);
        CliRunner.AssertFits(again.Out);
    }

    static string Common(string path) => Path.GetRelativePath(Directory.GetCurrentDirectory(), path).Replace('\\', '/') is var rel && !rel.StartsWith("..", StringComparison.Ordinal) ? rel : path.Replace('\\', '/');

    [Fact]
    public void Hunt_json_output_parses_and_reports_the_shard_seeds()
    {
        var r = CliRunner.Run("hunt", "--format", "json", "--scenario", "ownership-vs-host-alloc", "--shard", "1/3", "--batch", "10",
            "--iterations", "40", "--workers", "1", "--strategy", "random");
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        var json = r.Json();
        Assert.Equal("hunt", json.GetProperty("command").GetString());
        Assert.Equal("1/3", json.GetProperty("shard").GetString());
        Assert.Equal(40, json.GetProperty("schedules").GetInt64());
        Assert.Equal(4, json.GetProperty("units").GetInt64());
        Assert.Equal(1UL, json.GetProperty("firstSeed").GetUInt64());
        Assert.Equal(10UL, json.GetProperty("lastSeed").GetUInt64()); // seeds 1, 4, 7, 10
        Assert.Equal(0, json.GetProperty("failures").GetArrayLength());
    }

    [Fact]
    public void Hunt_in_generated_scenarios_and_with_dfs_runs()
    {
        var generated = CliRunner.Run("hunt", "--format", "json", "--threads", "3", "--iterations", "60", "--batch", "20", "--workers", "1");
        Assert.True(generated.Code is ExitCodes.Ok or ExitCodes.Failure, generated.ToString());
        Assert.Equal(60, generated.Json().GetProperty("schedules").GetInt64());

        var dfs = CliRunner.Run("hunt", "--format", "json", "--strategy", "dfs", "--scenario", "double-set-container", "--preemptions", "1", "--workers", "1");
        Assert.True(dfs.Code == ExitCodes.Ok, dfs.ToString());
        Assert.Contains("double-set-container", dfs.Json().GetProperty("exhausted").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Cancelling_a_hunt_stops_it_and_still_writes_and_reports_what_it_found()
    {
        using var dir = new TempDir();
        using var cts = new CancellationTokenSource();
        // Cancel as soon as the first failure is reported; the hunt would otherwise go on for a hundred million schedules.
        var output = new TriggerWriter("FAIL ", cts.Cancel);
        var run = Task.Run(() => CliRunner.Run(output, cts.Token, "hunt", "--variant", "literal-set-container-unlocked",
            "--scenario", "double-set-container", "--scenario", "map-vs-disable", "--keep-going", "--iterations", "100000000", "--out", dir.Path));
        var r = await run.WaitAsync(TimeSpan.FromMinutes(2)); // a hang fails instead of blocking the run
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        Assert.Contains("(interrupted)", r.Out);
        Assert.NotEmpty(dir.Files());
        Assert.Contains("Replay:", r.Out);
    }
}
