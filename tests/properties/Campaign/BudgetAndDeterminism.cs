using TceVerify.Harness.Generation;
using TceVerify.TestKit;
using TceVerify.TestKit.Properties;
using TceVerify.Tests.Properties.Infrastructure;
using TceVerify.Tests.Properties.Properties;
using Xunit;

namespace TceVerify.Tests.Properties.Campaign;

/// <summary>The campaign's budget and its reproducibility.</summary>
public sealed class BudgetAndDeterminism
{
    /// <summary>The default suite checks at least 200,000 commands: every property's run checks at least its planned
    /// commands (CampaignProperty.Check enforces it), and the plans add up.</summary>
    [Fact]
    [Spec("INV-10")]
    public void Default_suite_plans_at_least_200000_checked_commands()
    {
        long planned = Catalog.Every.Sum(p => p.PlannedCommands);
        Assert.True(planned >= 200_000, $"the property catalog plans {planned} checked commands, fewer than 200,000");
        Assert.All(Catalog.Every, p => Assert.True(p.MinLength >= 1 && p.MaxLength >= p.MinLength && p.MaxTest >= 1, p.Name));
    }

    /// <summary>Same seed, same result: one property run twice with its pinned seed generates the same programs with the
    /// same outcomes.</summary>
    [Fact]
    [Spec("INV-10")]
    public void A_passing_property_is_reproducible()
    {
        List<string> Run()
        {
            var seen = new List<string>();
            Catalog.DifferentialAdversarial.Check(Systems.Impl, maxTest: 25, seedName: "determinism probe",
                onEvery: (c, o) => seen.Add($"{c}\n{string.Join("\n", o.Program.Select(x => x.Describe()))}\n{o.Result.Ok} {o.Result.Kind}"));
            return seen;
        }
        var first = Run();
        var second = Run();
        Assert.Equal(25, first.Count);
        Assert.Equal(first, second);
    }

    /// <summary>Same seed, same failure: on a broken variant the whole report (shrunk program, divergence, replay seed,
    /// regression test) is identical from one run to the next.</summary>
    [Fact]
    [Spec("INV-10", "FIND-4")]
    public void A_failing_property_shrinks_to_the_same_program_every_time()
    {
        var broken = Systems.Variant("literal-uncharge-current");
        var first = Catalog.Accounting.ExpectFailure(broken);
        var second = Catalog.Accounting.ExpectFailure(broken);
        Assert.Equal(first.Message, second.Message);
        Assert.Equal(first.Program.Select(c => c.ToCode()), second.Program.Select(c => c.ToCode()));
    }

    /// <summary>The failure message has every part a reader needs: the replay line, the numbered shrunk program with the
    /// model's state changes, the first divergence and a paste-ready regression test naming the system.</summary>
    [Fact]
    public void A_failure_report_holds_replay_program_divergence_and_regression_test()
    {
        var caught = Catalog.WindowBounds.ExpectFailure(Systems.Variant("literal-map-end-unchecked"));
        var m = caught.Message;
        Assert.Contains($"{PropertyRunner.SeedVariable}=", m);
        Assert.Contains("Property 'window bounds on literal-map-end-unchecked' failed.", m);
        Assert.Contains("Program (model result | implementation result;", m);
        Assert.Contains("   1. open_container pid 1", m);
        Assert.Contains("        + ", m);                                  // the model's state changes of a step
        Assert.Contains("<== fails here", m);
        Assert.Contains("First divergence:", m);
        Assert.Contains("Regression test (paste into tests/properties/Regressions):", m);
        Assert.Contains("VariantCatalog.Get(\"literal-map-end-unchecked\").CreateParts()", m);
        Assert.Contains($"new IoctlArgCmd(", m);
    }

    /// <summary>PROPERTY_SCALE multiplies the effort (read through PropertyRunner).</summary>
    [Fact]
    public void Property_scale_defaults_to_one()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PropertyRunner.ScaleVariable)))
            Assert.Equal(1, PropertyRunner.Scale);
        else
            Assert.True(PropertyRunner.Scale >= 1);
    }
}
