using System.Text.Json.Nodes;
using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>
/// Every field of every input file is validated: an edited or broken field is one line on stderr and exit code 2,
/// never an internal error (70) and never silently replaced or ignored. The same for empty option values.
/// </summary>
public sealed class ValidationTests : IClassFixture<ValidationTests.Files>
{
    /// <summary>A trace of a registered scenario, a trace of a generated scenario, and a program file.</summary>
    public sealed class Files : IDisposable
    {
        public TempDir Dir { get; } = new();
        public JsonObject Trace { get; }
        public JsonObject Generated { get; }
        public JsonObject Program { get; }

        public Files()
        {
            var h = CliRunner.Run("hunt", "--variant", "literal-set-container-unlocked", "--scenario", "double-set-container", "--iterations", "200",
                "--workers", "1", "--out", Path.Combine(Dir.Path, "t"));
            Assert.True(h.Code == ExitCodes.Failure, h.ToString());
            Trace = Load(Directory.GetFiles(Path.Combine(Dir.Path, "t")).First());
            var g = CliRunner.Run("hunt", "--variant", "no-mutex-on-enable", "--threads", "3", "--iterations", "200", "--batch", "20",
                "--workers", "1", "--out", Path.Combine(Dir.Path, "g"));
            Assert.True(g.Code == ExitCodes.Failure, g.ToString());
            Generated = Load(Directory.GetFiles(Path.Combine(Dir.Path, "g")).First());
            var c = CliRunner.Run("check", "--variant", "literal-map-end-unchecked", "--commands", "300", "--schedules", "20", "--out", Path.Combine(Dir.Path, "p"));
            Assert.True(c.Code == ExitCodes.Failure, c.ToString());
            Program = Load(Directory.GetFiles(Path.Combine(Dir.Path, "p")).First(f => File.ReadAllText(f).Contains("\"kind\": \"program\"", StringComparison.Ordinal)));
        }

        static JsonObject Load(string path) => (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;

        public void Dispose() => Dir.Dispose();
    }

    readonly Files _files;

    public ValidationTests(Files files) => _files = files;

    /// <summary>Writes an edited copy of a file; returns its path.</summary>
    string Edited(JsonObject original, Action<JsonObject> edit)
    {
        var copy = (JsonObject)original.DeepClone();
        edit(copy);
        string path = Path.Combine(_files.Dir.Path, $"edited-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, copy.ToJsonString());
        return path;
    }

    static JsonObject Definition(JsonObject o) => (JsonObject)o["scenarioDefinition"]!;

    static JsonArray Threads(JsonObject o) => (JsonArray)Definition(o)["threads"]!;

    public static TheoryData<string, string> TraceEdits => new()
    {
        { "seed", "seed" },
        { "iteration", "iteration" },
        { "negative-iteration", "iteration" },
        { "strategy", "strategy" },
        { "bugKind", "bugKind" },
        { "clause", "clause" },
        { "maxSchedulingSteps", "maxSchedulingSteps" },
        { "empty-variant", "variant" },
        { "unknown-field", "unknown field 'colour'" },
        { "null-trace", "trace" },
        { "wrong-type", "seed" },
        { "definition-for-registered", "scenarioDefinition" },
        { "semanticOnly", "semanticOnly" },
    };

    [Theory]
    [MemberData(nameof(TraceEdits))]
    public void An_edited_trace_file_is_one_line_and_exit_code_2(string edit, string fragment)
    {
        string path = Edited(_files.Trace, o =>
        {
            switch (edit)
            {
                case "seed": o["seed"] = o["seed"]!.GetValue<ulong>() + 1; break;
                case "iteration": o["iteration"] = o["iteration"]!.GetValue<int>() + 1; break;
                case "negative-iteration": o["iteration"] = -1; break;
                case "strategy": o["strategy"] = "dfs(pb=9)"; break;
                case "bugKind": o["bugKind"] = "Meltdown"; break;
                case "clause": o["clause"] = "XYZ-1"; break;
                case "maxSchedulingSteps": o["maxSchedulingSteps"] = -5; break;
                case "empty-variant": o["variant"] = ""; break;
                case "unknown-field": o["colour"] = "blue"; break;
                case "null-trace": o["trace"] = null; break;
                case "wrong-type": o["seed"] = "seven"; break;
                case "definition-for-registered": o["scenarioDefinition"] = _files.Generated["scenarioDefinition"]!.DeepClone(); break;
                case "semanticOnly": o["semanticOnly"] = "maybe"; break;
            }
        });
        CliRunner.AssertUsageError(fragment, "replay", path);
    }

    public static TheoryData<string, string> DefinitionEdits => new()
    {
        { "12-threads", "threads" },
        { "no-threads", "threads" },
        { "platform-mars", "platform" },
        { "pageShift-99", "pageShift" },
        { "pageShift-disagrees", "pageShift" },
        { "same-thread-names", "thread" },
        { "empty-thread", "thread" },
        { "bad-command", "command" },
        { "name-disagrees", "name" },
        { "unknown-field", "unknown field" },
    };

    [Theory]
    [MemberData(nameof(DefinitionEdits))]
    public void An_edited_scenario_definition_is_one_line_and_exit_code_2(string edit, string fragment)
    {
        string path = Edited(_files.Generated, o =>
        {
            var d = Definition(o);
            var threads = Threads(o);
            switch (edit)
            {
                case "12-threads":
                    while (threads.Count < 12)
                    {
                        var copy = threads[0]!.DeepClone();
                        copy["name"] = $"T{threads.Count}";
                        threads.Add(copy);
                    }
                    break;
                case "no-threads": threads.Clear(); break;
                case "platform-mars": d["platform"] = "mars"; break;
                case "pageShift-99": d["pageShift"] = 99; break;
                case "pageShift-disagrees": d["pageShift"] = d["pageShift"]!.GetValue<int>() == 12 ? 16 : 12; break;
                case "same-thread-names": threads[1]!["name"] = threads[0]!["name"]!.GetValue<string>(); break;
                case "empty-thread": ((JsonArray)threads[0]!["commands"]!).Clear(); break;
                case "bad-command": ((JsonArray)threads[0]!["commands"]!)[0]!["pid"] = "one"; break;
                case "name-disagrees": d["name"] = "gen/999999"; break;
                case "unknown-field": d["priority"] = 3; break;
            }
        });
        CliRunner.AssertUsageError(fragment, "replay", path);
    }

    public static TheoryData<string, string> ProgramEdits => new()
    {
        { "platform-mars", "platform" },
        { "pageShift-99", "pageShift" },
        { "pageShift-disagrees", "pageShift" },
        { "property", "property" },
        { "failureKind", "failureKind" },
        { "failedStep-0", "failedStep" },
        { "failedStep-past-the-end", "failedStep" },
        { "empty-variant", "variant" },
        { "unknown-field", "unknown field" },
        { "command-unknown-field", "unknown field" },
        { "command-out-of-range", "pid" },
    };

    [Theory]
    [MemberData(nameof(ProgramEdits))]
    public void An_edited_program_file_is_one_line_and_exit_code_2(string edit, string fragment)
    {
        string path = Edited(_files.Program, o =>
        {
            var program = (JsonArray)o["program"]!;
            switch (edit)
            {
                case "platform-mars": o["platform"] = "mars"; break;
                case "pageShift-99": o["pageShift"] = 99; break;
                case "pageShift-disagrees": o["pageShift"] = o["pageShift"]!.GetValue<int>() == 12 ? 16 : 12; break;
                case "property": o["property"] = "no such property"; break;
                case "failureKind": o["failureKind"] = "meltdown"; break;
                case "failedStep-0": o["failedStep"] = 0; break;
                case "failedStep-past-the-end": o["failedStep"] = program.Count + 1; break;
                case "empty-variant": o["variant"] = ""; break;
                case "unknown-field": o["colour"] = "blue"; break;
                case "command-unknown-field": program[0]!["colour"] = "blue"; break;
                case "command-out-of-range": program[0]!["pid"] = 1L << 40; break;
            }
        });
        CliRunner.AssertUsageError(fragment, "replay", path);
    }

    [Theory]
    [InlineData("variant", "check", "--variant", "")]
    [InlineData("variant", "hunt", "--variant", "")]
    [InlineData("variant", "catalog", "--only", "")]
    [InlineData("format", "check", "--format", "")]
    [InlineData("--out", "check", "--out", "", "--commands", "20", "--schedules", "1")]
    [InlineData("--out", "hunt", "--out", "", "--iterations", "1")]
    [InlineData("scenario", "hunt", "--scenario", "")]
    public void An_empty_option_value_is_one_line_and_exit_code_2(string fragment, params string[] args) =>
        CliRunner.AssertUsageError(fragment, args);

    [Fact]
    public void An_empty_variant_on_replay_is_rejected_too()
    {
        string path = Edited(_files.Trace, _ => { });
        CliRunner.AssertUsageError("variant", "replay", path, "--variant", "");
    }
}
