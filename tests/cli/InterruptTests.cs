using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>
/// Interrupts: an interrupted run exits 130 whatever the command, a second Ctrl-C while the tool stops (as `timeout -s
/// INT` under `dotnet run` delivers) does not lose the summary, and a command abandons its work in progress at once.
/// </summary>
public sealed partial class InterruptTests
{
    [Fact]
    public void An_interrupted_hunt_exits_130()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = CliRunner.Run(cts.Token, "hunt", "--iterations", "100000");
        Assert.True(r.Code == ExitCodes.Interrupted, r.ToString());
        Assert.Contains("(interrupted)", r.Out);
        var json = CliRunner.Run(cts.Token, "hunt", "--iterations", "100000", "--format", "json");
        Assert.Equal(ExitCodes.Interrupted, json.Json().GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task The_catalog_abandons_the_entry_in_progress_when_interrupted()
    {
        // put-check-no-permission takes thousands of commands to catch; the interrupt comes with the first progress frame.
        using var cts = new CancellationTokenSource();
        var output = new TriggerWriter("catalog entries", cts.Cancel);
        var run = Task.Run(() => CliRunner.RunAt(100, true, cts.Token, output, "catalog", "--only", "put-check-no-permission", "--programs", "1000000"));
        var r = await run.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(r.Code == ExitCodes.Interrupted, r.ToString());
        Assert.Matches(@"0 of 1 entr(y|ies) caught", Ansi().Replace(r.Out, ""));
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    const int SIGINT = 2;

    [Fact]
    public async Task A_second_ctrl_c_while_stopping_keeps_the_summary()
    {
        using var dir = new TempDir();
        using var p = Tool.Start(dir.Path, "check", "--commands", "100000000", "--schedules", "100000000", "--out", dir.Path);
        var started = new TaskCompletionSource();
        var output = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data?.StartsWith("budget", StringComparison.Ordinal) == true) started.TrySetResult();
        };
        p.BeginOutputReadLine();
        var error = p.StandardError.ReadToEndAsync();
        await started.Task.WaitAsync(TimeSpan.FromMinutes(2));
        await Task.Delay(300); // inside the run, not in its first instructions
        Assert.Equal(0, kill(p.Id, SIGINT));
        Assert.Equal(0, kill(p.Id, SIGINT));
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        string text;
        lock (output) text = output.ToString();
        Assert.True(p.ExitCode == ExitCodes.Interrupted, $"exit {p.ExitCode}\n{text}\n{await error}");
        Assert.Contains("summary", text);
        Assert.Contains("Interrupted", text);
    }

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    public static partial Regex Ansi();
}
