using System.Text.Json;
using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>
/// A bug found in many places is reported once: each distinct failure (kind, clause, where) with the number of times it
/// was found and its shortest witness (one file), and the summary and the JSON name what broke (a lock rule, an
/// invariant), never "every invariant held" over a failure.
/// </summary>
public sealed class FailureGroupTests
{
    [Fact]
    public void Check_reports_each_distinct_failure_once_with_its_repeats_and_its_shortest_witness()
    {
        using var dir = new TempDir();
        string[] args = ["check", "--variant", "literal-set-container-unlocked", "--commands", "300", "--schedules", "600", "--out", dir.Path];
        var json = CliRunner.Run([.. args, "--format", "json"]);
        Assert.True(json.Code == ExitCodes.Failure, json.ToString());
        var doc = json.Json();
        var failures = doc.GetProperty("failures").EnumerateArray().ToList();
        Assert.NotEmpty(failures);
        var keys = failures.Select(f => $"{f.GetProperty("kind").GetString()}|{f.GetProperty("clause").GetString()}|{f.GetProperty("where").GetString()}").ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.True(failures.Count <= 10, $"{failures.Count} failures reported: {string.Join("; ", keys)}");

        // The lock rule broken in every scenario's setup is one failure, found many times, with its shortest witness.
        var flood = failures.OrderByDescending(f => f.GetProperty("occurrences").GetInt32()).First();
        Assert.Equal("LOCK-3", flood.GetProperty("clause").GetString());
        Assert.True(flood.GetProperty("occurrences").GetInt32() > 100, flood.ToString());
        var foundIn = flood.GetProperty("foundIn").EnumerateArray().ToList();
        Assert.Equal(flood.GetProperty("occurrences").GetInt32(), foundIn.Count);
        int shortest = foundIn.Min(o => o.GetProperty("size").GetInt32());
        Assert.Equal(shortest, flood.GetProperty("witness").GetProperty("size").GetInt32());

        // One file per distinct failure, and the summary names the broken rule.
        Assert.Equal(failures.Count, dir.Files().Length);
        Assert.Contains("LOCK-3", doc.GetProperty("broken").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("LOCK-3", doc.GetProperty("invariants").GetProperty("held").EnumerateArray().Select(e => e.GetString()));

        var human = CliRunner.Run(args);
        Assert.True(human.Code == ExitCodes.Failure, human.ToString());
        var lines = human.Out.Split('\n');
        Assert.True(lines.Length < 150, $"{lines.Length} lines printed");
        Assert.Contains(lines, l => l.Contains("broken", StringComparison.Ordinal) && l.Contains("LOCK-3", StringComparison.Ordinal));
        Assert.Contains("found in ", human.Out);
    }

    [Fact]
    public void Hunt_reports_each_distinct_failure_once_over_every_scenario()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("hunt", "--format", "json", "--variant", "literal-set-container-unlocked", "--iterations", "600", "--workers", "1", "--out", dir.Path);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        var failures = r.Json().GetProperty("failures").EnumerateArray().ToList();
        var keys = failures.Select(f => $"{f.GetProperty("kind").GetString()}|{f.GetProperty("clause").GetString()}|{f.GetProperty("where").GetString()}").ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.True(failures.Count <= 10, $"{failures.Count} failures reported");
        Assert.Contains(failures, f => f.GetProperty("occurrences").GetInt32() > 100);
        Assert.Equal(failures.Count, dir.Files().Length);
        foreach (var f in failures)
            Assert.True(File.Exists(f.GetProperty("file").GetString()), f.ToString());
    }
}
