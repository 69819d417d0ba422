namespace TceVerify.TestKit.Properties;

/// <summary>
/// The seed a property runs with, shared by <see cref="SeededPropertyAttribute"/> (FsCheck.Xunit's <c>[Property]</c>)
/// and <see cref="PropertyRunner"/>: pinned per property name by default, so the same commit always checks the same
/// cases; <c>TCEVERIFY_SEED=random</c> explores fresh seeds, <c>TCEVERIFY_SEED=s,g</c> reruns a whole run and
/// <c>TCEVERIFY_SEED=s,g,size</c> jumps straight to the failing case. <c>PROPERTY_SCALE=n</c> multiplies the cases.
/// </summary>
public static class PropertySeeds
{
    public const string SeedVariable = "TCEVERIFY_SEED";
    public const string ScaleVariable = "PROPERTY_SCALE";

    /// <summary>A run's seed: what to print in a replay line, and FsCheck's replay (null: a fresh random seed).</summary>
    public sealed record Seed(string Text, ulong? Value, ulong Gamma, int? Size)
    {
        /// <summary>As FsCheck.Xunit's <c>Replay</c> takes it: "(seed,gamma)" or "(seed,gamma,size)"; null for random.</summary>
        public string? Replay => Value is not { } v ? null : Size is { } size ? $"({v},{Gamma},{size})" : $"({v},{Gamma})";

        /// <summary>The line that reruns this run of <paramref name="test"/> (a class or method name for --filter).</summary>
        public string ReplayLine(string test) => $"{SeedVariable}={Text} dotnet test tests/properties -c Release --filter \"FullyQualifiedName~{test}\"";
    }

    /// <summary>PROPERTY_SCALE as a positive multiplier (1 when unset).</summary>
    /// <exception cref="ArgumentException">The variable is not a positive whole number.</exception>
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

    /// <summary>The configured seed for the property named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">TCEVERIFY_SEED is set to something else than the three forms.</exception>
    public static Seed For(string name) => Parse(Environment.GetEnvironmentVariable(SeedVariable), name);

    /// <summary>The seed <paramref name="value"/> (TCEVERIFY_SEED's text; null or empty: pinned) stands for.</summary>
    /// <exception cref="ArgumentException">Not 'random', 'seed,gamma' or 'seed,gamma,size'.</exception>
    public static Seed Parse(string? value, string name)
    {
        var s = value?.Trim();
        if (string.Equals(s, "random", StringComparison.OrdinalIgnoreCase)) return new("random", null, 0, null);
        if (!string.IsNullOrEmpty(s))
        {
            var p = s.Trim('(', ')', ' ').Split(',');
            if ((p.Length == 2 || p.Length == 3) && ulong.TryParse(p[0], out var seed) && ulong.TryParse(p[1], out var gamma))
            {
                if (p.Length == 2) return new(s, seed, gamma, null);
                if (int.TryParse(p[2], out var size)) return new(s, seed, gamma, size);
            }
            throw new ArgumentException($"{SeedVariable} must be 'random', 'seed,gamma' or 'seed,gamma,size', got '{s}'");
        }
        ulong pinned = Fnv(name), pinnedGamma = Fnv(name + "/gamma") | 1;
        return new($"{pinned},{pinnedGamma}", pinned, pinnedGamma, null);
    }

    static ulong Fnv(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) { h ^= c; h *= 1099511628211UL; }
        return h;
    }
}
