using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Model;
using TceVerify.Tests.Properties.Mutants;
using TceVerify.Variants;

namespace TceVerify.Tests.Properties.Infrastructure;

/// <summary>A system a property runs on: how to build it, and the C# expression that builds it (for the regression
/// test a failure report proposes).</summary>
public sealed record SystemUnderTest(string Name, Func<PlatformConfig, ITceSystem> Create, string Code)
{
    public override string ToString() => Name;
}

/// <summary>The systems of the property suite: the model, the implementation, the literal variants of
/// spec/findings.md and the suite's own mutants (deliberately broken systems for properties no literal variant
/// breaks).</summary>
public static class Systems
{
    public static Func<PlatformConfig, ITceSystem> ModelFactory { get; } = c => new ModelSystem(c);

    public static SystemUnderTest Model { get; } = new("model", ModelFactory, "new ModelSystem(c)");

    public static SystemUnderTest Impl { get; } = new("impl", c => new ImplSystem(c), "new ImplSystem(c)");

    /// <summary>ImplSystem built with the parts of a named variant of <see cref="VariantCatalog"/>.</summary>
    public static SystemUnderTest Variant(string name)
    {
        var v = VariantCatalog.Get(name);
        return new(name, c => new ImplSystem(c, null, v.CreateParts()),
            $"new ImplSystem(c, null, VariantCatalog.Get(\"{name}\").CreateParts())");
    }

    public static SystemUnderTest Mutant(string name) => name switch
    {
        RoundingMapMutant.Name => new(name, c => new RoundingMapMutant(new ImplSystem(c)), "new RoundingMapMutant(new ImplSystem(c))"),
        NoUnwindMutant.Name => new(name, c => new NoUnwindMutant(new ImplSystem(c)), "new NoUnwindMutant(new ImplSystem(c))"),
        KeepLeftoversMutant.Name => new(name, c => new KeepLeftoversMutant(c), "new KeepLeftoversMutant(c)"),
        LeakUsersMutant.Name => new(name, c => new LeakUsersMutant(c), "new LeakUsersMutant(c)"),
        _ => throw new ArgumentException($"unknown mutant {name}"),
    };

    /// <summary>A catalog variant or a mutant, by name.</summary>
    public static SystemUnderTest Broken(string name) =>
        VariantCatalog.Catalog.Any(v => v.Name == name) ? Variant(name) : Mutant(name);
}
