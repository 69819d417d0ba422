using TceVerify.Campaigns;
using TceVerify.TestKit;
using TceVerify.TestKit.Approvals;
using TceVerify.Variants;
using Xunit;
using Xunit.Abstractions;

namespace TceVerify.Tests.Catalog;

/// <summary>
/// The harness self-test (issue 5): every entry of the bug catalog is rejected, each by the check recorded with it
/// (so a weakened property shows up as an entry caught by another check, or not at all), the pristine implementation
/// passes every check, and the kill table is an approval file.
/// </summary>
[Collection(SelfTestCollection.Name)]
public sealed class CatalogSelfTests(SelfTestFixture fixture, ITestOutputHelper output)
{
    [Fact]
    [Spec("INV-1", "INV-2", "INV-3", "INV-4", "INV-5", "INV-6", "INV-7", "INV-8", "INV-9", "INV-10", "INV-11")]
    public void Every_entry_is_caught_by_its_recorded_check()
    {
        var rows = fixture.Rows;
        output.WriteLine(KillTable.Summary(rows));
        output.WriteLine($"self-test wall time {fixture.RowsElapsed.TotalSeconds:0.0} s");
        output.WriteLine(KillTable.Markdown(rows));
        Assert.Equal(VariantCatalog.Catalog.Select(v => v.Name), rows.Select(r => r.Name));
        var bad = rows.Where(r => !r.AsExpected).ToList();
        Assert.True(bad.Count == 0, $"{bad.Count} catalog entries escaped their recorded check:\n{KillTable.Failures(rows)}");
    }

    [Fact]
    [Spec("INV-10", "INV-11", "LOCK-7")]
    public void Pristine_implementation_passes_every_check()
    {
        var rows = fixture.Pristine;
        foreach (var p in rows) output.WriteLine($"{p.Suite} {p.Target}: {(p.Passed ? "passed" : "FAILED " + p.Failure)} ({p.Work} {p.WorkUnit}, {p.Elapsed.TotalSeconds:0.00} s)");
        Assert.Contains(rows, p => p.Suite == "properties");
        Assert.Contains(rows, p => p.Suite == "concurrency");
        var failed = rows.Where(p => !p.Passed).ToList();
        Assert.True(failed.Count == 0, "the pristine implementation fails:\n" + string.Join("\n", failed.Select(p => $"{p.Suite} {p.Target}: {p.Failure}")));
    }

    /// <summary>The kill table without times (deterministic): which check caught each entry, where, and after how many
    /// commands or schedules. Regenerate with TCEVERIFY_ACCEPT=1 after a deliberate change.</summary>
    [Fact]
    public void Kill_table_is_approved()
    {
        if (fixture.Options != SelfTestOptions.Default) return; // a scaled run explores more: its table differs by design
        Approvals.Verify(KillTable.Approval(fixture.Rows, fixture.Pristine));
    }

    /// <summary>docs/catalog.md's generated tables are those of this catalog: the catalog table as the code renders it
    /// now, and a kill-table row for every entry, in catalog order. <c>tceverify catalog --write-docs docs/catalog.md</c>
    /// (<see cref="CatalogDocs.Command"/>) regenerates both.</summary>
    [Fact]
    public void Docs_catalog_md_lists_this_catalog()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "catalog.md")).Replace("\r", "", StringComparison.Ordinal);
        string stale = $"docs/catalog.md is stale: regenerate it with `{CatalogDocs.Command}`";
        Assert.True(CatalogDocs.Region(doc, "catalog") == CatalogDocs.CatalogSection(VariantCatalog.Catalog).TrimEnd('\n'), stale + " (the catalog table differs)");
        var killRows = (CatalogDocs.Region(doc, "kill-table") ?? "").Split('\n')
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\| `([^`]+)` \|")).Where(m => m.Success).Select(m => m.Groups[1].Value);
        Assert.True(VariantCatalog.Catalog.Select(v => v.Name).SequenceEqual(killRows), stale + " (the kill table's entries differ)");
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "spec")) && Directory.Exists(Path.Combine(dir.FullName, "tests")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no spec/ above {AppContext.BaseDirectory}");
    }
}
