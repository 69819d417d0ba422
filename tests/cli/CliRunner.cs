using System.Text;
using System.Text.Json;
using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>What one in-process run of the command line printed and returned.</summary>
public sealed record CliResult(int Code, string Out, string Err)
{
    public JsonElement Json()
    {
        try { return JsonDocument.Parse(Out).RootElement.Clone(); }
        catch (JsonException ex) { throw new Xunit.Sdk.XunitException($"stdout is not JSON ({ex.Message}):\n{Out}\nstderr:\n{Err}"); }
    }

    public override string ToString() => $"exit {Code}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}

/// <summary>Runs tceverify in-process, as a user would from a shell, with string writers for stdout and stderr.</summary>
public static class CliRunner
{
    public static CliResult Run(params string[] args) => Run(CancellationToken.None, args);

    public static CliResult Run(CancellationToken ct, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TceVerify.Cli.Cli.Run(args, output, error, ct);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs as on a terminal of <paramref name="width"/> columns (<paramref name="interactive"/>: live progress
    /// bars) or, with interactive false, as in a log.</summary>
    public static CliResult RunAt(int width, bool interactive, CancellationToken ct, TextWriter? output, params string[] args)
    {
        output ??= new StringWriter();
        var error = new StringWriter();
        int code = TceVerify.Cli.Cli.Run(args, output, error, ct, interactive, width);
        return new CliResult(code, output.ToString() ?? "", error.ToString());
    }

    /// <summary>Runs with a stdout that can react to what is written (e.g. cancel once a failure is reported).</summary>
    public static CliResult Run(TextWriter output, CancellationToken ct, params string[] args)
    {
        var error = new StringWriter();
        int code = TceVerify.Cli.Cli.Run(args, output, error, ct);
        return new CliResult(code, output.ToString() ?? "", error.ToString());
    }

    /// <summary>A bad input: exit 2, one line on stderr naming the problem, nothing that looks like a stack trace.</summary>
    public static CliResult AssertUsageError(string expectedFragment, params string[] args)
    {
        var r = Run(args);
        Assert.True(r.Code == ExitCodes.Usage, r.ToString());
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr:\n" + r);
        Assert.StartsWith("tceverify: ", lines[0]);
        Assert.Contains(expectedFragment, lines[0], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Exception", r.Err);
        return r;
    }

    /// <summary>Every line fits a 100-column terminal, but for the lines made to be copied rather than read: replay
    /// commands (they hold a path) and TCE1 or COY1 traces (one token, which wrapping would break).</summary>
    public static void AssertFits(string text, int width = 100)
    {
        var lines = text.Replace("\r", "").Split('\n').ToList();
        // The regression test is printed as it is, to be copied: its heading and its lines are never wrapped.
        int first = lines.FindIndex(l => l.StartsWith(RegressionTestTests.FirstLine, StringComparison.Ordinal));
        int last = first < 0 ? -1 : lines.FindIndex(first, l => l == RegressionTestTests.LastLine);
        if (first > 0 && last > first) lines.RemoveRange(first - 1, last - first + 2);
        var tooLong = lines
            .Where(l => l.Length > width && !l.Contains(" replay ", StringComparison.Ordinal)
                        && !l.TrimStart().StartsWith("TCE1:", StringComparison.Ordinal) && !l.TrimStart().StartsWith("COY1:", StringComparison.Ordinal))
            .ToList();
        Assert.True(tooLong.Count == 0, $"{tooLong.Count} line(s) wider than {width} columns, e.g.:\n{string.Join("\n", tooLong.Take(5))}");
    }
}

/// <summary>The repository: its root, and its documents.</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "TceVerify.sln"))) return d.FullName;
        throw new InvalidOperationException("TceVerify.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative));
}

/// <summary>The built tool (tceverify.dll beside the tests) run as a separate process, as a user runs it.</summary>
public static class Tool
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "tceverify.dll");

    /// <summary>Starts "dotnet tceverify.dll ARGS" in <paramref name="cwd"/>, stdout and stderr captured.</summary>
    public static System.Diagnostics.Process Start(string cwd, params string[] args) => StartCommand(cwd, "dotnet", [Dll, .. args]);

    public static System.Diagnostics.Process StartCommand(string cwd, string file, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file)
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("TCEVERIFY_INVOCATION");
        return System.Diagnostics.Process.Start(psi)!;
    }

    /// <summary>Waits for a started hunt that must find a failure, then runs the first replay command it printed through
    /// the shell in <paramref name="cwd"/>, as a user pastes it; returns that command and what it did.</summary>
    public static async Task<(string Replay, CliResult Result)> ReplayAsPrinted(string cwd, System.Diagnostics.Process hunt)
    {
        var output = await hunt.StandardOutput.ReadToEndAsync();
        await hunt.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2)); // a hang fails instead of blocking the run
        Assert.True(hunt.ExitCode == ExitCodes.Failure, output + await hunt.StandardError.ReadToEndAsync());
        string replay = output.Split('\n').Select(l => l.Trim()).First(l => l.Contains(" replay ", StringComparison.Ordinal));
        return (replay, await Shell(cwd, replay));
    }

    /// <summary>Runs a command line through the shell in <paramref name="cwd"/>, as a user pastes it.</summary>
    public static async Task<CliResult> Shell(string cwd, string commandLine)
    {
        using var p = StartCommand(cwd, "/bin/sh", "-c", commandLine);
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2)); // a hang fails instead of blocking the run
        return new CliResult(p.ExitCode, await output, await error);
    }
}

/// <summary>A temporary directory, deleted afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tceverify-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public string[] Files(string pattern = "*.json") => Directory.Exists(Path) ? Directory.GetFiles(Path, pattern) : [];

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A writer that runs an action the first time the text written so far contains a marker.</summary>
public sealed class TriggerWriter(string marker, Action action) : StringWriter
{
    readonly StringBuilder _seen = new();
    bool _fired;

    public override void Write(char value) { base.Write(value); Seen(value.ToString()); }
    public override void Write(string? value) { base.Write(value); Seen(value); }
    public override void WriteLine(string? value) { base.WriteLine(value); Seen(value + "\n"); }

    void Seen(string? text)
    {
        if (_fired || text is null) return;
        lock (_seen)
        {
            _seen.Append(text);
            if (_fired || !_seen.ToString().Contains(marker, StringComparison.Ordinal)) return;
            _fired = true;
        }
        action();
    }
}
