using TceVerify.Harness.Generation;
using TceVerify.Harness.Scripts;
using TceVerify.TestKit;
using TceVerify.Tests.Properties.Infrastructure;
using TceVerify.Tests.Properties.Properties;
using Xunit;
using Xunit.Abstractions;

namespace TceVerify.Tests.Properties.Findings;

/// <summary>
/// Property 7: every sequential finding of spec/findings.md is demonstrated. Under the finding's literal variant the
/// property of the invariant it breaks fails, FsCheck shrinks the failing program to no more commands than the
/// finding's minimal sequence (FindingScripts), and the minimal sequence itself fails the same property on the
/// variant and passes it on the implementation.
/// </summary>
public sealed class FindingDemonstrations(ITestOutputHelper output)
{
    void Demonstrate(string finding, CampaignProperty property, string variant, params string[] clauses)
    {
        var script = FindingScripts.Get(finding);
        var broken = Systems.Variant(variant);
        var platform = Platforms.Of(script.Config);

        // The finding's own sequence: the literal behaviour breaks the property, the adopted one keeps it.
        var onVariant = property.RunnerFor(broken).Run(platform, script.Program).Result;
        Assert.False(onVariant.Ok, $"{finding}: its minimal sequence passes '{property.Name}' on {variant}");
        var onImpl = property.RunnerFor(Systems.Impl).Run(platform, script.Program).Result;
        Assert.True(onImpl.Ok, $"{finding}: its minimal sequence fails '{property.Name}' on the implementation: {onImpl.Detail}");

        // The property finds it by itself, and shrinks it at least as far as the hand-written sequence.
        var caught = property.ExpectFailure(broken);
        output.WriteLine(caught.Message);
        Assert.True(clauses.Any(caught.Result.Detail.Contains), $"{finding}: the failure names none of {string.Join(", ", clauses)}:\n{caught.Message}");
        Assert.True(caught.Program.Count <= script.Program.Count,
            $"{finding}: shrunk to {caught.Program.Count} commands, the minimal sequence has {script.Program.Count}:\n{caught.Message}");
        Assert.Contains("TCEVERIFY_SEED=", caught.Message);
        Assert.Contains("Regression test", caught.Message);

        // The shrunk program is a regression test: it passes on the implementation.
        var replay = property.RunnerFor(Systems.Impl).Run(caught.Case.Platform, caught.Program).Result;
        Assert.True(replay.Ok, $"{finding}: the shrunk program fails on the implementation too: {replay.Detail}");
    }

    [Fact, Spec("FIND-1", "MAP-9", "INV-2")]
    public void Find1_map_end_unchecked() => Demonstrate("FIND-1", Catalog.WindowBounds, "literal-map-end-unchecked", "INV-2", "MAP-9");

    [Fact, Spec("FIND-2", "MAP-3", "INV-4")]
    public void Find2_map_without_enable() => Demonstrate("FIND-2", Catalog.Accounting, "literal-map-without-enable", "INV-4");

    [Fact, Spec("FIND-3", "DIS-2", "INV-4")]
    public void Find3_disable_keeps_mappings() => Demonstrate("FIND-3", Catalog.Accounting, "literal-disable-keeps-mappings", "INV-4");

    [Fact, Spec("FIND-4", "DIS-2", "EN-5", "INV-4")]
    public void Find4_uncharge_current() => Demonstrate("FIND-4", Catalog.Accounting, "literal-uncharge-current", "INV-4");

    [Fact, Spec("FIND-5", "DIS-2", "PROC-5", "INV-4")]
    public void Find5_exit_path_loses_the_charge() => Demonstrate("FIND-5", Catalog.AccountingOnRelease, "literal-uncharge-current", "INV-4");

    [Fact, Spec("FIND-6", "EN-5", "INV-4", "STATE-1")]
    public void Find6_charge_window_bytes() => Demonstrate("FIND-6", Catalog.Accounting, "literal-charge-window-bytes", "INV-4");

    [Fact, Spec("FIND-7", "TBL-9", "TBL-1", "INV-5")]
    public void Find7_take_ownership_drops_bit0() => Demonstrate("FIND-7", Catalog.Attach, "literal-take-ownership-drops-bit0", "TBL-9");

    [Fact, Spec("FIND-8", "TBL-9", "INV-3")]
    public void Find8_take_ownership_puts_stale() => Demonstrate("FIND-8", Catalog.PinBalance, "literal-take-ownership-puts-stale", "INV-3");

    [Fact, Spec("FIND-10", "TBL-9", "TBL-10", "INV-9")]
    public void Find10_ownership_without_flush() => Demonstrate("FIND-10", Catalog.Flushed, "literal-ownership-without-flush", "INV-9");

    /// <summary>All literal behaviours at once: the differential property fails, shrunk to one of the minimal sequences.</summary>
    [Fact, Spec("INV-10", "FIND-2", "FIND-7", "FIND-8", "FIND-10")]
    public void Literal_3_10_is_rejected_by_the_differential_property()
    {
        var caught = Catalog.DifferentialMixed.ExpectFailure(Systems.Variant("literal-3.10"));
        output.WriteLine(caught.Message);
        int shortest = FindingScripts.All.Min(s => s.Program.Count);
        Assert.True(caught.Program.Count <= shortest, $"shrunk to {caught.Program.Count} commands, the shortest finding has {shortest}:\n{caught.Message}");
    }
}
