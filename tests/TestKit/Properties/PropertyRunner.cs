using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;

namespace TceVerify.TestKit.Properties;

/// <summary>
/// Runs an FsCheck property from a plain xunit test, for what FsCheck.Xunit's <c>[Property]</c> cannot do: a test that
/// expects a property to FAIL and inspects the shrunk case (the kill matrix, the finding demonstrations, the report
/// format and determinism tests), or that runs one property several times with its own case count. Seeds and scale are
/// <see cref="PropertySeeds"/>' (as for <see cref="SeededPropertyAttribute"/>). A failure throws
/// <see cref="PropertyFailedException"/> whose message holds the property's own report (the shrunk program, first
/// divergence, regression test) and the replay line.
/// </summary>
public static class PropertyRunner
{
    public const string SeedVariable = PropertySeeds.SeedVariable;
    public const string ScaleVariable = PropertySeeds.ScaleVariable;

    /// <summary>PROPERTY_SCALE as a positive multiplier (1 when unset).</summary>
    public static int Scale => PropertySeeds.Scale;

    public static void Check(Property property, string name, int maxTest, int endSize = 100)
    {
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(maxTest * Scale)
            .WithEndSize(endSize)
            .WithQuietOnSuccess(true)
            .WithName(name);
        var (seedText, replay) = SeedFor(name);
        config = replay(config);
        try
        {
            property.Check(config);
        }
        catch (Exception ex) when (ex is not PropertyFailedException)
        {
            throw new PropertyFailedException(Explain(name, seedText, ex.Message));
        }
    }

    /// <summary>The configured seed: (what to print, how to apply it).</summary>
    static (string Text, Func<Config, Config> Apply) SeedFor(string name)
    {
        var seed = PropertySeeds.For(name);
        if (seed.Value is not { } value) return (seed.Text, c => c);
        return (seed.Text, seed.Size is { } size ? c => c.WithReplay(value, seed.Gamma, size) : c => c.WithReplay(value, seed.Gamma));
    }

    static string Explain(string name, string seedText, string fscheckMessage)
    {
        var step = Regex.Match(fscheckMessage, @"Replay directly at failing step with \((\d+),(\d+),(\d+)\)");
        var run = Regex.Match(fscheckMessage, @"\((\d+),(\d+)\)\.");
        var label = Regex.Match(fscheckMessage, @"Label of failing property: (.*?)(?:\r?\nOriginal:|\z)", RegexOptions.Singleline);
        var header = Regex.Match(fscheckMessage, @"^Falsifiable, after .*?shrinks?\)", RegexOptions.Multiline);
        var lines = new List<string>
        {
            $"Property '{name}' failed. {header.Value}",
            step.Success ? $"Replay the shrunk case:  {SeedVariable}={step.Groups[1]},{step.Groups[2]},{step.Groups[3]} dotnet test --filter <this test>"
                         : $"Replay the run:  {SeedVariable}={(run.Success ? $"{run.Groups[1]},{run.Groups[2]}" : seedText)} dotnet test --filter <this test>",
            $"Run seed: {(run.Success ? $"{run.Groups[1]},{run.Groups[2]}" : seedText)}",
            "",
            label.Success ? label.Groups[1].Value.Trim() : fscheckMessage,
        };
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>A property failed; the message is the whole report.</summary>
public sealed class PropertyFailedException(string message) : Exception(message);
