using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;

namespace TceVerify.TestKit.Properties;

/// <summary>
/// Runs an FsCheck property from a plain xunit test (FsCheck.Xunit is not available here). Every run is
/// reproducible: by default the seed is pinned per property name, so CI sees the same cases every time;
/// <c>TCEVERIFY_SEED=random</c> explores fresh seeds, <c>TCEVERIFY_SEED=s,g</c> reruns a whole run and
/// <c>TCEVERIFY_SEED=s,g,size</c> jumps straight to the failing case. <c>PROPERTY_SCALE=n</c> multiplies the
/// number of cases. A failure throws <see cref="PropertyFailedException"/> whose message holds the
/// property's own report (the shrunk program, first divergence, regression test) and the replay line.
/// </summary>
public static class PropertyRunner
{
    public const string SeedVariable = "TCEVERIFY_SEED";
    public const string ScaleVariable = "PROPERTY_SCALE";

    /// <summary>PROPERTY_SCALE as a positive multiplier (1 when unset).</summary>
    public static int Scale
    {
        get
        {
            var s = Environment.GetEnvironmentVariable(ScaleVariable);
            if (string.IsNullOrWhiteSpace(s)) return 1;
            if (!int.TryParse(s, out var n) || n < 1)
                throw new ArgumentException($"{ScaleVariable} must be a positive whole number, got '{s}'");
            return n;
        }
    }

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
        var s = Environment.GetEnvironmentVariable(SeedVariable)?.Trim();
        if (string.Equals(s, "random", StringComparison.OrdinalIgnoreCase)) return ("random", c => c);
        if (!string.IsNullOrEmpty(s))
        {
            var p = s.Trim('(', ')', ' ').Split(',');
            if ((p.Length == 2 || p.Length == 3) && ulong.TryParse(p[0], out var seed) && ulong.TryParse(p[1], out var gamma))
            {
                if (p.Length == 3 && int.TryParse(p[2], out var size)) return (s, c => c.WithReplay(seed, gamma, size));
                return (s, c => c.WithReplay(seed, gamma));
            }
            throw new ArgumentException($"{SeedVariable} must be 'random', 'seed,gamma' or 'seed,gamma,size', got '{s}'");
        }
        ulong pinned = Fnv(name), pinnedGamma = Fnv(name + "/gamma") | 1;
        return ($"{pinned},{pinnedGamma}", c => c.WithReplay(pinned, pinnedGamma));
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

    static ulong Fnv(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) { h ^= c; h *= 1099511628211UL; }
        return h;
    }
}

/// <summary>A property failed; the message is the whole report.</summary>
public sealed class PropertyFailedException(string message) : Exception(message);
