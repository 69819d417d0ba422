using System.Diagnostics;
using TceVerify.Campaigns;
using TceVerify.Variants;
using Xunit;

namespace TceVerify.Tests.Catalog;

/// <summary>
/// Runs the self-test once for the whole test assembly: every catalog entry through its recorded check, and the
/// pristine implementation through every check. Budgets are fixed (TCEVERIFY_SELFTEST_SCALE=n multiplies them for a
/// deeper run), seeds are fixed, so the rows are the same on every run but for their times.
/// </summary>
public sealed class SelfTestFixture
{
    readonly Lazy<(IReadOnlyList<KillRow> Rows, TimeSpan Elapsed)> _rows;
    readonly Lazy<(IReadOnlyList<PristineRow> Rows, TimeSpan Elapsed)> _pristine;

    public SelfTestFixture()
    {
        Options = SelfTestOptions.FromEnvironment();
        _rows = new(() =>
        {
            var clock = Stopwatch.StartNew();
            var rows = SelfTestRunner.Run(VariantCatalog.Catalog, Options);
            return (rows, clock.Elapsed);
        });
        _pristine = new(() =>
        {
            var clock = Stopwatch.StartNew();
            var rows = SelfTestRunner.RunPristine(VariantCatalog.Catalog, Options);
            return (rows, clock.Elapsed);
        });
    }

    public SelfTestOptions Options { get; }

    public IReadOnlyList<KillRow> Rows => _rows.Value.Rows;
    public TimeSpan RowsElapsed => _rows.Value.Elapsed;

    public IReadOnlyList<PristineRow> Pristine => _pristine.Value.Rows;
    public TimeSpan PristineElapsed => _pristine.Value.Elapsed;
}

[CollectionDefinition(Name)]
public sealed class SelfTestCollection : ICollectionFixture<SelfTestFixture>
{
    public const string Name = "self-test";
}
