using System.Text.Json.Nodes;
using TceVerify.Coyote;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>
/// Bad input around --engine coyote: an unknown engine or Coyote strategy, our engine's options given to Coyote, a COY1
/// trace edited, a TCE1 trace given to the Coyote replay and a COY1 trace to ours. Each is one line on stderr and exit
/// code 2, never a stack trace.
/// </summary>
public sealed class CoyoteInputTests : IClassFixture<CoyoteHuntTests.Found>
{
    readonly CoyoteHuntTests.Found _found;

    public CoyoteInputTests(CoyoteHuntTests.Found found) => _found = found;

    string CoyoteTraceText => _found.TraceJson["trace"]!.GetValue<string>();
    string BuiltinTraceText => _found.BuiltinJson["trace"]!.GetValue<string>();

    [Theory]
    [InlineData("invalid --engine 'warp'", "hunt", "--engine", "warp")]
    [InlineData("invalid --engine ''", "hunt", "--engine", "")]
    [InlineData("dfs is the built-in engine's", "hunt", "--engine", "coyote", "--strategy", "dfs")]
    [InlineData("Coyote's priority-based strategy is prioritization", "hunt", "--engine", "coyote", "--strategy", "pct")]
    [InlineData("invalid --strategy 'bogo' for --engine coyote", "hunt", "--engine", "coyote", "--strategy", "bogo")]
    [InlineData("expected portfolio, random, prioritization", "hunt", "--engine", "coyote", "--strategy", "3")]
    [InlineData("--pct-depth is the depth of the built-in engine's pct", "hunt", "--engine", "coyote", "--pct-depth", "2")]
    [InlineData("--preemptions is the preemption bound", "hunt", "--engine", "coyote", "--preemptions", "1")]
    [InlineData("add --engine coyote", "hunt", "--strategy", "q-learning")]
    [InlineData("Coyote's seeds are 32-bit", "hunt", "--engine", "coyote", "--seed", "99999999999")]
    [InlineData("unknown variant", "hunt", "--engine", "coyote", "--variant", "nope")]
    [InlineData("unknown scenario", "hunt", "--engine", "coyote", "--scenario", "nope")]
    [InlineData("invalid --engine 'warp'", "replay", "--engine", "warp", "--scenario", "double-set-container", "--trace", "COY1:AA")]
    [InlineData("not what this tool wrote", "replay", "--scenario", "double-set-container", "--trace", "COY1:@@@@")]
    [InlineData("expected it to start with 'COY1:'", "replay", "--engine", "coyote", "--scenario", "double-set-container", "--trace", "nonsense")]
    public void Bad_coyote_usage_is_one_line_and_exit_code_2(string expected, params string[] args) =>
        CliRunner.AssertUsageError(expected, args);

    [Fact]
    public void A_trace_given_to_the_other_engine_is_refused()
    {
        CliRunner.AssertUsageError("it is a trace of the builtin engine", "replay", "--engine", "coyote", "--scenario", "double-set-container",
            "--variant", "literal-set-container-unlocked", "--trace", BuiltinTraceText);
        CliRunner.AssertUsageError("it is a trace of the coyote engine", "replay", "--engine", "builtin", "--scenario", "double-set-container",
            "--variant", "literal-set-container-unlocked", "--trace", CoyoteTraceText);
        CliRunner.AssertUsageError("give either FILE", "replay", _found.Trace, "--engine", "coyote");
    }

    /// <summary>A COY1 trace with one character of its text changed (deflate then rejects it, or it decodes to
    /// something that is not a trace).</summary>
    static string Altered(string trace)
    {
        int at = CoyoteTrace.Prefix.Length + (trace.Length - CoyoteTrace.Prefix.Length) / 3;
        return trace[..at] + (trace[at] == 'A' ? 'B' : 'A') + trace[(at + 1)..];
    }

    public static TheoryData<string, string> FileEdits => new()
    {
        { "trace-altered", "malformed trace" },
        { "trace-cut", "malformed trace" },
        { "trace-of-our-engine", "disagrees with the trace, which is a trace of the builtin engine" },
        { "engine-builtin", "disagrees with the trace, which is a trace of the coyote engine" },
        { "engine-unknown", "'engine'" },
        { "engine-null", "'engine'" },
        { "strategy", "'strategy' pct disagrees" },
        { "seed", "'seed'" },
        { "iteration", "'iteration'" },
        { "semanticOnly", "semantic checks only" },
        { "dataRaceDetection", "semantic checks only" },
        { "strategy-in-trace-not-coyote", "not one of Coyote's" },
        { "bugKind", "bugKind" },
        { "clause", "clause" },
    };

    [Theory]
    [MemberData(nameof(FileEdits))]
    public void An_edited_coyote_trace_file_is_one_line_and_exit_code_2(string edit, string fragment)
    {
        var o = _found.TraceJson;
        string trace = CoyoteTraceText;
        switch (edit)
        {
            case "trace-altered": o["trace"] = Altered(trace); break;
            case "trace-cut": o["trace"] = trace[..(trace.Length / 2)]; break;
            case "trace-of-our-engine": o["trace"] = BuiltinTraceText; break;
            case "engine-builtin": o["engine"] = "builtin"; break;
            case "engine-unknown": o["engine"] = "warp"; break;
            case "engine-null": o["engine"] = null; break;
            case "strategy": o["strategy"] = "pct"; break;
            case "seed": o["seed"] = o["seed"]!.GetValue<ulong>() + 1; break;
            case "iteration": o["iteration"] = o["iteration"]!.GetValue<int>() + 1; break;
            case "semanticOnly": o["semanticOnly"] = false; break;
            case "dataRaceDetection": o["dataRaceDetection"] = true; break;
            case "strategy-in-trace-not-coyote":
                var d = CoyoteTrace.Decode(trace);
                o["trace"] = CoyoteTrace.Encode("dfs", d.Seed, d.Schedule - 1, d.Json);
                o["strategy"] = "dfs";
                break;
            case "bugKind": o["bugKind"] = "Meltdown"; break;
            case "clause": o["clause"] = "INV-1"; break;
        }
        string path = Path.Combine(_found.Dir.Path, $"edited-{edit}.json");
        File.WriteAllText(path, o.ToJsonString());
        CliRunner.AssertUsageError(fragment, "replay", path);
    }

    [Fact]
    public void A_builtin_trace_file_given_a_coyote_trace_is_refused()
    {
        var o = (JsonObject)_found.BuiltinJson.DeepClone();
        o.Remove("engine"); // as a file written before there were two engines: the built-in engine's
        o["trace"] = CoyoteTraceText;
        string path = Path.Combine(_found.Dir.Path, "builtin-with-coy1.json");
        File.WriteAllText(path, o.ToJsonString());
        CliRunner.AssertUsageError("'engine' builtin disagrees with the trace, which is a trace of the coyote engine", "replay", path);

        // Without the edit, a file with no engine field is the built-in engine's and replays as before.
        var plain = (JsonObject)_found.BuiltinJson.DeepClone();
        plain.Remove("engine");
        string ok = Path.Combine(_found.Dir.Path, "builtin-no-engine.json");
        File.WriteAllText(ok, plain.ToJsonString());
        var r = CliRunner.Run("replay", ok);
        Assert.True(r.Code == TceVerify.Cli.Infrastructure.ExitCodes.Failure, r.ToString());
        Assert.Contains("REPRODUCED", r.Out);
    }
}
