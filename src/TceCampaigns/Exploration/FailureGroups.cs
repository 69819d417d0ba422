using System.Text.RegularExpressions;
using TceVerify.Harness.Programs;
using TceVerify.Scheduling;

namespace TceVerify.Campaigns;

/// <summary>
/// What makes two failures the same for reporting: their kind (a check, or the engine's bug kind), the spec clause they
/// break, and where (the operation of the failing call; for a schedule, the access or check that failed, with thread
/// names and numbers left out, and whether it failed in the setup or in the threads).
/// </summary>
public readonly record struct FailureSignature(string Kind, string? Clause, string Where)
{
    public override string ToString() => $"{Kind}{(Clause is null ? "" : $" ({Clause})")} {Where}";
}

/// <summary>One place a failure was found: the property or scenario, and the size of its witness (commands of a
/// program, scheduling steps of a schedule).</summary>
public sealed record Occurrence<T>(string FoundIn, int Size, T Failure);

/// <summary>A distinct failure: every place it was found, in order, and its shortest witness (the first of the shortest).</summary>
public sealed class FailureGroup<T>(FailureSignature signature)
{
    readonly List<Occurrence<T>> _occurrences = [];

    public FailureSignature Signature { get; } = signature;
    public IReadOnlyList<Occurrence<T>> Occurrences => _occurrences;
    public Occurrence<T> Witness { get; private set; } = null!;

    /// <summary>Adds an occurrence; true when it is the new witness (the first, or shorter than the witness).</summary>
    public bool Add(Occurrence<T> occurrence)
    {
        _occurrences.Add(occurrence);
        if (_occurrences.Count > 1 && occurrence.Size >= Witness.Size) return false;
        Witness = occurrence;
        return true;
    }
}

/// <summary>Failures grouped by <see cref="FailureSignature"/>, in the order each was first found.</summary>
public sealed class FailureGroups<T>
{
    readonly List<FailureGroup<T>> _groups = [];
    readonly Dictionary<FailureSignature, FailureGroup<T>> _bySignature = [];

    public IReadOnlyList<FailureGroup<T>> All => _groups;
    public int Count => _groups.Count;
    public int Occurrences => _groups.Sum(g => g.Occurrences.Count);

    /// <summary>Adds a failure; returns its group, whether the group is new, and whether this failure is now its witness.</summary>
    public (FailureGroup<T> Group, bool New, bool Witness) Add(FailureSignature signature, Occurrence<T> occurrence)
    {
        bool created = !_bySignature.TryGetValue(signature, out var group);
        if (group is null)
        {
            group = new FailureGroup<T>(signature);
            _bySignature[signature] = group;
            _groups.Add(group);
        }
        return (group, created, group.Add(occurrence));
    }
}

/// <summary>The "where" of a failure's signature.</summary>
public static partial class FailureWhere
{
    /// <summary>A program failure: the operation of the failing call ("MAP_DMA", "open_group", ...).</summary>
    public static string OfProgram(IReadOnlyList<Command> program, int failedStep) =>
        failedStep >= 0 && failedStep < program.Count ? program[failedStep].Describe().Split(' ')[0] : "the program";

    /// <summary>A schedule failure: its phase (setup or threads) and its message without thread names, clause ids,
    /// parenthesised details and numbers.</summary>
    public static string OfSchedule(BugKind kind, string message, IEnumerable<string> threadNames)
    {
        string headline = message.Split('\n')[0].Trim();
        if (kind == BugKind.FinalCheckFailure)
            return headline.StartsWith("invariants broken", StringComparison.Ordinal) ? "final state" : "history of results";
        string phase = headline.Contains("in the test body", StringComparison.Ordinal) ? "setup" : "threads";
        string core = AssertPrefix().Replace(headline, "");
        core = ClauseToken().Replace(core, "");
        while (Parenthesised().IsMatch(core)) core = Parenthesised().Replace(core, "");
        foreach (var name in threadNames.Where(n => n.Length > 0).OrderByDescending(n => n.Length))
            core = core.Replace($"'{name}'", "", StringComparison.Ordinal).Replace(name, "", StringComparison.Ordinal);
        core = LeadingActor().Replace(core, "");
        core = ThreadId().Replace(core, "T");
        core = Number().Replace(core, "N");
        core = Spaces().Replace(core, " ").Trim(' ', ':', ';', ',');
        if (core.Length > 100) core = core[..97] + "...";
        return $"{phase}: {core}";
    }

    [GeneratedRegex(@"^assertion failed in (?:the test body|T\d+ '[^']*'|[^:]*): ")]
    private static partial Regex AssertPrefix();

    [GeneratedRegex(@"\b(?:LOCK|INV|FIND)-\d+(?: violated)?:?\s*")]
    private static partial Regex ClauseToken();

    [GeneratedRegex(@"\s*\([^()]*\)")]
    private static partial Regex Parenthesised();

    [GeneratedRegex(@"^\s*setup\b")]
    private static partial Regex LeadingActor();

    [GeneratedRegex(@"\bT\d+\b")]
    private static partial Regex ThreadId();

    [GeneratedRegex(@"\b(?:0x[0-9a-fA-F]+|\d+)\b")]
    private static partial Regex Number();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
