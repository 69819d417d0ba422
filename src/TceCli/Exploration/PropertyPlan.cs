using TceVerify.Cli.Infrastructure;
using TceVerify.Contract;
using TceVerify.Harness.Generation;
using TceVerify.Model;
using static TceVerify.Harness.Generation.StepChecks;

namespace TceVerify.Cli.Exploration;

/// <summary>
/// One property of the campaign: the checks run after every command, whether the model runs alongside
/// (differential: results, full observable state), the workloads and platforms programs are drawn from, their
/// length, its share of the command budget (<see cref="Weight"/>) and the invariants it guards.
/// </summary>
public sealed record PropertySpec(
    string Name,
    IReadOnlyList<StepCheck> Checks,
    bool Differential,
    IReadOnlyList<Workload> Workloads,
    IReadOnlyList<Platform> Platforms,
    int MinLength,
    int MaxLength,
    int Weight,
    IReadOnlyList<string> Invariants)
{
    public static Func<PlatformConfig, ITceSystem> Model { get; } = c => new ModelSystem(c);

    public CampaignRunner RunnerFor(Target target) =>
        new(target.Factory, Differential ? Model : null, Checks, compareResults: Differential, compareState: Differential);

    /// <summary>The j-th generated case of this property for a campaign seed: workload, platform, length and
    /// program seed all derive from (seed, name, j), so a campaign is reproducible from its seed alone.</summary>
    public ProgramCase CaseAt(ulong seed, long j)
    {
        ulong h = Values.Hash(seed, Name, j);
        var workload = Workloads[(int)(h % (ulong)Workloads.Count)];
        var platform = Platforms[(int)((h >> 8) % (ulong)Platforms.Count)];
        int length = MinLength + (int)((h >> 16) % (ulong)(MaxLength - MinLength + 1));
        int programSeed = (int)((h >> 32) & int.MaxValue);
        return ProgramCase.Generated(platform, programSeed, length, workload);
    }
}

/// <summary>
/// The properties check runs: the same as the property suite (tests/properties/Properties/Catalog.cs, which lives in
/// a test project; keep the two in step): three differential
/// properties (model vs system, every byte of the observable state, every invariant after every command), the four
/// targeted properties and one property per remaining invariant, on both page sizes (4 KiB and 64 KiB) and the
/// RLIMIT edge machines.
/// </summary>
public static class PropertyPlan
{
    static readonly Platform[] All = Platforms.All.ToArray();
    static readonly Platform[] Small = [Platforms.Small4K, Platforms.Small64K];
    static readonly string[] StateInvs = ["INV-1", "INV-2", "INV-3", "INV-4", "INV-7", "INV-9"];

    public static IReadOnlyList<PropertySpec> Every { get; } =
    [
        new("differential: mixed", [StateInvariants, Transitions], true, [Workload.Mixed, Workload.Lifecycle], All, 60, 90, 4,
            ["INV-10", "INV-5", "INV-6", .. StateInvs]),
        new("differential: qemu", [StateInvariants, Transitions], true, [Workload.Qemu], Small, 60, 90, 2,
            ["INV-10", "INV-5", "INV-6", .. StateInvs]),
        new("differential: adversarial", [StateInvariants, Transitions], true,
            [Workload.Adversarial, Workload.WindowEdges, Workload.PartialFailure, Workload.Ownership], All, 60, 90, 4,
            ["INV-10", "INV-5", "INV-6", .. StateInvs]),
        new("alignment rejection", [StepChecks.Alignment], false, [Workload.Alignment, Workload.Adversarial], All, 60, 90, 2, ["INV-5"]),
        new("window bounds", [StepChecks.WindowBounds], false, [Workload.WindowEdges, Workload.Adversarial, Workload.Mixed], All, 60, 90, 2, ["INV-2"]),
        new("rollback on partial map failure", [StepChecks.Rollback], false, [Workload.PartialFailure], All, 60, 90, 2, ["INV-5"]),
        new("clean attach", [StepChecks.Attach], false, [Workload.Ownership], All, 60, 90, 2, ["INV-6"]),
        new("INV-1 isolation", [StepChecks.Isolation], false, [Workload.Mixed, Workload.Ownership, Workload.PartialFailure], All, 60, 90, 2, ["INV-1"]),
        new("INV-3 pin balance", [StepChecks.PinBalance], false, [Workload.Mixed, Workload.Ownership, Workload.PartialFailure], All, 60, 90, 2, ["INV-3"]),
        new("INV-4 accounting", [StepChecks.Accounting], false, [Workload.Mixed, Workload.Adversarial, Workload.Lifecycle], All, 60, 90, 2, ["INV-4"]),
        new("INV-6 clean hand-over", [StepChecks.CleanHandOver], false, [Workload.Ownership, Workload.Mixed, Workload.Lifecycle], All, 60, 90, 2, ["INV-6"]),
        new("INV-7 core consistency", [StepChecks.CoreConsistency], false, [Workload.Mixed, Workload.Ownership, Workload.Lifecycle], All, 60, 90, 2, ["INV-7"]),
        new("INV-5 failure atomicity", [StepChecks.FailureAtomicity], false, [Workload.Adversarial, Workload.PartialFailure, Workload.Ownership], All, 60, 90, 2, ["INV-5"]),
        new("INV-9 flushed", [StepChecks.Flushed], false, [Workload.Mixed, Workload.Ownership], All, 60, 90, 2, ["INV-9"]),
    ];

    /// <summary>Every check of every property, once (the finding scripts run them all).</summary>
    public static IReadOnlyList<StepCheck> AllChecks { get; } = Every.SelectMany(p => p.Checks).Distinct().ToList();

    /// <summary>The name program files give failures of the finding scripts.</summary>
    public const string FindingScriptsName = "finding scripts";

    public static PropertySpec? Find(string name) => Every.FirstOrDefault(p => p.Name == name);
}
