using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using TceVerify.Cli.Commands;
using TceVerify.Cli.Infrastructure;
using TceVerify.Scheduling;

namespace TceVerify.Cli;

/// <summary>
/// The tceverify command line: check, hunt, replay and catalog. <see cref="Run"/> is the whole program, callable
/// in-process (the tests drive it with string writers and a cancellation token).
/// </summary>
public static class Cli
{
    /// <summary>How this program is invoked from the current directory, for the replay commands it prints (the same
    /// <c>dotnet run ... --</c>, <c>dotnet PATH/tceverify.dll</c>, or the apphost's path; <see cref="Infrastructure.Invocation"/>).</summary>
    public static string Invocation { get; set; } = Infrastructure.Invocation.From(LaunchFacts.OfThisProcess());

    /// <summary>Runs the command line: writes to <paramref name="output"/> and <paramref name="error"/>, returns the exit
    /// code (<see cref="ExitCodes"/>). <paramref name="interactive"/> turns on live progress bars and colours.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default,
        bool interactive = false, int width = 100)
    {
        var io = new Io(output, error, interactive, width, cancellationToken);
        var root = Build(io);
        ParseResult parsed;
        try { parsed = root.Parse(args); }
        catch (Exception ex) { return Fail(io, ex.Message); }

        bool helpRequested = parsed.Action is HelpAction or ExamplesHelpAction;
        if (parsed.Errors.Count > 0 && !helpRequested)
        {
            string where = parsed.CommandResult.Command is RootCommand ? "tceverify" : $"tceverify {parsed.CommandResult.Command.Name}";
            return Fail(io, $"{parsed.Errors[0].Message.TrimEnd('.')} (see '{where} --help')");
        }
        try
        {
            int code = parsed.Invoke(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            });
            // Interrupted before the work was done, and nothing found: 130, whatever the command.
            return code == ExitCodes.Ok && cancellationToken.IsCancellationRequested && !helpRequested ? ExitCodes.Interrupted : code;
        }
        catch (UsageException ex) { return Fail(io, ex.Message); }
        catch (TraceFormatException ex) { return Fail(io, ex.Message); }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("tceverify: interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex)
        {
            var inner = ex is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : ex;
            error.WriteLine($"tceverify: internal error: {inner.GetType().Name}: {OneLine(inner.Message)} (a bug in TceVerify; set TCEVERIFY_DEBUG=1 for details)");
            if (Environment.GetEnvironmentVariable("TCEVERIFY_DEBUG") == "1") error.WriteLine(inner.ToString());
            return ExitCodes.Internal;
        }
    }

    static int Fail(Io io, string message)
    {
        io.Err.WriteLine($"tceverify: {OneLine(message)}");
        return ExitCodes.Usage;
    }

    static string OneLine(string s) => string.Join(" ", s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    static RootCommand Build(Io io)
    {
        var root = new RootCommand(
            "TceVerify: checks the SPAPR TCE VFIO IOMMU driver's implementation (TceImpl) against its model and its " +
            "invariants, sequentially (property campaign) and under controlled thread interleavings.");
        root.Add(CheckCommand.Create(io));
        root.Add(HuntCommand.Create(io));
        root.Add(ReplayCommand.Create(io));
        root.Add(CatalogCommand.Create(io));
        root.SetAction(parse =>
        {
            // No command: the help, then the usual first step.
            new ExamplesHelpAction(new HelpAction()).Invoke(parse);
            return ExitCodes.Ok;
        });
        foreach (var option in root.Options)
            if (option is HelpOption help && help.Action is HelpAction inner)
                help.Action = new ExamplesHelpAction(inner);
        return root;
    }

    /// <summary>The examples shown at the end of each command's --help.</summary>
    internal static readonly Dictionary<string, string[]> Examples = new()
    {
        ["tceverify"] =
        [
            "check                              the main job, default budget (about 30 s)",
            "check --variant literal-3.10       the same on a deliberately broken entry",
            "hunt --duration 30m --shard 3/8    one machine of an 8-machine hunt",
            "replay tceverify-traces/F.json     re-run a failure step by step",
            "catalog                            the self-test: every entry must be caught",
        ],
        ["check"] =
        [
            "check",
            "check --commands 200000 --schedules 100000 --seed 7",
            "check --duration 5m --format json > check.json",
            "check --variant literal-3.10 --out failures",
            "check --semantic-only --variant no-mutex-on-map   only what a user could observe",
        ],
        ["hunt"] =
        [
            "hunt --duration 10m",
            "hunt --strategy pct --iterations 1000000 --shard 0/4 --out traces",
            "hunt --scenario double-set-container --variant literal-set-container-unlocked",
            "hunt --threads 3 --duration 1h                 generated 3-thread scenarios",
            "hunt --strategy dfs --scenario map-vs-disable  exhaustive within 2 preemptions",
            "hunt --semantic-only --variant no-mutex-on-map --scenario map-vs-disable",
            "hunt --engine coyote --strategy prioritization -d 10m   cross-check with Coyote",
        ],
        ["replay"] =
        [
            "replay tceverify-traces/double-set-container-literal-set-container-unlocked-s0-i3.json",
            "replay tceverify-failures/window-bounds-literal-map-end-unchecked.json",
            "replay --scenario double-set-container --variant literal-3.10 --trace TCE1:...",
            "replay --scenario map-vs-disable --variant map-check-then-act --trace COY1:...   a Coyote trace",
        ],
        ["catalog"] =
        [
            "catalog",
            "catalog --format json > kill-table.json",
            "catalog --only literal-map-end-unchecked --only literal-set-container-unlocked",
        ],
    };

    /// <summary>The standard help, then examples and (for hunt) the scenario names.</summary>
    sealed class ExamplesHelpAction(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            inner.MaxWidth = 100;
            inner.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            var command = parseResult.CommandResult.Command;
            string key = command is RootCommand ? "tceverify" : command.Name;
            if (Examples.TryGetValue(key, out var examples))
            {
                output.WriteLine("Examples:");
                foreach (var e in examples) output.WriteLine($"  tceverify {e}");
                output.WriteLine();
            }
            if (key == "hunt") HuntCommand.WriteScenarioHelp(output);
            if (key is "check" or "hunt" or "replay" or "catalog")
            {
                output.WriteLine("Exit codes: 0 all held (replay: passes now), 1 a bug was found (replay: reproduced;");
                output.WriteLine("  catalog: an entry survived), 2 bad usage or input, 3 replay: the trace no longer applies,");
                output.WriteLine("  70 internal error, 130 interrupted (Ctrl-C) before finding anything.");
                output.WriteLine();
            }
            return ExitCodes.Ok;
        }
    }
}
