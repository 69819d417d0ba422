using TceVerify.Contract;
using TceVerify.Harness.Generation;
using TceVerify.Model;
using static TceVerify.Harness.Generation.StepChecks;

namespace TceVerify.Campaigns;

/// <summary>
/// One property of the campaign as check runs it: its shared definition (<see cref="PropertyDefinition"/>: the
/// checks after every command, whether the model runs alongside, workloads, platforms, program lengths, the
/// invariants it guards), its share of the command budget (<see cref="Weight"/>) and how it draws its cases.
/// </summary>
public sealed record PropertySpec(PropertyDefinition Definition)
{
    public string Name => Definition.Name;

    public IReadOnlyList<string> Invariants => Definition.Invariants;

    /// <summary>The share of the command budget: in proportion to the property's default number of cases.</summary>
    public int Weight => Definition.DefaultCases;

    public static Func<PlatformConfig, ITceSystem> Model { get; } = c => new ModelSystem(c);

    public CampaignRunner RunnerFor(Target target) =>
        new(target.Factory, Definition.Differential ? Model : null, Definition.Checks,
            compareResults: Definition.Differential, compareState: Definition.Differential);

    /// <summary>The j-th generated case of this property for a campaign seed: workload, platform, length and
    /// program seed all derive from (seed, name, j), so a campaign is reproducible from its seed alone.</summary>
    public ProgramCase CaseAt(ulong seed, long j)
    {
        var d = Definition;
        ulong h = PropertyPlan.Hash(seed, d.Name, j);
        var workload = d.Workloads[(int)(h % (ulong)d.Workloads.Count)];
        var platform = d.Platforms[(int)((h >> 8) % (ulong)d.Platforms.Count)];
        int length = d.MinLength + (int)((h >> 16) % (ulong)(d.MaxLength - d.MinLength + 1));
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
    public static IReadOnlyList<PropertySpec> Every { get; } = PropertyCatalog.Every.Select(d => new PropertySpec(d)).ToList();

    /// <summary>Every check of every property, once (the finding scripts run them all).</summary>
    public static IReadOnlyList<StepCheck> AllChecks => PropertyCatalog.AllChecks;

    /// <summary>The name program files give failures of the finding scripts.</summary>
    public const string FindingScriptsName = "finding scripts";

    public static PropertySpec? Find(string name) => Every.FirstOrDefault(p => p.Name == name);

    /// <summary>A stable 64-bit hash (FNV-1a), for seeds derived from names.</summary>
    public static ulong Hash(ulong seed, string text, long index)
    {
        ulong h = 14695981039346656037UL ^ seed;
        foreach (char c in text) { h ^= c; h *= 1099511628211UL; }
        for (int i = 0; i < 8; i++) { h ^= (byte)(index >> (8 * i)); h *= 1099511628211UL; }
        return h;
    }
}
