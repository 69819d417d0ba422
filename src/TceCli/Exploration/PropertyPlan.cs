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
/// The properties check runs: the campaign's own definitions (<see cref="PropertyCatalog"/>, which the FsCheck suite
/// runs too), each getting a share of the command budget in proportion to its default number of cases.
/// </summary>
public static class PropertyPlan
{
    public static IReadOnlyList<PropertySpec> Every { get; } = PropertyCatalog.Every
        .Select(d => new PropertySpec(d.Name, d.Checks, d.Differential, d.Workloads, d.Platforms, d.MinLength, d.MaxLength, d.DefaultCases, d.Invariants))
        .ToList();

    /// <summary>Every check of every property, once (the finding scripts run them all).</summary>
    public static IReadOnlyList<StepCheck> AllChecks => PropertyCatalog.AllChecks;

    /// <summary>The name program files give failures of the finding scripts.</summary>
    public const string FindingScriptsName = "finding scripts";

    public static PropertySpec? Find(string name) => Every.FirstOrDefault(p => p.Name == name);
}
