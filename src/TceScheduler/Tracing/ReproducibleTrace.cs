using System.Text;

namespace TceVerify.Scheduling;

/// <summary>
/// The decisions of one iteration plus the settings that produced it. Compact form:
/// "TCE1:" + base64url of varints [strategy, seed, iteration, count, steps...], where each step
/// is (value &lt;&lt; 1 | isDataChoice).
/// </summary>
public sealed class ReproducibleTrace
{
    public const string Prefix = "TCE1:";

    private readonly int[] _steps;

    internal ReproducibleTrace(string strategy, ulong seed, int iteration, int[] encodedSteps)
    {
        Strategy = strategy;
        Seed = seed;
        Iteration = iteration;
        _steps = encodedSteps;
    }

    /// <summary>Builds a trace by hand, e.g. a schedule written down in a regression test.</summary>
    public static ReproducibleTrace Create(string strategy, ulong seed, int iteration, IEnumerable<TraceStep> steps)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        return new ReproducibleTrace(strategy, seed, iteration, steps.Select(s => s.Encode()).ToArray());
    }

    /// <summary>Strategy that produced the schedule (informational; replay does not need it).</summary>
    public string Strategy { get; }

    public ulong Seed { get; }

    /// <summary>Zero-based iteration that produced the schedule.</summary>
    public int Iteration { get; }

    public int Count => _steps.Length;

    public TraceStep this[int index] => TraceStep.Decode(_steps[index]);

    public IReadOnlyList<TraceStep> Steps => _steps.Select(TraceStep.Decode).ToArray();

    /// <summary>Copy with step <paramref name="index"/> replaced (e.g. to probe replay divergence).</summary>
    public ReproducibleTrace WithStep(int index, TraceStep step)
    {
        int[] copy = (int[])_steps.Clone();
        copy[index] = step.Encode();
        return new ReproducibleTrace(Strategy, Seed, Iteration, copy);
    }

    /// <summary>Copy keeping only the first <paramref name="count"/> steps.</summary>
    public ReproducibleTrace Truncate(int count) => new(Strategy, Seed, Iteration, _steps[..count]);

    public override string ToString()
    {
        var bytes = new List<byte>(16 + _steps.Length * 2);
        byte[] name = Encoding.UTF8.GetBytes(Strategy);
        Varint.Write(bytes, (ulong)name.Length);
        bytes.AddRange(name);
        Varint.Write(bytes, Seed);
        Varint.Write(bytes, (ulong)Iteration);
        Varint.Write(bytes, (ulong)_steps.Length);
        foreach (int s in _steps) Varint.Write(bytes, (uint)s);
        string b64 = Convert.ToBase64String(bytes.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return Prefix + b64;
    }

    public static bool TryParse(string text, out ReproducibleTrace? trace, out string? error)
    {
        try
        {
            trace = Parse(text);
            error = null;
            return true;
        }
        catch (TraceFormatException e)
        {
            trace = null;
            error = e.Message;
            return false;
        }
    }

    /// <exception cref="TraceFormatException">The text is not a valid trace; the message says why.</exception>
    public static ReproducibleTrace Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new TraceFormatException($"invalid trace: expected it to start with '{Prefix}' (got '{Head(text)}')");
        }
        byte[] bytes = DecodeBase64Url(text[Prefix.Length..]);
        int pos = 0;
        int nameLength = Varint.ReadInt(bytes, ref pos, "strategy name length");
        if (nameLength > bytes.Length - pos) throw new TraceFormatException("invalid trace: truncated strategy name");
        string strategy = Encoding.UTF8.GetString(bytes, pos, nameLength);
        pos += nameLength;
        ulong seed = Varint.Read(bytes, ref pos, "seed");
        int iteration = Varint.ReadInt(bytes, ref pos, "iteration");
        int count = Varint.ReadInt(bytes, ref pos, "step count");
        if (count > bytes.Length - pos)
        {
            throw new TraceFormatException($"invalid trace: declares {count} steps but only {bytes.Length - pos} bytes follow (was it cut off when copying?)");
        }
        var steps = new int[count];
        for (int i = 0; i < count; i++)
        {
            ulong v = Varint.Read(bytes, ref pos, $"step {i + 1}");
            if (v > uint.MaxValue) throw new TraceFormatException($"invalid trace: step {i + 1} is out of range");
            steps[i] = (int)(uint)v;
        }
        if (pos != bytes.Length)
        {
            throw new TraceFormatException($"invalid trace: {bytes.Length - pos} unexpected bytes after the last step");
        }
        return new ReproducibleTrace(strategy, seed, iteration, steps);
    }

    private static byte[] DecodeBase64Url(string body)
    {
        string b64 = body.Replace('-', '+').Replace('_', '/');
        b64 += (b64.Length % 4) switch { 2 => "==", 3 => "=", 0 => "", _ => "?" };
        try
        {
            return Convert.FromBase64String(b64);
        }
        catch (FormatException)
        {
            throw new TraceFormatException("invalid trace: the text after the prefix is not valid base64url (was it altered or cut off?)");
        }
    }

    private static string Head(string text) => text.Length <= 12 ? text : text[..12] + "...";
}
