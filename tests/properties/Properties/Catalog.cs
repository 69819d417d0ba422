using TceVerify.Harness.Generation;
using TceVerify.Tests.Properties.Infrastructure;
using static TceVerify.Harness.Generation.StepChecks;

namespace TceVerify.Tests.Properties.Properties;

/// <summary>
/// Every property of the suite with its default effort. A property's cases are programs drawn from its workloads on
/// its platforms, MinLength..MaxLength commands long; every command is checked. PROPERTY_SCALE multiplies MaxTest.
/// </summary>
public static class Catalog
{
    static readonly Platform[] All = Platforms.All.ToArray();
    static readonly Platform[] Small = [Platforms.Small4K, Platforms.Small64K];

    // (1) Differential: results, every byte (snapshots hold memory), the full observable state, invariants, transitions.
    public static CampaignProperty DifferentialMixed { get; } =
        new("differential: mixed", [StateInvariants, Transitions], true, [Workload.Mixed, Workload.Lifecycle], All, 60, 90, 400);
    public static CampaignProperty DifferentialQemu { get; } =
        new("differential: qemu", [StateInvariants, Transitions], true, [Workload.Qemu], Small, 60, 90, 200);
    public static CampaignProperty DifferentialAdversarial { get; } =
        new("differential: adversarial", [StateInvariants, Transitions], true, [Workload.Adversarial, Workload.WindowEdges, Workload.PartialFailure, Workload.Ownership], All, 60, 90, 400);

    // (2)..(5) The targeted properties, judged from the system's own observations (no model).
    public static CampaignProperty Alignment { get; } =
        new("alignment rejection", [StepChecks.Alignment], false, [Workload.Alignment, Workload.Adversarial], All, 60, 90, 220);
    public static CampaignProperty WindowBounds { get; } =
        new("window bounds", [StepChecks.WindowBounds], false, [Workload.WindowEdges, Workload.Adversarial, Workload.Mixed], All, 60, 90, 220);
    public static CampaignProperty Rollback { get; } =
        new("rollback on partial map failure", [StepChecks.Rollback], false, [Workload.PartialFailure], All, 60, 90, 220);
    public static CampaignProperty Attach { get; } =
        new("clean attach", [StepChecks.Attach], false, [Workload.Ownership], All, 60, 90, 220);

    // (6) One property per remaining security invariant, after every command.
    public static CampaignProperty Isolation { get; } =
        new("INV-1 isolation", [StepChecks.Isolation], false, [Workload.Mixed, Workload.Ownership, Workload.PartialFailure], All, 60, 90, 220);
    public static CampaignProperty PinBalance { get; } =
        new("INV-3 pin balance", [StepChecks.PinBalance], false, [Workload.Mixed, Workload.Ownership, Workload.PartialFailure], All, 60, 90, 220);
    public static CampaignProperty Accounting { get; } =
        new("INV-4 accounting", [StepChecks.Accounting], false, [Workload.Mixed, Workload.Adversarial, Workload.Lifecycle], All, 60, 90, 220);

    /// <summary>INV-4 on the release paths alone (close, unset, exit; no fork, no fd passing): FIND-5's ground.</summary>
    public static CampaignProperty AccountingOnRelease { get; } =
        Accounting with { Name = "INV-4 accounting on release paths", Workloads = [Workload.Lifecycle], MaxTest = 100 };
    public static CampaignProperty CleanHandOver { get; } =
        new("INV-6 clean hand-over", [StepChecks.CleanHandOver], false, [Workload.Ownership, Workload.Mixed, Workload.Lifecycle], All, 60, 90, 220);
    public static CampaignProperty CoreConsistency { get; } =
        new("INV-7 core consistency", [StepChecks.CoreConsistency], false, [Workload.Mixed, Workload.Ownership, Workload.Lifecycle], All, 60, 90, 220);

    // The other invariants of spec/invariants.md that a sequential run can judge.
    public static CampaignProperty FailureAtomicity { get; } =
        new("INV-5 failure atomicity", [StepChecks.FailureAtomicity], false, [Workload.Adversarial, Workload.PartialFailure, Workload.Ownership], All, 60, 90, 220);
    public static CampaignProperty Flushed { get; } =
        new("INV-9 flushed", [StepChecks.Flushed], false, [Workload.Mixed, Workload.Ownership], All, 60, 90, 220);

    public static IReadOnlyList<CampaignProperty> Every { get; } =
    [
        DifferentialMixed, DifferentialQemu, DifferentialAdversarial, Alignment, WindowBounds, Rollback, Attach,
        Isolation, PinBalance, Accounting, CleanHandOver, CoreConsistency, FailureAtomicity, Flushed,
    ];
}
