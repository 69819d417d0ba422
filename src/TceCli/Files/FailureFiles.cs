using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TceVerify.Campaigns;
using TceVerify.Cli.Infrastructure;
using TceVerify.Concurrency;
using TceVerify.Contract;
using TceVerify.Harness.Generation;

namespace TceVerify.Cli.Files;

/// <summary>
/// A failing concurrent schedule, as hunt and check write it and replay reads it: which scenario on which system,
/// how it was found (engine, strategy, seed, iteration), the compact trace that replays it (TCE1 for our engine, COY1
/// for Coyote), what failed, and the readable per-thread trace with the model-level state at each step (for Coyote,
/// which records only its choices, the calls of the schedule).
/// </summary>
public sealed class ScheduleFile
{
    public const string KindName = "schedule";

    public string Format { get; set; } = FailureFiles.FormatName;
    public string Kind { get; set; } = KindName;
    public string Scenario { get; set; } = "";
    /// <summary>"impl" or a catalog entry.</summary>
    public string Variant { get; set; } = Target.ImplName;
    /// <summary>The engine that found the schedule and replays it: "builtin" (a TCE1 trace) or "coyote" (a COY1 trace);
    /// files written before there were two engines have none, and are the built-in engine's.</summary>
    public string Engine { get; set; } = TceVerify.Campaigns.Engine.Builtin.Name();
    public string Strategy { get; set; } = "";
    public ulong Seed { get; set; }
    public int Iteration { get; set; }
    public string Trace { get; set; } = "";
    public string BugKind { get; set; } = "";
    public string? Clause { get; set; }
    public string Message { get; set; } = "";
    public int MaxSchedulingSteps { get; set; }
    public bool DataRaceDetection { get; set; } = true;
    /// <summary>Found with the semantic checks only (lock discipline and race detection off); replay uses the same.</summary>
    public bool SemanticOnly { get; set; }
    public string FoundBy { get; set; } = "";
    public string Replay { get; set; } = "";
    public string ReadableTrace { get; set; } = "";
    /// <summary>The scenario itself, when it is not registered by name (a generated scenario).</summary>
    public JsonObject? ScenarioDefinition { get; set; }
}

/// <summary>
/// A failing sequential program, shrunk, as check writes it and replay reads it: the property that failed, the
/// platform, the commands, the failing step and why, and the full failure report.
/// </summary>
public sealed class ProgramFile
{
    public const string KindName = "program";

    public string Format { get; set; } = FailureFiles.FormatName;
    public string Kind { get; set; } = KindName;
    public string Property { get; set; } = "";
    public string Variant { get; set; } = Target.ImplName;
    public string Platform { get; set; } = "";
    public int PageShift { get; set; }
    /// <summary>The generated case the failure was found in (before shrinking), when it was generated.</summary>
    public string? FoundIn { get; set; }
    public string FailureKind { get; set; } = "";
    public int FailedStep { get; set; }
    public string Message { get; set; } = "";
    public string Replay { get; set; } = "";
    public JsonArray Program { get; set; } = [];
    public string Report { get; set; } = "";
    /// <summary>The paste-ready regression test: a whole file of tests/properties.</summary>
    public string? RegressionTest { get; set; }
}

/// <summary>Reads and writes the failure files (JSON).</summary>
public static class FailureFiles
{
    public const string FormatName = "tceverify/1";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Files and terminals, not HTML: keep quotes and '<' readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <paramref name="value"/> to DIR/NAME.json (replacing an older file of that name: names are
    /// derived from what failed and where, so a re-run that finds the same failure writes the same file); returns the path.</summary>
    public static string Write<T>(string dir, string name, T value, Func<string, T>? withPath = null)
    {
        try { Directory.CreateDirectory(dir); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw new UsageException($"cannot create the output directory '{dir}': {ex.Message}"); }
        string path = Path.Combine(dir, Values.FileSafe(name) + ".json");
        if (withPath is not null) value = withPath(path);
        try { File.WriteAllText(path, JsonSerializer.Serialize(value, Json) + "\n"); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw new UsageException($"cannot write '{path}': {ex.Message}"); }
        return path;
    }

    /// <summary>A file replay can read: one of the two kinds.</summary>
    public abstract record Loaded;
    public sealed record LoadedSchedule(ScheduleFile File) : Loaded;
    public sealed record LoadedProgram(ProgramFile File) : Loaded;

    /// <summary>Reads a failure file; a missing, unreadable or malformed file is a <see cref="UsageException"/>.</summary>
    public static Loaded Read(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"'{path}' is a directory, not a trace or program file");
        if (!File.Exists(path)) throw new UsageException($"no such file: '{path}'");
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw new UsageException($"cannot read '{path}': {ex.Message}"); }
        return Parse(text, path);
    }

    public static Loaded Parse(string text, string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(text); }
        catch (JsonException ex) { throw new UsageException($"'{path}' is not a TceVerify trace or program file (not JSON: {FirstLine(ex.Message)})"); }
        if (root is not JsonObject o) throw new UsageException($"'{path}' is not a TceVerify trace or program file (expected a JSON object)");
        string? format = (o["format"] as JsonValue)?.TryGetValue(out string? f) == true ? f : null;
        if (format != FormatName) throw new UsageException($"'{path}' is not a TceVerify trace or program file (format '{format ?? "missing"}', expected '{FormatName}')");
        string? kind = (o["kind"] as JsonValue)?.TryGetValue(out string? k) == true ? k : null;
        try
        {
            switch (kind)
            {
                case ScheduleFile.KindName:
                    NoUnknownFields(o, typeof(ScheduleFile), path);
                    var s = o.Deserialize<ScheduleFile>(Json)!;
                    FileValidation.Validate(s, path);
                    return new LoadedSchedule(s);
                case ProgramFile.KindName:
                    NoUnknownFields(o, typeof(ProgramFile), path);
                    var p = o.Deserialize<ProgramFile>(Json)!;
                    FileValidation.Validate(p, path);
                    return new LoadedProgram(p);
                default:
                    throw new UsageException($"'{path}' has an unknown kind '{kind ?? "missing"}' (expected '{ScheduleFile.KindName}' or '{ProgramFile.KindName}')");
            }
        }
        catch (JsonException ex) { throw new UsageException($"malformed file '{path}': {FirstLine(ex.Message)}"); }
    }

    /// <summary>Every field of a file is one of its type's properties: an unknown (misspelt, or edited in) field is an error.</summary>
    static void NoUnknownFields(JsonObject o, Type type, string path)
    {
        var known = type.GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, _) in o)
            if (!known.Contains(key))
                throw new UsageException($"malformed file '{path}': unknown field '{key}' (a {o["kind"]} file has: {string.Join(", ", known.Order(StringComparer.Ordinal))})");
    }

    // ------------------------------------------------------------------ scenarios and platforms

    public static JsonObject EncodeScenario(ConcurrentScenario s)
    {
        var platform = Platforms.Of(s.Config);
        return new JsonObject
        {
            ["name"] = s.Name,
            ["platform"] = platform.Name,
            ["pageShift"] = s.Config.PageShift,
            ["prefix"] = CommandCodec.EncodeAll(s.Prefix),
            ["threads"] = new JsonArray(s.Threads.Select(t => (JsonNode)new JsonObject
            {
                ["name"] = t.Name,
                ["commands"] = CommandCodec.EncodeAll(t.Commands),
            }).ToArray()),
        };
    }

    static readonly string[] ScenarioFields = ["name", "platform", "pageShift", "prefix", "threads"];
    static readonly string[] ThreadFields = ["name", "commands"];

    /// <summary>Decodes and checks a scenario definition: known fields only, a known platform with its page shift, a
    /// prefix and 1 to <see cref="MaxThreads"/> threads of distinct names, each with commands, that the runner accepts.</summary>
    public static ConcurrentScenario DecodeScenario(JsonObject o, string path)
    {
        string where = $"scenarioDefinition in '{path}'";
        try
        {
            Known(o, ScenarioFields, where);
            string name = Text(o, "name", where);
            var config = PlatformOf(Text(o, "platform", where), o["pageShift"] is JsonValue v && v.TryGetValue(out int shift) ? shift
                : throw new FormatException("'pageShift' must be a whole number"), where).Config;
            var prefix = CommandCodec.DecodeAll(o["prefix"], "prefix");
            if (o["threads"] is not JsonArray threads || threads.Count == 0) throw new FormatException("'threads' must be a non-empty list");
            if (threads.Count > MaxThreads) throw new FormatException($"{threads.Count} threads: a scenario has 1 to {MaxThreads} threads");
            var programs = new List<ThreadProgram>();
            foreach (var t in threads)
            {
                if (t is not JsonObject thread) throw new FormatException("every thread must be an object");
                Known(thread, ThreadFields, where);
                string threadName = Text(thread, "name", where);
                if (programs.Any(x => x.Name == threadName)) throw new FormatException($"two threads are named '{threadName}'");
                var commands = CommandCodec.DecodeAll(thread["commands"], $"commands of thread '{threadName}'");
                if (commands.Count == 0) throw new FormatException($"thread '{threadName}' has no commands");
                programs.Add(new ThreadProgram(threadName, commands));
            }
            var scenario = new ConcurrentScenario(name, config, prefix, programs);
            _ = new ScenarioRunner(scenario); // the runner's own checks (staging addresses, group ids)
            return scenario;
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or JsonException or ArgumentException)
        {
            throw new UsageException($"malformed {where}: {ex.Message.Split(" (Parameter")[0]}");
        }
    }

    /// <summary>Threads a scenario definition may have: what the generator makes (hunt --threads 2..4) and the
    /// hand-written scenarios have.</summary>
    public const int MaxThreads = 4;

    static void Known(JsonObject o, string[] fields, string where)
    {
        foreach (var (key, _) in o)
            if (!fields.Contains(key)) throw new FormatException($"unknown field '{key}' (expected {string.Join(", ", fields)})");
    }

    static string Text(JsonObject o, string key, string where) =>
        o[key] is JsonValue v && v.TryGetValue(out string? s) && s.Length > 0 ? s : throw new FormatException($"'{key}' must be a non-empty string");

    /// <summary>A platform by name, whose page shift must be the one given.</summary>
    public static Platform PlatformOf(string? name, int pageShift, string where)
    {
        var platform = Platforms.All.FirstOrDefault(p => p.Name == name)
            ?? throw new UsageException($"unknown platform '{name}' in {where} (known: {string.Join(", ", Platforms.All.Select(p => p.Name))})");
        if (platform.Config.PageShift != pageShift)
            throw new UsageException($"'pageShift' {pageShift} in {where} disagrees with platform {platform.Name} (page shift {platform.Config.PageShift})");
        return platform;
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
