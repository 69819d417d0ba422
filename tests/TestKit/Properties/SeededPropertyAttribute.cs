namespace TceVerify.TestKit.Properties;

/// <summary>
/// FsCheck.Xunit's <c>[Property]</c> with this suite's conventions: <c>Replay</c> is the property's pinned seed (or
/// TCEVERIFY_SEED, see <see cref="PropertySeeds"/>), <c>MaxTest</c> its case count times PROPERTY_SCALE,
/// <c>QuietOnSuccess</c> on. Every setting can still be given as a named argument, which wins (e.g.
/// <c>Replay = "(1,3,17)"</c> pasted from a failure, or <c>MaxTest = 5</c>); <c>Arbitrary</c> works as usual.
/// </summary>
public class SeededPropertyAttribute : FsCheck.Xunit.PropertyAttribute
{
    /// <param name="name">The name the pinned seed derives from (the property's, as the check command knows it).</param>
    /// <param name="maxTest">Cases of a default run, before PROPERTY_SCALE.</param>
    public SeededPropertyAttribute(string name, int maxTest, int endSize = 100)
    {
        Seed = PropertySeeds.For(name);
        Replay = Seed.Replay;
        MaxTest = maxTest * PropertySeeds.Scale;
        EndSize = endSize;
        QuietOnSuccess = true;
    }

    public PropertySeeds.Seed Seed { get; }
}
