using TceVerify.Concurrency;
using System.Text.RegularExpressions;
using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Campaigns;
using TceVerify.TestKit;
using TceVerify.Variants;
using Xunit;

namespace TceVerify.Tests.Catalog;

/// <summary>
/// The catalog itself, without running the self-test: its size and coverage of issue 5's list, that every entry is
/// documented with clauses that exist, a known check and (for the concurrency suite) known scenarios, that names are
/// unique and selectable, and that the concurrency-only entries really are invisible to sequential runs.
/// </summary>
public sealed partial class CatalogShapeTests
{
    static IReadOnlyList<Variant> Catalog => VariantCatalog.Catalog;

    [GeneratedRegex(@"\*\*([A-Z]+-\d+)")]
    private static partial Regex ClauseDefinition();

    static HashSet<string> SpecClauses()
    {
        var root = CatalogSelfTests.RepositoryRoot();
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(root, "spec"), "*.md"))
            foreach (Match m in ClauseDefinition().Matches(File.ReadAllText(file))) set.Add(m.Groups[1].Value);
        return set;
    }

    /// <summary>The concurrency layer runs and attributes checks by the names the catalog records (it cannot see the
    /// catalog: src/TceConcurrency sits below src/TceVariants' users), so the two lists are the same.</summary>
    [Fact]
    public void Concurrency_checks_are_the_catalog_s_names()
    {
        Assert.Equal(Checks.Concurrent, ConcurrencyChecks.All);
        Assert.Equal([Checks.LockDiscipline, Checks.DataRace, Checks.Deadlock, Checks.Linearizability, Checks.Invariants],
            [ConcurrencyChecks.LockDiscipline, ConcurrencyChecks.DataRace, ConcurrencyChecks.Deadlock, ConcurrencyChecks.Linearizability, ConcurrencyChecks.Invariants]);
    }

    [Fact]
    public void Catalog_has_at_least_30_entries_and_10_concurrency_only()
    {
        Assert.True(Catalog.Count >= 30, $"{Catalog.Count} entries");
        Assert.True(Catalog.Count(v => v.ConcurrencyOnly) >= 10, $"{Catalog.Count(v => v.ConcurrencyOnly)} concurrency-only entries");
        Assert.Equal(Catalog.Count, Catalog.Select(v => v.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(Catalog, v => Assert.Matches("^[a-z0-9.]+(-[a-z0-9.]+)+$", v.Name));
    }

    [Fact]
    public void Every_entry_is_documented_with_existing_clauses()
    {
        var clauses = SpecClauses();
        Assert.All(Catalog, v =>
        {
            Assert.False(string.IsNullOrWhiteSpace(v.Description), v.Name);
            Assert.NotEmpty(v.Clauses);
            foreach (var c in v.Clauses) Assert.True(clauses.Contains(c), $"{v.Name} cites {c}, which spec/ does not define");
            if (v.Expected.Clause is { } e) Assert.True(clauses.Contains(e), $"{v.Name} expects clause {e}, which spec/ does not define");
        });
    }

    [Fact]
    public void Every_expected_check_exists_in_its_suite()
    {
        Assert.All(Catalog, v =>
        {
            if (v.Expected.Suite == CatchSuite.Properties)
            {
                Assert.Contains(v.Expected.Check, Checks.Sequential);
                Assert.Empty(v.Expected.Scenarios);
                if (v.Expected.Check is not (Checks.Result or Checks.State)) Assert.NotNull(SequentialSuite.StepCheck(v.Expected.Check));
            }
            else
            {
                Assert.Contains(v.Expected.Check, Checks.Concurrent);
                Assert.NotEmpty(v.Expected.Scenarios);
                foreach (var s in v.Expected.Scenarios) Assert.Equal(s, Scenarios.Get(s).Name);
                Assert.NotNull(ConcurrencyChecks.OptionsFor(v.Expected.Check));
            }
            Assert.Equal(v.ConcurrencyOnly, v.Expected.Suite == CatchSuite.Concurrency);
        });
    }

    /// <summary>Issue 5's list: the first patch's four behaviours, every finding, every ioctl error path kind, precedence,
    /// rollback, flush, puts, dirty bits, locked_vm, and each lock of the protocol.</summary>
    [Fact]
    public void Catalog_covers_the_issue_list()
    {
        string[] required =
        [
            // the first posted patch
            "patch-map-aligns-iova-size", "patch-attach-no-clear", "patch-map-over-existing", "patch-no-locked-vm-accounting",
            // error paths: argsz, flags, alignment, window start and end, off by one, wrap-around
            "map-argsz-unchecked", "unmap-argsz-unchecked", "info-argsz-unchecked", "status-argsz-unchecked", "map-flags-unchecked",
            "unmap-flags-unchecked", "set-container-negative-fd", "check-extension-accepts-type1",
            "map-vaddr-unaligned-accepted", "map-size-unaligned-accepted", "put-check-iova-unaligned", "unmap-size-unaligned-accepted",
            "unmap-iova-unaligned-accepted", "put-check-below-window", "unmap-below-window", "literal-map-end-unchecked",
            "unmap-past-window", "map-end-off-by-one", "unmap-end-off-by-one", "map-end-wraps", "unmap-end-wraps",
            // precedence, rollback, flush, pages, accounting
            "enable-limit-before-busy", "set-container-fd-before-users", "map-no-rollback", "map-rollback-one-short",
            "map-rollback-one-more", "map-no-flush", "clear-double-put", "clear-missing-put", "clear-no-dirty",
            "enable-charges-twice", "disable-uncharges-twice", "enable-no-charge", "disable-no-uncharge", "literal-uncharge-current",
            // locking
            "no-mutex-on-enable", "no-mutex-on-attach", "no-group-lock-on-passthrough", "no-group-lock-on-set-container",
            "no-group-lock-on-unset-container", "no-pool-lock-on-build", "literal-ownership-without-pool-locks",
            "no-mmap-sem-on-charge", "no-mmap-sem-on-uncharge", "literal-set-container-unlocked", "enable-check-then-act",
            "map-check-then-act", "passthrough-uses-data-outside-lock", "release-ownership-before-last-use",
            // the literal code of the linearizability findings (issue 10)
            "literal-close-beside-calls", "literal-exit-marks-first", "literal-status-unlocked", "literal-device-fd-unlocked",
            "literal-set-iommu-unwinds", "literal-opened-unlocked", "literal-device-fd-driver-unlocked", "literal-open-beside-calls",
            // the races found in TceImpl itself (issue 11)
            "occupancy-words-shared-by-pools", "map-stores-countdown-over-inject", "map-claims-countdown-without-lock",
        ];
        foreach (var name in required) Assert.Equal(name, VariantCatalog.Get(name).Name);
    }

    [Fact]
    public void Unknown_name_lists_the_valid_ones()
    {
        var ex = Assert.Throws<ArgumentException>(() => VariantCatalog.Get("no-such-bug"));
        Assert.Contains("no-such-bug", ex.Message);
        foreach (var v in Catalog) Assert.Contains(v.Name, ex.Message);
        Assert.Equal(["map-no-flush", "literal-3.10"], VariantCatalog.Select("map-no-flush, literal-3.10").Select(v => v.Name));
        Assert.Equal(Catalog.Count, VariantCatalog.Select("").Count);
    }

    [Fact]
    [Spec("FIND-1", "FIND-2", "FIND-3", "FIND-4", "FIND-5", "FIND-6", "FIND-7", "FIND-8", "FIND-9", "FIND-10", "FIND-11", "FIND-12",
        "FIND-13", "FIND-14", "FIND-15", "FIND-16", "FIND-17", "FIND-18", "FIND-19", "FIND-20", "FIND-21", "FIND-22", "FIND-23", "FIND-24", "FIND-25")]
    public void Every_finding_has_a_catalog_entry_of_its_own()
    {
        Assert.Equal(VariantCatalog.Findings, VariantCatalog.All);
        Assert.All(VariantCatalog.Findings, v => Assert.StartsWith("literal-", v.Name));
        // Every finding of spec/findings.md has an entry of its own that reproduces it (literal-3.10 combines the
        // literal ones; the races found in TceImpl itself are entries with TceImpl's code before the fix).
        var findings = SpecClauses().Where(c => c.StartsWith("FIND-", StringComparison.Ordinal)).ToList();
        Assert.True(findings.Count >= 25, $"spec/findings.md defines {findings.Count} findings");
        var single = Catalog.Where(v => v.Name != "literal-3.10").ToList();
        foreach (var f in findings)
            Assert.True(single.Any(v => v.Clauses.Contains(f)), $"{f} has no catalog entry of its own");
        var literal = VariantCatalog.Get("literal-3.10").Clauses;
        Assert.All(VariantCatalog.Findings.Where(v => v.Name != "literal-3.10").SelectMany(v => v.Clauses).Where(c => c.StartsWith("FIND-", StringComparison.Ordinal)),
            f => Assert.Contains(f, literal));
    }

    /// <summary>A concurrency-only entry must be invisible to sequential runs: the finding scripts and one program of each
    /// workload pass the differential comparison and every per-step check.</summary>
    [Fact]
    [Spec("INV-10")]
    public void Concurrency_only_entries_pass_every_sequential_check()
    {
        foreach (var v in Catalog.Where(v => v.ConcurrencyOnly))
        {
            var runner = SequentialSuite.Everything(c => new ImplSystem(c, null, v.CreateParts()));
            var corpus = SequentialSuite.Scripts.Concat(SequentialSuite.Generated(SequentialSuite.Workloads.Count, 40, 4242));
            var a = SequentialSuite.Run(runner, corpus);
            Assert.False(a.Caught, $"{v.Name} is marked concurrency-only, yet {a.Kind} catches it sequentially at {a.Case?.Label} step {a.Step}: {a.Detail}");
        }
    }

    /// <summary>Every entry builds fresh parts (no state shared between systems) that boot into the pristine machine's
    /// state: a deviation shows only through calls.</summary>
    [Fact]
    public void Each_entry_builds_fresh_parts_that_boot_like_the_pristine_machine()
    {
        foreach (var v in Catalog)
        {
            Assert.NotSame(v.CreateParts(), v.CreateParts());
            var system = new ImplSystem(PlatformConfig.Small(), null, v.CreateParts());
            Assert.Equal(new ImplSystem(PlatformConfig.Small()).Snapshot(), system.Snapshot());
        }
    }
}

/// <summary>
/// The self-test's own power: an entry attributed to a check that does not catch it (as when that property is weakened)
/// is reported as escaping it, with the checks that do catch it; and a check that is run alone catches nothing on the
/// pristine implementation.
/// </summary>
public sealed class SelfTestPowerTests
{
    static readonly SelfTestOptions Quick = SelfTestOptions.Default with { GeneratedPrograms = 16, DiagnosePrograms = 16, Schedules = 100, DfsSchedules = 200, Shrink = false };

    [Fact]
    [Spec("TBL-7")]
    public void A_sequential_entry_attributed_to_the_wrong_check_escapes_it()
    {
        // clear-no-dirty changes only dirty bits, which no invariant covers: only the state comparison sees it.
        var misattributed = VariantCatalog.Get("clear-no-dirty").ExpectedBy(new Catch(CatchSuite.Properties, Checks.PinBalance, "INV-3", []));
        var row = SelfTestRunner.RunOne(misattributed, Quick);
        Assert.False(row.Caught);
        Assert.False(row.AsExpected);
        Assert.Equal("escaped its check", row.Verdict);
        Assert.Contains(row.AlsoCaughtBy, a => a.StartsWith(Checks.State, StringComparison.Ordinal));
        Assert.Contains("clear-no-dirty: escaped its check; expected INV-3 pin balance (INV-3)", KillTable.Failures([row]));
    }

    [Fact]
    [Spec("EN-4", "INV-4")]
    public void A_concurrency_entry_attributed_to_the_wrong_check_escapes_it()
    {
        var misattributed = VariantCatalog.Get("enable-check-then-act").ExpectedBy(new Catch(CatchSuite.Concurrency, Checks.Deadlock, null, ["enable-twice"]));
        var row = SelfTestRunner.RunOne(misattributed, Quick);
        Assert.False(row.AsExpected);
        Assert.Contains(row.AlsoCaughtBy, a => a.StartsWith(Checks.Invariants, StringComparison.Ordinal));
    }

    [Fact]
    [Spec("MAP-9", "INV-2")]
    public void A_caught_row_says_where_and_how_to_replay()
    {
        var row = SelfTestRunner.RunOne(VariantCatalog.Get("literal-map-end-unchecked"), Quick with { Shrink = true });
        Assert.True(row.AsExpected);
        Assert.Equal("script FIND-1", row.Where);
        Assert.Equal(6, row.Step);
        Assert.Contains("MAP_DMA pid 1 fd 3", row.Replay);
        Assert.Contains("INV-2", row.ReportedClauses);
        var conc = SelfTestRunner.RunOne(VariantCatalog.Get("no-mutex-on-enable"), Quick);
        Assert.True(conc.AsExpected);
        Assert.Contains(".Replay(\"", conc.Replay);
        Assert.Equal("schedules", conc.WorkUnit);
    }
}
