using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>Bad input: one line on stderr, exit code 2, never a stack trace. And --help everywhere, with examples.</summary>
public sealed class UsageTests
{
    [Theory]
    [InlineData("Unrecognized", "check", "--bogus")]
    [InlineData("Unrecognized", "frobnicate")]
    [InlineData("Unrecognized", "hunt", "--bogus", "1")]
    [InlineData("unknown variant 'nope'", "check", "--variant", "nope")]
    [InlineData("did you mean literal-map-end-unchecked", "check", "--variant", "literal-map-end-uncheked")]
    [InlineData("unknown variant", "hunt", "--variant", "nope")]
    [InlineData("invalid shard '5/4'", "hunt", "--shard", "5/4")]
    [InlineData("invalid shard '0/0'", "hunt", "--shard", "0/0")]
    [InlineData("invalid shard 'x'", "hunt", "--shard", "x")]
    [InlineData("invalid shard '-1/4'", "hunt", "--shard", "-1/4")]
    [InlineData("invalid --iterations -5", "hunt", "--iterations", "-5")]
    [InlineData("invalid --iterations 0", "hunt", "--iterations", "0")]
    [InlineData("abc", "hunt", "--iterations", "abc")]
    [InlineData("invalid --commands -1", "check", "--commands", "-1")]
    [InlineData("invalid --schedules 0", "check", "--schedules", "0")]
    [InlineData("invalid duration 'soon'", "hunt", "--duration", "soon")]
    [InlineData("invalid duration '-5m'", "check", "--duration", "-5m")]
    [InlineData("invalid seed", "check", "--seed", "-3")]
    [InlineData("invalid format 'xml'", "check", "--format", "xml")]
    [InlineData("invalid --strategy 'bogo'", "hunt", "--strategy", "bogo")]
    [InlineData("unknown scenario 'nope'", "hunt", "--scenario", "nope")]
    [InlineData("invalid --threads 9", "hunt", "--threads", "9")]
    [InlineData("exclude each other", "hunt", "--threads", "2", "--scenario", "map-vs-disable")]
    [InlineData("not a catalog entry", "catalog", "--only", "impl")]
    [InlineData("unknown variant", "catalog", "--only", "nope")]
    [InlineData("invalid --workers 0", "hunt", "--workers", "0")]
    public void Bad_input_is_one_line_and_exit_code_2(string expected, params string[] args) =>
        CliRunner.AssertUsageError(expected, args);

    [Theory]
    [InlineData]
    [InlineData("check")]
    [InlineData("hunt")]
    [InlineData("replay")]
    [InlineData("catalog")]
    public void Help_everywhere_with_examples_in_100_columns(params string[] command)
    {
        var r = CliRunner.Run([.. command, "--help"]);
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        Assert.Contains("Usage:", r.Out);
        Assert.Contains("Examples:", r.Out);
        Assert.Equal("", r.Err);
        CliRunner.AssertFits(r.Out);
    }

    [Fact]
    public void Hunt_help_lists_the_scenarios_and_explains_sharding()
    {
        var r = CliRunner.Run("hunt", "--help");
        foreach (var s in TceVerify.Concurrency.Scenarios.HandWritten) Assert.Contains(s.Name, r.Out);
        Assert.Contains("pair/<A>+<B>", r.Out);
        Assert.Contains("mod n", r.Out);
    }

    [Fact]
    public void No_command_prints_the_help()
    {
        var r = CliRunner.Run();
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        Assert.Contains("check", r.Out);
        Assert.Contains("Examples:", r.Out);
    }
}
