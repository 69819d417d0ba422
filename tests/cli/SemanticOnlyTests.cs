using System.Text.Json;
using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>
/// --semantic-only: the concurrency checks a user of the driver could observe (final invariants, linearizability),
/// with the lock-discipline checker and the race detector off; shown in the summary and the JSON, recorded in trace
/// files so that replay uses the same checks.
/// </summary>
public sealed class SemanticOnlyTests
{
    [Fact]
    public void Check_semantic_only_finds_the_harm_not_the_rule()
    {
        using var dir = new TempDir();
        string[] args = ["check", "--semantic-only", "--variant", "literal-set-container-unlocked", "--commands", "300", "--schedules", "2000", "--out", dir.Path];
        var r = CliRunner.Run([.. args, "--format", "json"]);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        var json = r.Json();
        Assert.True(json.GetProperty("semanticOnly").GetBoolean());
        var failures = json.GetProperty("failures").EnumerateArray().ToList();
        Assert.NotEmpty(failures);
        Assert.All(failures, f =>
        {
            Assert.NotEqual("DataRace", f.GetProperty("kind").GetString());
            Assert.False(f.GetProperty("clause").GetString()?.StartsWith("LOCK-", StringComparison.Ordinal) ?? false, f.ToString());
        });
        Assert.Contains("INV-7", json.GetProperty("broken").EnumerateArray().Select(e => e.GetString()));

        var human = CliRunner.Run(args);
        Assert.Contains("semantic checks only", human.Out);
    }

    [Fact]
    public void Hunt_semantic_only_records_it_in_the_trace_and_replay_uses_it()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("hunt", "--semantic-only", "--format", "json", "--variant", "literal-set-container-unlocked", "--scenario", "double-set-container",
            "--iterations", "3000", "--workers", "1", "--out", dir.Path);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        var json = r.Json();
        Assert.True(json.GetProperty("semanticOnly").GetBoolean());
        var failure = Assert.Single(json.GetProperty("failures").EnumerateArray());
        Assert.Equal("INV-7", failure.GetProperty("clause").GetString());

        var file = Assert.Single(dir.Files());
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        Assert.True(doc.RootElement.GetProperty("semanticOnly").GetBoolean());
        Assert.False(doc.RootElement.GetProperty("dataRaceDetection").GetBoolean());
        var replay = CliRunner.Run("replay", file);
        Assert.True(replay.Code == ExitCodes.Failure, replay.ToString());
        Assert.Contains("REPRODUCED: FinalCheckFailure (INV-7)", replay.Out);
        Assert.Contains("semantic checks only", replay.Out);

        var human = CliRunner.Run("hunt", "--semantic-only", "--scenario", "map-vs-disable", "--iterations", "50", "--workers", "1");
        Assert.True(human.Code == ExitCodes.Ok, human.ToString());
        Assert.Contains("semantic checks only", human.Out);
    }
}
