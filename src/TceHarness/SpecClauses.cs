using System.Text.RegularExpressions;

namespace TceVerify.Harness;

/// <summary>The spec clause ids a failure message names (every family of spec/: INV, LOCK, MAP, CORE, DEV, PAGE, ..., FIND).
/// The one place that reads clause ids out of text: the property and concurrency campaigns attribute failures with it.</summary>
public static partial class SpecClauses
{
    /// <summary>Every clause <paramref name="text"/> names, in order, once each ("INV-3", "MAP-11", ...).</summary>
    public static IReadOnlyList<string> In(string text) => Any().Matches(text).Select(m => m.Value).Distinct().ToList();

    /// <summary>The first lock rule, invariant or finding <paramref name="text"/> names (null: none).</summary>
    public static string? FirstRuleIn(string text) => Rule().Match(text) is { Success: true } m ? m.Value : null;

    [GeneratedRegex(@"\b(?:INV|LOCK|MAP|UNMAP|TBL|EN|DIS|ATT|DET|REL|CORE|HOST|INFO|ABI|PROC|DEV|PAGE|FIND)-\d+\b")]
    private static partial Regex Any();

    [GeneratedRegex(@"\b(?:LOCK|INV|FIND)-\d+\b")]
    private static partial Regex Rule();
}
