using System.Reflection;
using FsCheck;
using FsCheck.Fluent;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Scripts;
using TceVerify.TestKit.Properties;
using TceVerify.Tests.Properties.Infrastructure;
using TceVerify.Tests.Properties.Properties;
using Xunit;

namespace TceVerify.Tests.Properties.Campaign;

/// <summary>
/// The catalog's properties run as FsCheck.Xunit <c>[Property]</c> tests configured from their one definition: each
/// property has exactly one such test, whose attribute carries its cases (Arbitrary), case count times PROPERTY_SCALE
/// (MaxTest), pinned seed (Replay) and QuietOnSuccess; a failure's label starts with the line that replays it.
/// </summary>
public sealed class PropertyAttributeTests
{
    static IEnumerable<(MethodInfo Method, SeededPropertyAttribute Attribute, Type Test)> PropertyTests() =>
        from type in typeof(PropertyAttributeTests).Assembly.GetTypes()
        from method in type.GetMethods()
        from attribute in method.GetCustomAttributes<SeededPropertyAttribute>()
        select (method, attribute, type);

    [Fact]
    public void Every_catalog_property_is_one_Property_test_configured_from_its_definition()
    {
        var tests = PropertyTests().ToList();
        Assert.Equal(Catalog.Every.Count, tests.Count);
        foreach (var property in Catalog.Every)
        {
            var (method, attribute, test) = Assert.Single(tests, t => Campaign(t.Test) == property);
            Assert.Equal(property.MaxTest * PropertySeeds.Scale, attribute.MaxTest);
            Assert.Equal(CampaignProperty.EndSize, attribute.EndSize);
            Assert.True(attribute.QuietOnSuccess, method.Name);
            Assert.Equal(PropertySeeds.For(property.SeedName(Systems.Impl)).Replay, attribute.Replay);
            Assert.Equal([typeof(CampaignCases<>).MakeGenericType(test)], attribute.Arbitrary);
            Assert.Equal(typeof(ProgramCase), Assert.Single(method.GetParameters()).ParameterType);
        }
    }

    static CampaignProperty Campaign(Type test) =>
        (CampaignProperty)test.GetProperty(nameof(ICampaignTest.Campaign), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    [Fact]
    public void Default_seeds_are_pinned_per_property_and_distinct()
    {
        var replays = Catalog.Every.Select(p => PropertySeeds.Parse(null, p.SeedName(Systems.Impl))).ToList();
        Assert.All(replays, s => Assert.Matches(@"^\(\d+,\d+\)$", s.Replay));
        Assert.All(replays, s => Assert.Equal(1UL, s.Gamma & 1));   // FsCheck's gamma is odd
        Assert.Equal(replays.Count, replays.Select(s => s.Replay).Distinct().Count());
        Assert.Equal(replays.Select(s => s.Replay), Catalog.Every.Select(p => PropertySeeds.Parse("", p.SeedName(Systems.Impl)).Replay));
    }

    [Theory]
    [InlineData("random", null)]
    [InlineData("12,7", "(12,7)")]
    [InlineData(" (12,7,33) ", "(12,7,33)")]
    public void TCEVERIFY_SEED_forms_become_FsCheck_replays(string value, string? replay)
    {
        Assert.Equal(replay, PropertySeeds.Parse(value, "any").Replay);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("a,b")]
    [InlineData("1,2,x")]
    public void A_bad_TCEVERIFY_SEED_is_one_clear_message(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => PropertySeeds.Parse(value, "any"));
        Assert.Contains("'random', 'seed,gamma' or 'seed,gamma,size'", e.Message);
    }

    [Fact]
    [TceVerify.TestKit.Spec("MAP-9", "FIND-1")]
    public void A_failing_case_is_labelled_with_the_line_that_replays_the_test()
    {
        var broken = Systems.Variant("literal-map-end-unchecked");
        var script = FindingScripts.Get("FIND-1");
        var failing = ProgramCase.Explicit(Platforms.Of(script.Config), script.Program);
        var property = Catalog.WindowBounds.Holds(Catalog.WindowBounds.RunnerFor(broken), broken, failing, CampaignTest<WindowBounds>.ReplayLine);
        var e = Assert.ThrowsAny<Exception>(() => Check.One(Config.QuickThrowOnFailure.WithQuietOnSuccess(true), property));
        Assert.Contains($"Replay the run:  TCEVERIFY_SEED={PropertySeeds.For(Catalog.WindowBounds.Name).Text} dotnet test tests/properties -c Release --filter \"FullyQualifiedName~{typeof(WindowBounds).FullName}\"", e.Message);
        Assert.Contains("Regression test (paste into tests/properties/Regressions):", e.Message);
    }
}
