using TceVerify.Harness.Generation;
using TceVerify.Tests.Properties.Infrastructure;

namespace TceVerify.Tests.Properties.Properties;

/// <summary>
/// Every property of the suite with its default effort: the definitions of <see cref="PropertyCatalog"/> (shared
/// with the command line), each run as an FsCheck property. PROPERTY_SCALE multiplies MaxTest.
/// </summary>
public static class Catalog
{
    static CampaignProperty From(PropertyDefinition d) => new(d);

    public static CampaignProperty DifferentialMixed { get; } = From(PropertyCatalog.DifferentialMixed);
    public static CampaignProperty DifferentialQemu { get; } = From(PropertyCatalog.DifferentialQemu);
    public static CampaignProperty DifferentialAdversarial { get; } = From(PropertyCatalog.DifferentialAdversarial);
    public static CampaignProperty Alignment { get; } = From(PropertyCatalog.Alignment);
    public static CampaignProperty WindowBounds { get; } = From(PropertyCatalog.WindowBounds);
    public static CampaignProperty Rollback { get; } = From(PropertyCatalog.Rollback);
    public static CampaignProperty Attach { get; } = From(PropertyCatalog.Attach);
    public static CampaignProperty Isolation { get; } = From(PropertyCatalog.Isolation);
    public static CampaignProperty PinBalance { get; } = From(PropertyCatalog.PinBalance);
    public static CampaignProperty Accounting { get; } = From(PropertyCatalog.Accounting);

    /// <summary>INV-4 on the release paths alone (close, unset, exit; no fork, no fd passing): FIND-5's ground.</summary>
    public static CampaignProperty AccountingOnRelease { get; } =
        From(PropertyCatalog.Accounting with { Name = "INV-4 accounting on release paths", Workloads = [Workload.Lifecycle], DefaultCases = 100 });

    public static CampaignProperty CleanHandOver { get; } = From(PropertyCatalog.CleanHandOver);
    public static CampaignProperty CoreConsistency { get; } = From(PropertyCatalog.CoreConsistency);
    public static CampaignProperty FailureAtomicity { get; } = From(PropertyCatalog.FailureAtomicity);
    public static CampaignProperty Flushed { get; } = From(PropertyCatalog.Flushed);
    public static CampaignProperty MemlockLimit { get; } = From(PropertyCatalog.MemlockLimit);
    public static CampaignProperty DirtyOnClear { get; } = From(PropertyCatalog.DirtyOnClear);
    public static CampaignProperty WriteBack { get; } = From(PropertyCatalog.WriteBack);
    public static CampaignProperty DmaIsolation { get; } = From(PropertyCatalog.DmaIsolation);
    public static CampaignProperty NoDmaAfterUnmap { get; } = From(PropertyCatalog.NoDmaAfterUnmap);

    public static IReadOnlyList<CampaignProperty> Every { get; } = PropertyCatalog.Every.Select(From).ToList();
}
