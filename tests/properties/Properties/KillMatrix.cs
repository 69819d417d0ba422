using TceVerify.TestKit;
using TceVerify.Tests.Properties.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Properties.Properties;

/// <summary>
/// Every property fails on at least one deliberately broken system: a literal variant of spec/findings.md
/// or an entry of the bug catalog (src/TceVariants). A property that
/// passes on a system that breaks it fails this test. Shrinking is off here; Findings/ shows the shrunk programs.
/// </summary>
public sealed class KillMatrix
{
    /// <summary>One broken system per property, a catalog entry: that
    /// every catalog entry is caught by its recorded check is proven once, by tests/catalog.</summary>
    public static TheoryData<string, string> Kills => new()
    {
        { "differential: mixed", "device-fd-takes-two-users" },
        { "differential: qemu", "literal-charge-window-bytes" },
        { "differential: adversarial", "map-vaddr-unaligned-accepted" },
        { "alignment rejection", "map-vaddr-unaligned-accepted" },
        { "window bounds", "literal-map-end-unchecked" },
        { "rollback on partial map failure", "map-no-rollback" },
        { "clean attach", "literal-take-ownership-drops-bit0" },
        { "INV-1 isolation", "host-writes-into-owned-table" },
        { "INV-3 pin balance", "literal-take-ownership-puts-stale" },
        { "INV-4 accounting", "literal-map-without-enable" },
        { "INV-6 clean hand-over", "patch-attach-no-clear" },
        { "INV-7 core consistency", "device-fd-takes-two-users" },
        { "INV-5 failure atomicity", "map-no-rollback" },
        { "INV-9 flushed", "literal-ownership-without-flush" },
        { "EN-5 memlock limit", "enable-limit-rounds-up" },
        { "TBL-7 dirty on clear", "clear-no-dirty" },
        { "ABI-8 write-back", "info-writes-back-argsz" },
        { "INV-12 DMA isolation", "unmap-no-flush" },
        { "INV-13 no DMA after unmap", "unmap-no-flush" },
    };

    [Theory]
    [MemberData(nameof(Kills))]
    [Spec("INV-1", "INV-2", "INV-3", "INV-4", "INV-5", "INV-6", "INV-7", "INV-9", "INV-10", "INV-12", "INV-13")]
    public void Property_rejects_broken_system(string property, string system)
    {
        var p = Catalog.Every.Single(x => x.Name == property);
        var caught = p.ExpectFailure(Systems.Variant(system), shrink: false);
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
