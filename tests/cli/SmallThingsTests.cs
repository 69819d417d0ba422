using System.Text.RegularExpressions;
using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>Progress totals agree with the summary and the bars end at 100 %; counts are pluralised; the README says
/// what the first run and the test command print.</summary>
public sealed partial class SmallThingsTests
{
    static readonly string[] Check = ["check", "--commands", "2000", "--schedules", "300", "--seed", "3"];

    static long Number(string text) => long.Parse(text.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void On_a_terminal_the_bars_end_at_100_percent_with_the_summary_s_totals()
    {
        using var dir = new TempDir();
        var r = CliRunner.RunAt(140, true, CancellationToken.None, null, [.. Check, "--out", dir.Path]);
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        string text = InterruptTests.Ansi().Replace(r.Out, "");
        var summaryCommands = Number(Regex.Match(text, @"commands checked\s*\S\s*([\d,]+) in").Groups[1].Value);
        var summarySchedules = Number(Regex.Match(text, @"schedules explored\s*\S\s*([\d,]+) over").Groups[1].Value);

        var commandsBar = Regex.Matches(text, @"properties \(commands\).*?(\d+)%.*?([\d,]+)/([\d,]+)").Last();
        var schedulesBar = Regex.Matches(text, @"schedules .*?(\d+)%.*?([\d,]+)/([\d,]+)").Last();
        foreach (var (bar, total) in new[] { (commandsBar, summaryCommands), (schedulesBar, summarySchedules) })
        {
            Assert.Equal("100", bar.Groups[1].Value);
            Assert.Equal(total, Number(bar.Groups[2].Value));
            Assert.Equal(total, Number(bar.Groups[3].Value));
        }
    }

    [Fact]
    public void In_a_log_the_last_status_lines_carry_the_summary_s_totals()
    {
        using var dir = new TempDir();
        var r = CliRunner.RunAt(100, false, CancellationToken.None, null, [.. Check, "--out", dir.Path]);
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        var summaryCommands = Number(Regex.Match(r.Out, @"commands checked\s*\|\s*([\d,]+) in").Groups[1].Value);
        var summarySchedules = Number(Regex.Match(r.Out, @"schedules explored\s*\|\s*([\d,]+) over").Groups[1].Value);
        var commands = Regex.Match(r.Out, @"properties \(commands\): ([\d,]+) of ([\d,]+) commands");
        var schedules = Regex.Match(r.Out, @"schedules: ([\d,]+) of ([\d,]+) schedules");
        Assert.True(commands.Success && schedules.Success, r.Out);
        Assert.Equal(summaryCommands, Number(commands.Groups[1].Value));
        Assert.Equal(summaryCommands, Number(commands.Groups[2].Value));
        Assert.Equal(summarySchedules, Number(schedules.Groups[1].Value));
        Assert.Equal(summarySchedules, Number(schedules.Groups[2].Value));
    }

    [Fact]
    public void One_of_a_thing_is_singular()
    {
        using var dir = new TempDir();
        // The first finding script fails on this entry: "1 script"; a tiny budget gives each property one program.
        var check = CliRunner.Run("check", "--variant", "literal-map-end-unchecked", "--commands", "14", "--schedules", "1", "--out", dir.Path);
        Assert.True(check.Code == ExitCodes.Failure, check.ToString());
        Assert.Contains("1 script", check.Out);
        var hunt = CliRunner.Run("hunt", "--scenario", "map-vs-disable", "--iterations", "1", "--batch", "1");
        var catalog = CliRunner.Run("catalog", "--only", "literal-map-end-unchecked");
        foreach (var r in new[] { check, hunt, catalog })
        {
            var plural = OneThings().Matches(r.Out).Select(m => m.Value).ToList();
            Assert.True(plural.Count == 0, string.Join(", ", plural) + "\n" + r.Out);
        }
    }

    [GeneratedRegex(@"(?<![\d,.])1 (scripts|programs|commands|schedules|scenarios|entries|failures|threads|seeds|work units|occurrences)\b")]
    private static partial Regex OneThings();
}
