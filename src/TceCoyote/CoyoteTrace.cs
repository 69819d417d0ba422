using System.IO.Compression;
using System.Text;
using System.Text.Json;
using TceVerify.Scheduling;

namespace TceVerify.Coyote;

/// <summary>
/// A Coyote schedule on one line: "COY1:" + base64url of the deflated UTF-8 of
/// <c>strategy \n seed \n schedule \n</c> followed by Coyote's own reproducible trace (JSON, which its
/// <c>WithReproducibleTrace</c> replays). One token, so a replay command prints and pastes as one line; the prefix
/// tells it from our engine's "TCE1:" traces.
/// </summary>
public static class CoyoteTrace
{
    public const string Prefix = "COY1:";

    /// <param name="Steps">The scheduling steps Coyote recorded for the schedule.</param>
    public sealed record Decoded(string Strategy, uint Seed, int Schedule, string Json, int Steps);

    public static string Encode(string strategy, uint seed, int iteration, string json)
    {
        var text = $"{strategy}\n{seed}\n{iteration + 1}\n{json}";
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            deflate.Write(Encoding.UTF8.GetBytes(text));
        return Prefix + Convert.ToBase64String(buffer.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <exception cref="TraceFormatException">Not a trace of this form; the message says why.</exception>
    public static Decoded Decode(string trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        trace = trace.Trim();
        if (!trace.StartsWith(Prefix, StringComparison.Ordinal))
            throw new TraceFormatException($"invalid Coyote trace: expected it to start with '{Prefix}'" +
                (trace.StartsWith(ReproducibleTrace.Prefix, StringComparison.Ordinal) ? " (this is a trace of our engine: replay it with it)" : ""));
        string text;
        try
        {
            string b64 = trace[Prefix.Length..].Replace('-', '+').Replace('_', '/');
            b64 += (b64.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
            using var deflate = new DeflateStream(new MemoryStream(Convert.FromBase64String(b64)), CompressionMode.Decompress);
            using var reader = new StreamReader(deflate, Encoding.UTF8);
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            throw Altered();
        }
        var parts = text.Split('\n', 4);
        if (parts.Length != 4 || !uint.TryParse(parts[1], out uint seed) || !int.TryParse(parts[2], out int schedule) || StepsOf(parts[3]) is not { } steps)
            throw Altered();
        return new Decoded(parts[0], seed, schedule, parts[3], steps);
    }

    /// <summary>The number of recorded steps; null unless the JSON is whole (a deflate stream cut short still decodes
    /// to a prefix).</summary>
    static int? StepsOf(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("Steps", out var steps)
                && steps.ValueKind == JsonValueKind.Array ? steps.GetArrayLength() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static TraceFormatException Altered() =>
        new("invalid Coyote trace: the text after the prefix is not what this tool wrote (was it altered or cut off?)");
}
