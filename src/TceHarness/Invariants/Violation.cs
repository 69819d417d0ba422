namespace TceVerify.Harness.Invariants;

/// <summary>One broken invariant: the clause, and what exactly was seen.</summary>
public sealed record Violation(string Clause, string Detail)
{
    public override string ToString() => $"{Clause}: {Detail}";
}
