using System.Text.Json;
using System.Text.Json.Nodes;
using TceVerify.Cli.Infrastructure;
using TceVerify.Scheduling;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>replay: of a trace file and of a program file; reproduced, passing now, diverged, malformed.</summary>
public sealed class ReplayTests : IClassFixture<ReplayTests.Found>
{
    /// <summary>One trace file (FIND-11 on its literal variant) and one program file (FIND-1 on its literal variant).</summary>
    public sealed class Found : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Trace { get; }
        public string Program { get; }

        public Found()
        {
            var h = CliRunner.Run("hunt", "--variant", "literal-set-container-unlocked", "--scenario", "double-set-container", "--iterations", "2000", "--workers", "1", "--out", Dir.Path);
            Assert.True(h.Code == ExitCodes.Failure, h.ToString());
            Trace = Dir.Files().Single();
            var c = CliRunner.Run("check", "--variant", "literal-map-end-unchecked", "--commands", "1500", "--schedules", "50", "--out", Path.Combine(Dir.Path, "check"));
            Assert.True(c.Code == ExitCodes.Failure, c.ToString());
            Program = Directory.GetFiles(Path.Combine(Dir.Path, "check"), "window-bounds*.json").Single();
        }

        public void Dispose() => Dir.Dispose();
    }

    readonly Found _found;

    public ReplayTests(Found found) => _found = found;

    [Fact]
    public void A_passing_schedule_replays_with_its_interleaving_and_the_state_at_each_step()
    {
        // A complete schedule of the scenario on TceImpl: stop every schedule at its end with a final check, so that
        // the engine reports (and records) it.
        var runner = new TceVerify.Concurrency.ScenarioRunner(TceVerify.Concurrency.Scenarios.Get("double-set-container"));
        var report = new TestingEngine(Configuration.Create().WithRandomGeneratorSeed(3), ctx =>
        {
            runner.Iteration(ctx);
            ctx.AddFinalCheck(() => "stop here");
        }).Run();
        string trace = report.FirstBug!.ReproducibleTrace;
        var r = CliRunner.Run("replay", "--scenario", "double-set-container", "--trace", trace);
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        Assert.Contains("PASSES NOW", r.Out);
        Assert.Contains("T1 set-c2", r.Out);
        Assert.Contains("state:", r.Out);
        Assert.Contains("returned:", r.Out);
        CliRunner.AssertFits(r.Out);
    }

    [Fact]
    public void A_trace_given_on_the_command_line_replays_too()
    {
        var trace = JsonDocument.Parse(File.ReadAllText(_found.Trace)).RootElement.GetProperty("trace").GetString()!;
        var r = CliRunner.Run("replay", "--scenario", "double-set-container", "--variant", "literal-set-container-unlocked", "--trace", trace);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        Assert.Contains("REPRODUCED", r.Out);
    }

    [Fact]
    public void A_trace_that_no_longer_fits_the_code_is_reported_as_diverged()
    {
        var node = JsonNode.Parse(File.ReadAllText(_found.Trace))!;
        var trace = ReproducibleTrace.Parse(node["trace"]!.GetValue<string>());
        node["trace"] = trace.Truncate(trace.Count / 2).ToString();
        string path = Path.Combine(_found.Dir.Path, "cut.json.txt");
        File.WriteAllText(path, node.ToJsonString());
        var r = CliRunner.Run("replay", path);
        Assert.True(r.Code == ExitCodes.Diverged, r.ToString());
        Assert.Contains("NO LONGER APPLIES", r.Out);

        // The variant's schedule does not fit the pristine implementation, which takes the group lock.
        var other = CliRunner.Run("replay", _found.Trace, "--variant", "impl");
        Assert.True(other.Code == ExitCodes.Diverged, other.ToString());
    }

    [Fact]
    public void A_program_file_reproduces_its_failure_and_passes_on_the_pristine_implementation()
    {
        var r = CliRunner.Run("replay", _found.Program);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        Assert.Contains("REPRODUCED", r.Out);
        Assert.Contains("<== fails here", r.Out);
        CliRunner.AssertFits(r.Out);

        var fixedNow = CliRunner.Run("replay", _found.Program, "--variant", "impl");
        Assert.True(fixedNow.Code == ExitCodes.Ok, fixedNow.ToString());
        Assert.Contains("PASSES NOW", fixedNow.Out);
    }

    [Fact]
    public void Missing_and_malformed_files_are_usage_errors()
    {
        string dir = _found.Dir.Path;
        CliRunner.AssertUsageError("no such file", "replay", Path.Combine(dir, "missing.json"));
        CliRunner.AssertUsageError("nothing to replay", "replay");
        CliRunner.AssertUsageError("is a directory", "replay", dir);

        string notJson = Path.Combine(dir, "not.json.txt");
        File.WriteAllText(notJson, "this is not json");
        CliRunner.AssertUsageError("not JSON", "replay", notJson);

        string otherFormat = Path.Combine(dir, "other.json.txt");
        File.WriteAllText(otherFormat, "{\"format\": \"something-else\"}");
        CliRunner.AssertUsageError("not a TceVerify trace", "replay", otherFormat);

        var node = JsonNode.Parse(File.ReadAllText(_found.Trace))!;
        node["trace"] = "TCE1:@@not-base64@@";
        string badTrace = Path.Combine(dir, "bad-trace.json.txt");
        File.WriteAllText(badTrace, node.ToJsonString());
        CliRunner.AssertUsageError("malformed trace", "replay", badTrace);

        node["trace"] = "not a trace";
        File.WriteAllText(badTrace, node.ToJsonString());
        CliRunner.AssertUsageError("TCE1:", "replay", badTrace);

        node = JsonNode.Parse(File.ReadAllText(_found.Trace))!;
        node["scenario"] = "no-such-scenario";
        File.WriteAllText(badTrace, node.ToJsonString());
        CliRunner.AssertUsageError("unknown scenario", "replay", badTrace);

        var program = JsonNode.Parse(File.ReadAllText(_found.Program))!;
        program["program"]![0]!["op"] = "teleport";
        string badProgram = Path.Combine(dir, "bad-program.json.txt");
        File.WriteAllText(badProgram, program.ToJsonString());
        CliRunner.AssertUsageError("unknown op", "replay", badProgram);

        CliRunner.AssertUsageError("unknown scenario", "replay", "--scenario", "nope", "--trace", "TCE1:AA");
        CliRunner.AssertUsageError("unknown variant", "replay", _found.Trace, "--variant", "nope");
    }
}
