using System.Globalization;
using System.Text.RegularExpressions;

namespace TceVerify.Cli.Infrastructure;

/// <summary>The process exit codes of every command.</summary>
public static class ExitCodes
{
    /// <summary>Everything checked held (check, hunt, catalog), or the replayed failure no longer happens (replay).</summary>
    public const int Ok = 0;

    /// <summary>A bug was found (check, hunt), reproduced (replay), or a catalog entry survived (catalog).</summary>
    public const int Failure = 1;

    /// <summary>Bad usage: unknown command or option, bad value, missing or malformed file, unknown variant or scenario.</summary>
    public const int Usage = 2;

    /// <summary>replay only: the recorded schedule no longer applies to the code (replay divergence).</summary>
    public const int Diverged = 3;

    /// <summary>An internal error of the tool itself (a bug in TceVerify, not in the system under test).</summary>
    public const int Internal = 70;

    /// <summary>Interrupted (Ctrl-C) before the work was done, with no failure found so far (every command).</summary>
    public const int Interrupted = 130;
}

/// <summary>Output format of check, hunt and catalog.</summary>
public enum OutputFormat { Human, Json }

/// <summary>Parsing of user-given values that System.CommandLine leaves as text.</summary>
public static class Values
{
    /// <summary>"90s", "10m", "2h", "1h30m", "500ms", a plain number of seconds, or hh:mm:ss.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double secs) && secs > 0 && secs < 1e7)
            return TimeSpan.FromSeconds(secs);
        var m = Regex.Match(t, @"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$");
        if (t.Length > 0 && m.Success && m.Value.Length > 0)
        {
            double total = 0;
            if (m.Groups[1].Success) total += double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 3600;
            if (m.Groups[2].Success) total += double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) * 60;
            if (m.Groups[3].Success) total += double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            if (m.Groups[4].Success) total += double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture) / 1000;
            if (total > 0 && total < 1e7) return TimeSpan.FromSeconds(total);
        }
        if (t.Contains(':') && TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var ts) && ts > TimeSpan.Zero) return ts;
        throw new UsageException($"invalid duration '{text}': expected e.g. 90s, 10m, 2h, 1h30m or 00:10:00 (more than zero)");
    }

    public static int Positive(int value, string option)
    {
        if (value < 1) throw new UsageException($"invalid {option} {value}: must be a positive number");
        return value;
    }

    public static long Positive(long value, string option)
    {
        if (value < 1) throw new UsageException($"invalid {option} {value}: must be a positive number");
        return value;
    }

    /// <summary>A seed: a decimal or 0x-prefixed hexadecimal unsigned 64-bit number.</summary>
    public static ulong ParseSeed(string text)
    {
        string t = text.Trim();
        bool ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(t[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong v)
            : ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        if (!ok) throw new UsageException($"invalid seed '{text}': expected a non-negative integer (decimal or 0x hex)");
        return v;
    }

    public static OutputFormat ParseFormat(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "human" or "text" => OutputFormat.Human,
        "json" => OutputFormat.Json,
        _ => throw new UsageException($"invalid format '{text}': expected human or json"),
    };

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(double perSecond) => perSecond switch
    {
        >= 1_000_000 => (perSecond / 1_000_000).ToString("0.0", CultureInfo.InvariantCulture) + "M/s",
        >= 10_000 => (perSecond / 1000).ToString("0", CultureInfo.InvariantCulture) + "k/s",
        >= 1000 => (perSecond / 1000).ToString("0.0", CultureInfo.InvariantCulture) + "k/s",
        _ => perSecond.ToString("0", CultureInfo.InvariantCulture) + "/s",
    };

    /// <summary>"90s", "10m", "1h30m".</summary>
    public static string Duration(TimeSpan t)
    {
        if (t.TotalSeconds < 120 && t.TotalSeconds == Math.Floor(t.TotalSeconds)) return $"{(long)t.TotalSeconds}s";
        if (t.TotalSeconds < 120) return t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        long h = (long)t.TotalHours, m = t.Minutes, sec = t.Seconds;
        return (h > 0 ? $"{h}h" : "") + (m > 0 ? $"{m}m" : "") + (sec > 0 ? $"{sec}s" : "");
    }

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    /// <summary>A file-name-safe form of a name ("pair/Map+Unmap/1p" becomes "pair-Map+Unmap-1p").</summary>
    public static string FileSafe(string name) => Regex.Replace(name, @"[^A-Za-z0-9+.=_-]+", "-").Trim('-');
}

/// <summary>Counts with their noun: "1 program", "2 programs", "1 entry", "3 entries".</summary>
public static class Plural
{
    public static string Of(long n, string singular, string? plural = null) =>
        $"{Values.Count(n)} {Noun(n, singular, plural)}";

    public static string Noun(long n, string singular, string? plural = null) =>
        n == 1 ? singular : plural ?? (singular.EndsWith('y') && !singular.EndsWith("ay", StringComparison.Ordinal) ? singular[..^1] + "ies" : singular + "s");
}
