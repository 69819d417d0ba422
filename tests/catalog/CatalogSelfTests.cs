using TceVerify.SelfTest;
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

    /// <summary>Entries selected by name on the command line:
    /// <c>TCEVERIFY_CATALOG=map-no-flush,no-mutex-on-enable dotnet test tests/catalog --filter Selected_entries</c> runs just
    /// those through their recorded checks and prints each failure's replay (does nothing when the variable is unset).</summary>
    [Fact]
    public void Selected_entries_are_caught_by_their_recorded_check()
    {
        var names = Environment.GetEnvironmentVariable(SelectVariable);
        if (string.IsNullOrWhiteSpace(names)) return;
        var rows = SelfTestRunner.Run(VariantCatalog.Select(names), fixture.Options);
        foreach (var r in rows)
        {
            output.WriteLine($"{r.Name}: {r.Verdict} by {r.CaughtBy} ({string.Join(" ", r.ReportedClauses)}) at {r.Where}, {r.ToFirstFailure}, {r.Elapsed.TotalSeconds:0.00} s");
            output.WriteLine("  " + r.Detail);
            output.WriteLine("  replay: " + r.Replay.Replace("\n", "\n    ", StringComparison.Ordinal));
        }
        Assert.True(rows.All(r => r.AsExpected), KillTable.Failures(rows));
    }

    public const string SelectVariable = "TCEVERIFY_CATALOG";

    /// <summary>TCEVERIFY_CATALOG_DOCS=1 writes docs/catalog.md: the catalog, the kill table with times, the totals.</summary>
    [Fact]
    public void Docs_section_on_request()
    {
        if (Environment.GetEnvironmentVariable("TCEVERIFY_CATALOG_DOCS") != "1") return;
        var path = Path.Combine(RepositoryRoot(), "docs", "catalog.md");
        var old = File.Exists(path) ? File.ReadAllText(path) : "## The bug catalog and the harness self-test\n";
        var text = CatalogDocs.Update(old, VariantCatalog.Catalog, fixture.Rows, fixture.RowsElapsed, fixture.Pristine, fixture.PristineElapsed);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        output.WriteLine($"wrote {path}");
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "spec")) && Directory.Exists(Path.Combine(dir.FullName, "tests")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no spec/ above {AppContext.BaseDirectory}");
    }
}
