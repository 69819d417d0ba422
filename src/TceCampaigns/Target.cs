using TceVerify.Concurrency;
using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Variants;

namespace TceVerify.Campaigns;

/// <summary>
/// The system under test of every campaign: TceImpl as it is, or TceImpl built with the parts of a named catalog entry
/// (<see cref="VariantCatalog.Catalog"/>: the literal findings and the bug catalog). The layers below know a system only
/// as its parts and its name; this is where a catalog entry becomes one.
/// </summary>
public sealed class Target
{
    /// <summary>The name that selects the pristine implementation (also the default).</summary>
    public const string ImplName = "impl";

    Target(string name, Variant? variant)
    {
        Name = name;
        Variant = variant;
    }

    public static Target Impl { get; } = new(ImplName, null);

    /// <summary>TceImpl with a catalog entry's parts.</summary>
    public static Target Of(Variant variant) => new(variant.Name, variant);

    public string Name { get; }
    public Variant? Variant { get; }
    public bool IsImpl => Variant is null;

    /// <summary>What reports call it: "TceImpl" or the variant's name.</summary>
    public string Display => Variant is null ? "TceImpl" : Variant.Name;

    /// <summary>Builds the sequential system (the default lock layer: real locks, unused by one thread).</summary>
    public Func<PlatformConfig, ITceSystem> Factory =>
        Variant is { } v ? c => new ImplSystem(c, null, v.CreateParts()) : c => new ImplSystem(c);

    /// <summary>The parts for <c>new ImplSystem(config, sync, parts)</c> (null: the pristine implementation's).</summary>
    public Func<KernelParts?>? Parts => Variant is { } v ? v.CreateParts : null;

    /// <summary>What the concurrency layer's reports call it: the entry's name, or "pristine".</summary>
    public string RunnerName => Variant?.Name ?? "pristine";

    /// <summary>A scenario runner on this system.</summary>
    public ScenarioRunner Runner(ConcurrentScenario scenario, RunnerOptions? options = null) => new(scenario, Parts, options, RunnerName);

    /// <summary>A C# expression that builds it, for the regression tests failure reports propose.</summary>
    public string Code => Variant is null ? "new ImplSystem(c)" : $"new ImplSystem(c, null, VariantCatalog.Get(\"{Variant.Name}\").CreateParts())";

    /// <summary>The valid names: impl and every catalog entry.</summary>
    public static IReadOnlyList<string> Names => [ImplName, .. VariantCatalog.Catalog.Select(v => v.Name)];

    /// <summary>Resolves --variant; null (not given), "impl" and "TceImpl" are the pristine implementation; an empty name
    /// is an error (it would otherwise check TceImpl while the user meant an entry).</summary>
    public static Target Resolve(string? name)
    {
        if (name is null || name == ImplName || name == "TceImpl") return Impl;
        if (string.IsNullOrWhiteSpace(name)) throw new UsageException($"empty variant name: give a catalog entry ('tceverify catalog --list' names them) or {ImplName}");
        foreach (var v in VariantCatalog.Catalog)
            if (string.Equals(v.Name, name, StringComparison.Ordinal)) return new Target(v.Name, v);
        var close = Names.Where(n => n.Contains(name, StringComparison.OrdinalIgnoreCase) || name.Contains(n, StringComparison.OrdinalIgnoreCase)
                                     || Distance(n, name) <= Math.Max(2, name.Length / 4)).Take(5).ToList();
        throw new UsageException($"unknown variant '{name}'" + (close.Count > 0 ? $"; did you mean {string.Join(", ", close)}?" : "") +
                                 $" ({Names.Count - 1} entries: 'tceverify catalog --list' names them)");
    }

    public override string ToString() => Display;

    static int Distance(string a, string b)
    {
        var d = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) d[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int prev = d[0];
            d[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int tmp = d[j];
                d[j] = Math.Min(Math.Min(d[j] + 1, d[j - 1] + 1), prev + (a[i - 1] == b[j - 1] ? 0 : 1));
                prev = tmp;
            }
        }
        return d[b.Length];
    }
}
