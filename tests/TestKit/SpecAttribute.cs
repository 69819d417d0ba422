namespace TceVerify.TestKit;

/// <summary>
/// Names the spec clauses a test checks, e.g. <c>[Spec("MAP-9", "INV-2")]</c>. The traceability test reads these
/// (from source) and fails on a cited clause that does not exist or a clause no test cites.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true)]
public sealed class SpecAttribute(params string[] clauses) : Attribute
{
    public IReadOnlyList<string> Clauses { get; } = clauses;
}
