namespace TceVerify.Scheduling;

/// <summary>Small deterministic PRNG (SplitMix64); same seed gives the same stream on every platform.</summary>
internal sealed class SplitMix64
{
    private ulong _state;

    internal SplitMix64(ulong seed) => _state = seed;

    internal ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, maxExclusive) by multiply-shift (no division on the hot path).</summary>
    internal int NextInt(int maxExclusive) =>
        (int)(((NextUInt64() >> 32) * (ulong)(uint)maxExclusive) >> 32);
}
