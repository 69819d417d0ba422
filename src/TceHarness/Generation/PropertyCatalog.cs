using static TceVerify.Harness.Generation.StepChecks;

namespace TceVerify.Harness.Generation;

/// <summary>
/// One property of the campaign: the checks run after every command, whether the model runs alongside
/// (differential: results and the full observable state), the workloads and platforms its programs are drawn
/// from, their length, how many cases a default run checks, and the invariants it guards.
/// </summary>
public sealed record PropertyDefinition(
    string Name,
    IReadOnlyList<StepCheck> Checks,
    bool Differential,
    IReadOnlyList<Workload> Workloads,
    IReadOnlyList<Platform> Platforms,
    int MinLength,
    int MaxLength,
    int DefaultCases,
    IReadOnlyList<string> Invariants);

/// <summary>
/// The properties of the campaign, defined once: the FsCheck suite (tests/properties) runs each as a property,
/// the command line's <c>check</c> samples the same definitions under a command budget.
/// </summary>
public static class PropertyCatalog
{
    static readonly Platform[] All = Generation.Platforms.All.ToArray();
    static readonly Platform[] Small = [Generation.Platforms.Small4K, Generation.Platforms.Small64K];
    static readonly string[] StateInvariantIds = ["INV-1", "INV-2", "INV-3", "INV-4", "INV-7", "INV-9", "INV-12", "INV-13"];
    static readonly string[] DifferentialInvariants = ["INV-10", "INV-5", "INV-6", .. StateInvariantIds];

    // (1) Differential: results, every byte (snapshots hold memory), the full observable state, invariants, transitions.
    public static PropertyDefinition DifferentialMixed { get; } =
        new("differential: mixed", [StateInvariants, Transitions], true, [Workload.Mixed, Workload.Lifecycle], All, 60, 90, 400, DifferentialInvariants);
    public static PropertyDefinition DifferentialQemu { get; } =
        new("differential: qemu", [StateInvariants, Transitions], true, [Workload.Qemu], Small, 60, 90, 200, DifferentialInvariants);
    public static PropertyDefinition DifferentialAdversarial { get; } =
        new("differential: adversarial", [StateInvariants, Transitions], true,
            [Workload.Adversarial, Workload.WindowEdges, Workload.PartialFailure, Workload.Ownership], All, 60, 90, 400, DifferentialInvariants);

    // (2)..(5) The targeted properties, judged from the system's own observations (no model).
    public static PropertyDefinition Alignment { get; } =
        new("alignment rejection", [StepChecks.Alignment], false, [Workload.Alignment, Workload.Adversarial], All, 60, 90, 220, ["INV-5"]);
    public static PropertyDefinition WindowBounds { get; } =
        new("window bounds", [StepChecks.WindowBounds], false, [Workload.WindowEdges, Workload.Adversarial, Workload.Mixed], All, 60, 90, 220, ["INV-2"]);
    public static PropertyDefinition Rollback { get; } =
        new("rollback on partial map failure", [StepChecks.Rollback], false, [Workload.PartialFailure], All, 60, 90, 220, ["INV-5"]);
    public static PropertyDefinition Attach { get; } =
        new("clean attach", [StepChecks.Attach], false, [Workload.Ownership], All, 60, 90, 220, ["INV-6"]);

    // (6) One property per remaining security invariant, after every command.
    public static PropertyDefinition Isolation { get; } =
        new("INV-1 isolation", [StepChecks.Isolation], false, [Workload.Mixed, Workload.Ownership, Workload.PartialFailure], All, 60, 90, 220, ["INV-1"]);
    public static PropertyDefinition PinBalance { get; } =
        new("INV-3 pin balance", [StepChecks.PinBalance], false, [Workload.Mixed, Workload.Ownership, Workload.PartialFailure], All, 60, 90, 220, ["INV-3"]);
    public static PropertyDefinition Accounting { get; } =
        new("INV-4 accounting", [StepChecks.Accounting], false, [Workload.Mixed, Workload.Adversarial, Workload.Lifecycle], All, 60, 90, 220, ["INV-4"]);
    public static PropertyDefinition CleanHandOver { get; } =
        new("INV-6 clean hand-over", [StepChecks.CleanHandOver], false, [Workload.Ownership, Workload.Mixed, Workload.Lifecycle], All, 60, 90, 220, ["INV-6"]);
    public static PropertyDefinition CoreConsistency { get; } =
        new("INV-7 core consistency", [StepChecks.CoreConsistency], false, [Workload.Mixed, Workload.Ownership, Workload.Lifecycle], All, 60, 90, 220, ["INV-7"]);

    // The other invariants of spec/invariants.md that a sequential run can judge.
    public static PropertyDefinition FailureAtomicity { get; } =
        new("INV-5 failure atomicity", [StepChecks.FailureAtomicity], false, [Workload.Adversarial, Workload.PartialFailure, Workload.Ownership], All, 60, 90, 220, ["INV-5"]);
    public static PropertyDefinition Flushed { get; } =
        new("INV-9 flushed", [StepChecks.Flushed], false, [Workload.Mixed, Workload.Ownership], All, 60, 90, 220, ["INV-9"]);

    // Issue 11: rules the model comparison alone used to guard, each now a targeted property.
    public static PropertyDefinition MemlockLimit { get; } =
        new("EN-5 memlock limit", [StepChecks.MemlockLimit], false, [Workload.Adversarial, Workload.Lifecycle, Workload.Mixed], All, 60, 90, 160, ["INV-4"]);
    public static PropertyDefinition DirtyOnClear { get; } =
        new("TBL-7 dirty on clear", [StepChecks.DirtyOnClear], false, [Workload.Mixed, Workload.PartialFailure, Workload.Lifecycle], All, 60, 90, 160, ["INV-3"]);
    public static PropertyDefinition WriteBack { get; } =
        new("ABI-8 write-back", [StepChecks.WriteBack], false, [Workload.Adversarial, Workload.Mixed], All, 60, 90, 160, ["INV-5"]);

    // Issue 15: the device's security invariants, judged from what the system and its hardware show (DEV-2's caches).
    public static PropertyDefinition DmaIsolation { get; } =
        new("INV-12 DMA isolation", [StepChecks.DmaIsolation], false, [Workload.Mixed, Workload.Lifecycle, Workload.Ownership, Workload.PartialFailure], All, 60, 90, 160, ["INV-12"]);
    public static PropertyDefinition NoDmaAfterUnmap { get; } =
        new("INV-13 no DMA after unmap", [StepChecks.NoDmaAfterUnmap], false, [Workload.Mixed, Workload.Qemu, Workload.PartialFailure, Workload.Lifecycle], Small, 60, 90, 160, ["INV-13"]);

    public static IReadOnlyList<PropertyDefinition> Every { get; } =
    [
        DifferentialMixed, DifferentialQemu, DifferentialAdversarial, Alignment, WindowBounds, Rollback, Attach,
        Isolation, PinBalance, Accounting, CleanHandOver, CoreConsistency, FailureAtomicity, Flushed,
        MemlockLimit, DirtyOnClear, WriteBack, DmaIsolation, NoDmaAfterUnmap,
    ];

    /// <summary>Every check of every property, once (the finding scripts run them all).</summary>
    public static IReadOnlyList<StepCheck> AllChecks { get; } = Every.SelectMany(p => p.Checks).Distinct().ToList();
}
