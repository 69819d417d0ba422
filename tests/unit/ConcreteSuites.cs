using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Model;

namespace TceVerify.Tests.Unit;

/// <summary>The contract suite on the model with 4 KiB system pages.</summary>
public sealed class Model4K : SystemContractTests
{
    protected override ITceSystem Create(PlatformConfig c) => new ModelSystem(c);
    protected override int PageShift => 12;
}

/// <summary>The contract suite on the model with 64 KiB system pages.</summary>
public sealed class Model64K : SystemContractTests
{
    protected override ITceSystem Create(PlatformConfig c) => new ModelSystem(c);
    protected override int PageShift => 16;
}

/// <summary>The contract suite on the implementation with 4 KiB system pages.</summary>
public sealed class Impl4K : SystemContractTests
{
    protected override ITceSystem Create(PlatformConfig c) => new ImplSystem(c);
    protected override int PageShift => 12;
}

/// <summary>The contract suite on the implementation with 64 KiB system pages.</summary>
public sealed class Impl64K : SystemContractTests
{
    protected override ITceSystem Create(PlatformConfig c) => new ImplSystem(c);
    protected override int PageShift => 16;
}
