using System.Text.Json;
using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>check: the main job, on TceImpl (all holds) and on catalog entries (a bug is found, with a replay line).</summary>
public sealed class CheckTests
{
    // Small budgets: a few programs per property, about one schedule per pair scenario.
    static readonly string[] Small = ["--commands", "1500", "--schedules", "300", "--seed", "1"];

    [Fact]
    public void Check_on_TceImpl_holds_and_prints_the_summary()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run([.. "check".Split(' '), .. Small, "--out", dir.Path]);
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        Assert.Contains("commands checked", r.Out);
        Assert.Contains("schedules explored", r.Out);
        Assert.Contains("invariants held", r.Out);
        Assert.Contains("PASSED", r.Out);
        Assert.Empty(dir.Files()); // nothing failed, so nothing was written
        CliRunner.AssertFits(r.Out);
    }

    [Fact]
    public void Check_on_a_sequential_entry_fails_with_a_replay_line_and_a_program_file()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run([.. "check --variant literal-map-end-unchecked".Split(' '), .. Small, "--out", dir.Path]);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        Assert.Contains("FAILED", r.Out);
        Assert.Contains("window bounds", r.Out);
        Assert.Contains(" replay ", r.Out);
        Assert.Contains("INV-2", r.Out);
        var files = dir.Files();
        Assert.NotEmpty(files);
        foreach (var f in files) Assert.Contains(Path.GetFileName(f), r.Out);
        CliRunner.AssertFits(r.Out.Split("Regression test")[0]);
    }

    [Fact]
    public void Check_on_a_concurrency_only_entry_fails_in_the_schedules_and_writes_a_trace()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("check", "--variant", "literal-set-container-unlocked", "--commands", "300", "--schedules", "600", "--out", dir.Path);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        Assert.Contains("FAIL schedule", r.Out);
        Assert.DoesNotContain("FAIL program", r.Out);
        Assert.NotEmpty(dir.Files());
        foreach (var trace in dir.Files())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(trace));
            Assert.Equal("schedule", doc.RootElement.GetProperty("kind").GetString());
            Assert.StartsWith("TCE1:", doc.RootElement.GetProperty("trace").GetString());
            Assert.Contains($"replay {Path.GetFileName(trace)}", r.Out.Replace('\\', '/').Replace(dir.Path.Replace('\\', '/') + "/", ""));
        }
    }

    [Fact]
    public void Check_json_output_parses_and_names_every_property_and_failure()
    {
        using var dir = new TempDir();
        // An entry that breaks INV-4 on every platform (literal-charge-window-bytes needs 64 KiB pages, which this small
        // budget may not draw for the INV-4 property).
        var r = CliRunner.Run([.. "check --format json --variant enable-charges-twice".Split(' '), .. Small, "--out", dir.Path]);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        var json = r.Json();
        Assert.Equal("check", json.GetProperty("command").GetString());
        Assert.Equal("failed", json.GetProperty("verdict").GetString());
        Assert.Equal(1, json.GetProperty("exitCode").GetInt32());
        Assert.True(json.GetProperty("commandsChecked").GetInt64() > 0);
        Assert.True(json.GetProperty("schedulesExplored").GetInt64() > 0);
        Assert.Equal(TceVerify.Harness.Generation.PropertyCatalog.Every.Count + 1, json.GetProperty("properties").GetArrayLength()); // and the finding scripts
        var failure = json.GetProperty("failures")[0];
        Assert.Contains(" replay ", failure.GetProperty("replay").GetString());
        Assert.True(File.Exists(failure.GetProperty("file").GetString()));
        Assert.Contains("INV-4", json.GetProperty("invariants").GetProperty("broken").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Check_is_deterministic_for_a_seed()
    {
        string[] args = ["check", "--format", "json", "--commands", "600", "--schedules", "100", "--seed", "42", "--workers", "1"];
        var a = CliRunner.Run(args).Json();
        var b = CliRunner.Run(args).Json();
        Assert.Equal(a.GetProperty("commandsChecked").GetInt64(), b.GetProperty("commandsChecked").GetInt64());
        Assert.Equal(a.GetProperty("programsChecked").GetInt64(), b.GetProperty("programsChecked").GetInt64());
        Assert.Equal(a.GetProperty("schedulesExplored").GetInt64(), b.GetProperty("schedulesExplored").GetInt64());
    }

    [Fact]
    public void Check_cancelled_before_it_starts_reports_an_interruption()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = CliRunner.Run(cts.Token, "check", "--commands", "100000", "--schedules", "100000");
        Assert.True(r.Code == ExitCodes.Interrupted, r.ToString());
        Assert.Contains("Interrupted", r.Out);
    }
}
