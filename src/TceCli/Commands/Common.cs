using System.CommandLine;
using TceVerify.Campaigns;
using TceVerify.Cli.Infrastructure;
using TceVerify.Cli.Rendering;

namespace TceVerify.Cli.Commands;

/// <summary>Options shared by several commands, and the failure lines they print.</summary>
static class Common
{
    public static Option<string> Variant() => new("--variant", "-v")
    {
        Description = "Check this catalog entry (a deliberately broken TceImpl) instead of TceImpl; 'tceverify catalog' lists them",
        HelpName = "NAME",
        DefaultValueFactory = _ => Target.ImplName,
    };

    public static Option<string> Seed(string what) => new("--seed")
    {
        Description = what,
        HelpName = "N",
        DefaultValueFactory = _ => "0",
    };

    public static Option<string> Format() => new("--format")
    {
        Description = "Output: human (tables, progress bars on a terminal) or json (one JSON document on stdout)",
        HelpName = "human|json",
        DefaultValueFactory = _ => "human",
    };

    public static Option<string?> Duration(string what) => new("--duration", "-d")
    {
        Description = what,
        HelpName = "TIME",
    };

    public static Option<int> WorkersOption() => new("--workers")
    {
        Description = "Threads to use (default: one per core)",
        HelpName = "N",
        DefaultValueFactory = _ => Workers.Default,
    };

    public static Option<bool> SemanticOnly() => new("--semantic-only")
    {
        Description = "Concurrency: the semantic checks only (final invariants and linearizability, what a user of the driver " +
                      "could see), with the lock-discipline checker and the race detector off",
    };

    /// <summary>An output directory option's value: not empty.</summary>
    public static string OutDir(string? text) =>
        string.IsNullOrWhiteSpace(text) ? throw new UsageException("empty --out: give the directory for the failure files") : text;

    /// <summary>"a, b, c and 4 more".</summary>
    public static string Listing(IEnumerable<string> names, int max)
    {
        var list = names.ToList();
        return list.Count <= max ? string.Join(", ", list) : string.Join(", ", list.Take(max)) + $" and {list.Count - max} more";
    }

    /// <summary>The command that replays a failure file.</summary>
    public static string ReplayCommand(string path) =>
        $"{Cli.Invocation} replay {Infrastructure.Invocation.Quote(path)}";

    /// <summary>A path as the user typed it: relative to the current directory when below it.</summary>
    public static string Display(string path)
    {
        string full = Path.GetFullPath(path), cwd = Path.GetFullPath(".");
        string rel = Path.GetRelativePath(cwd, full);
        return rel.StartsWith("..", StringComparison.Ordinal) ? full : rel;
    }

    /// <summary>Writes a schedule failure as a trace file; returns its path (as displayed).</summary>
    public static string WriteTrace(string dir, ScheduleFailure f, string foundBy, Concurrency.ConcurrentScenario scenario)
    {
        string name = $"{f.Scenario}{(f.Variant == Target.ImplName ? "" : "-" + f.Variant)}-s{f.Seed}-i{f.Iteration}";
        bool registered = ScheduleExplorer.TryScenario(f.Scenario, out _);
        string path = Files.FailureFiles.Write(dir, name, new Files.ScheduleFile(), p => new Files.ScheduleFile
        {
            Scenario = f.Scenario,
            Variant = f.Variant,
            Engine = f.Engine.Name(),
            Strategy = f.Strategy,
            Seed = f.Seed,
            Iteration = f.Iteration,
            Trace = f.Trace,
            BugKind = f.Kind.ToString(),
            Clause = f.Clause,
            Message = f.Message,
            MaxSchedulingSteps = f.MaxSchedulingSteps,
            DataRaceDetection = f.DataRaceDetection,
            SemanticOnly = f.SemanticOnly,
            FoundBy = foundBy,
            Replay = ReplayCommand(Display(p)),
            ReadableTrace = f.ReadableTrace,
            ScenarioDefinition = registered ? null : Files.FailureFiles.EncodeScenario(scenario),
        });
        return Display(path);
    }

    /// <summary>Writes a program failure as a program file; returns its path (as displayed).</summary>
    public static string WriteProgram(string dir, ProgramFailure f)
    {
        string name = f.Target.IsImpl ? f.Property : $"{f.Property}-{f.Target.Name}";
        string path = Files.FailureFiles.Write(dir, name, new Files.ProgramFile(), p => new Files.ProgramFile
        {
            Property = f.Property,
            Variant = f.Target.Name,
            Platform = f.Platform.Name,
            PageShift = f.Platform.Config.PageShift,
            FoundIn = f.FoundIn,
            FailureKind = f.Result.Kind,
            FailedStep = f.Result.FailedStep + 1,
            Message = f.Result.Detail,
            Replay = ReplayCommand(Display(p)),
            Program = Files.CommandCodec.EncodeAll(f.Program),
            Report = f.Report,
            RegressionTest = RegressionFile.Render(f.Property, f.Target, f.Platform, f.Program),
        });
        return Display(path);
    }

    /// <summary>Shortens a text to one line of at most <paramref name="max"/> characters.</summary>
    public static string Short(string text, int max)
    {
        string line = text.Split('\n')[0].Trim();
        return line.Length <= max ? line : line[..(max - 3)] + "...";
    }
}
