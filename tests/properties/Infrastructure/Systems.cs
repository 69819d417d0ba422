using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Model;
using TceVerify.Variants;

namespace TceVerify.Tests.Properties.Infrastructure;

/// <summary>A system a property runs on: how to build it, and the C# expression that builds it (for the regression
/// test a failure report proposes).</summary>
public sealed record SystemUnderTest(string Name, Func<PlatformConfig, ITceSystem> Create, string Code)
{
    public override string ToString() => Name;
}

/// <summary>The systems of the property suite: the model, the implementation, and the variants of the catalog (the
/// literal behaviours of spec/findings.md and the bug catalog).</summary>
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

}
