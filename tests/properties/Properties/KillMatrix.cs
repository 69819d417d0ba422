using TceVerify.TestKit;
using TceVerify.Tests.Properties.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Properties.Properties;

/// <summary>
/// Every property fails on at least one deliberately broken system: a literal variant of spec/findings.md
/// or an entry of the bug catalog (src/TceVariants) or one of the suite's mutants (Mutants/, for properties no finding breaks). A property that
/// passes on a system that breaks it fails this test. Shrinking is off here; Findings/ shows the shrunk programs.
/// </summary>
public sealed class KillMatrix
{
    /// <summary>One broken system per property (a mutant of Mutants/ where there is one, else a catalog entry): that
    /// every catalog entry is caught by its recorded check is proven once, by tests/catalog.</summary>
    public static TheoryData<string, string> Kills => new()
    {
        { "differential: mixed", "mutant-device-fd-leaks-user" },
        { "differential: qemu", "literal-charge-window-bytes" },
        { "differential: adversarial", "mutant-map-rounds-vaddr" },
        { "alignment rejection", "mutant-map-rounds-vaddr" },
        { "window bounds", "literal-map-end-unchecked" },
        { "rollback on partial map failure", "mutant-map-no-unwind" },
        { "clean attach", "mutant-take-over-keeps-leftovers" },
        { "INV-1 isolation", "mutant-take-over-keeps-leftovers" },
        { "INV-3 pin balance", "literal-take-ownership-puts-stale" },
        { "INV-4 accounting", "literal-map-without-enable" },
        { "INV-6 clean hand-over", "mutant-take-over-keeps-leftovers" },
        { "INV-7 core consistency", "mutant-device-fd-leaks-user" },
        { "INV-5 failure atomicity", "mutant-map-no-unwind" },
        { "INV-9 flushed", "literal-ownership-without-flush" },
        { "EN-5 memlock limit", "enable-limit-rounds-up" },
        { "TBL-7 dirty on clear", "clear-no-dirty" },
        { "ABI-8 write-back", "info-writes-back-argsz" },
    };

    [Theory]
    [MemberData(nameof(Kills))]
    [Spec("INV-1", "INV-2", "INV-3", "INV-4", "INV-5", "INV-6", "INV-7", "INV-9", "INV-10")]
    public void Property_rejects_broken_system(string property, string system)
    {
        var p = Catalog.Every.Single(x => x.Name == property);
        var caught = p.ExpectFailure(Systems.Broken(system), shrink: false);
        Assert.Contains("TCEVERIFY_SEED=", caught.Message);
        Assert.Contains("Regression test", caught.Message);
    }

    /// <summary>Every property of the catalog appears in the matrix.</summary>
    [Fact]
    public void Matrix_covers_every_property()
    {
        var rows = Kills.Select(r => (string)r[0]).ToList();
        foreach (var p in Catalog.Every) Assert.Contains(p.Name, rows);
    }
}
