using TceVerify.Contract;
using TceVerify.Harness.Invariants;

namespace TceVerify.Harness.Programs;

/// <summary>
/// One step of a program: a system call, a host action, or harness scaffolding. A command is immutable and
/// applies identically to any <see cref="ITceSystem"/>. <see cref="Prepare"/> stages user-memory input (the
/// struct an ioctl will read); <see cref="Invoke"/> is the call itself, whose result is compared.
/// </summary>
public abstract record Command
{
    /// <summary>Stages input in user memory (not part of the call under test). Default: nothing.</summary>
    public virtual void Prepare(ITceSystem s) { }

    public abstract long Invoke(ITceSystem s);

    /// <summary>A readable one-line form: <c>MAP_DMA pid 1 fd 4 {argsz 32 flags RW vaddr 0x10000 iova 0 size 0x1000}</c>.</summary>
    public abstract string Describe();

    /// <summary>A C# expression that constructs this command (failure reports print replay tests with these).</summary>
    public abstract string ToCode();

    /// <summary>What INV-5 lets this call change when it fails.</summary>
    public virtual FailureAllowance Allowance => FailureAllowance.None;

    /// <summary>Whether the call stages user memory (then INV-5 compares against the state after staging).</summary>
    public virtual bool Stages => false;

    public sealed override string ToString() => Describe();

    protected static string Hex(ulong v) => v < 10 ? v.ToString() : $"0x{v:x}";
    protected static string HexL(long v) => v < 10 && v >= 0 ? v.ToString() : $"0x{v:x}";
}
