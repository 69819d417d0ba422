using System.Text.RegularExpressions;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>README.md and docs/cli.md match the tool: every option of every command is documented, and the README
/// says what the first run and the test command print.</summary>
public sealed class DocsTests
{
    [Fact]
    public void Docs_cli_md_names_every_option_of_every_command()
    {
        string doc = Repo.Read("docs/cli.md");
        var missing = new List<string>();
        foreach (var command in new[] { "check", "hunt", "replay", "catalog" })
        {
            var help = CliRunner.Run(command, "--help").Out.Replace("\r", "").Split('\n');
            var options = help.SkipWhile(l => !l.StartsWith("Options:", StringComparison.Ordinal)).Skip(1).TakeWhile(l => l.Length > 0)
                .Select(l => Regex.Match(l, @"^\s+(?:-\w, )?(--[a-z-]+)").Groups[1].Value).Where(o => o.Length > 0 && o != "--help");
            // The command's synopsis line in the reference: `command [options...]`.
            string synopsis = doc.Split('\n').FirstOrDefault(l => l.StartsWith($"`{command} ", StringComparison.Ordinal) && l.Contains(" [", StringComparison.Ordinal)) ?? "";
            Assert.True(synopsis.Length > 0, $"no synopsis line for {command} in docs/cli.md");
            missing.AddRange(options.Where(o => !synopsis.Contains(o, StringComparison.Ordinal)).Select(o => $"{command} {o}"));
        }
        Assert.True(missing.Count == 0, "not in docs/cli.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_readme_says_what_the_first_run_and_the_test_command_print()
    {
        string readme = Repo.Read("README.md");
        Assert.Contains("first run builds", readme);
        Assert.Contains("overall total", readme);
        Assert.Contains(".ci/run", readme);
        Assert.Contains("dotnet run --project src/TceCli --", readme);
    }
}
