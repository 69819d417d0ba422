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
    /// commands (they hold a path) and TCE1 traces (one token, which wrapping would break).</summary>
    public static void AssertFits(string text, int width = 100)
    {
        var tooLong = text.Replace("\r", "").Split('\n')
            .Where(l => l.Length > width && !l.Contains(" replay ", StringComparison.Ordinal) && !l.TrimStart().StartsWith("TCE1:", StringComparison.Ordinal))
            .ToList();
        Assert.True(tooLong.Count == 0, $"{tooLong.Count} line(s) wider than {width} columns, e.g.:\n{string.Join("\n", tooLong.Take(5))}");
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
