using FsCheck;
using TceVerify.Harness.Generation;
using TceVerify.TestKit.Properties;

namespace TceVerify.Tests.Properties.Infrastructure;

/// <summary>A test class that runs one property of the catalog on the implementation as an FsCheck.Xunit
/// <c>[Property]</c> (<see cref="CampaignPropertyAttribute{T}"/>).</summary>
public interface ICampaignTest
{
    static abstract CampaignProperty Campaign { get; }
}

/// <summary>The generated cases of <typeparamref name="T"/>'s property, with its shrinker, for <c>Arbitrary</c>.</summary>
public static class CampaignCases<T> where T : ICampaignTest
{
    public static Arbitrary<ProgramCase> Cases() => T.Campaign.Arbitrary(T.Campaign.RunnerFor(Systems.Impl));
}

/// <summary>
/// <c>[Property]</c> for <typeparamref name="T"/>'s property: its cases (<c>Arbitrary</c>), its case count
/// (<c>MaxTest</c>, times PROPERTY_SCALE), its pinned seed (<c>Replay</c>, or TCEVERIFY_SEED) and <c>QuietOnSuccess</c>,
/// all from the one definition the check command also runs (src/TceHarness/Generation/PropertyCatalog.cs). Named
/// arguments still win: <c>[CampaignProperty&lt;Flushed&gt;(Replay = "(1,3,17)")]</c> replays a pasted failure.
/// </summary>
public sealed class CampaignPropertyAttribute<T> : SeededPropertyAttribute where T : ICampaignTest
{
    public CampaignPropertyAttribute()
        : base(T.Campaign.SeedName(Systems.Impl), T.Campaign.MaxTest, CampaignProperty.EndSize)
    {
        Arbitrary = [typeof(CampaignCases<T>)];
    }
}

/// <summary>The body of a <c>[Property]</c> test: one runner for the whole run (xunit makes one instance per test), and
/// the replay line of this test in every failure's label.</summary>
public abstract class CampaignTest<T> where T : ICampaignTest
{
    readonly CampaignRunner _runner = T.Campaign.RunnerFor(Systems.Impl);

    /// <summary>The line that reruns this test's run, as a failure prints it.</summary>
    public static string ReplayLine => PropertySeeds.For(T.Campaign.SeedName(Systems.Impl)).ReplayLine(typeof(T).FullName!);

    protected Property Holds(ProgramCase c) => T.Campaign.Holds(_runner, Systems.Impl, c, ReplayLine);
}
