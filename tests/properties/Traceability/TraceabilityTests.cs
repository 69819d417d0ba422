using System.Text.RegularExpressions;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Properties.Traceability;

/// <summary>
/// Spec clauses and tests point at each other: every [Spec("...")] citation in a test source under tests/ names a clause
/// defined in spec/*.md (a clause definition is a bold id, <c>**AREA-N</c>), and every clause is cited by at least one
/// test. Read from the sources, so the unit, property and concurrency suites all count.
/// </summary>
public sealed partial class TraceabilityTests
{
    [GeneratedRegex(@"\*\*([A-Z]+-\d+)")]
    private static partial Regex ClauseDefinition();

    [GeneratedRegex(@"\[\s*(?:[\w.]+\s*,\s*)*Spec(?:Attribute)?\s*\(([^)]*)\)|,\s*Spec(?:Attribute)?\s*\(([^)]*)\)")]
    private static partial Regex SpecCitation();

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Quoted();

    /// <summary>The repository root: the first directory upwards from the test binaries holding spec/ and tests/.</summary>
    internal static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "spec")) && Directory.Exists(Path.Combine(dir.FullName, "tests")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no spec/ above {AppContext.BaseDirectory}");
    }

    /// <summary>Clause id -> the spec file defining it.</summary>
    internal static Dictionary<string, string> Clauses(string root)
    {
        var clauses = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(root, "spec"), "*.md").Order(StringComparer.Ordinal))
            foreach (Match m in ClauseDefinition().Matches(File.ReadAllText(file)))
                clauses.TryAdd(m.Groups[1].Value, Path.GetFileName(file));
        return clauses;
    }

    /// <summary>Every clause id cited in a [Spec(...)] attribute of a C# source under tests/ (bin and obj excluded),
    /// with where it is cited.</summary>
    internal static List<(string Clause, string Where)> Citations(string root)
    {
        var found = new List<(string, string)>();
        var tests = Path.Combine(root, "tests");
        foreach (var file in Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(root, file);
            var parts = rel.Split(Path.DirectorySeparatorChar);
            if (parts.Contains("bin") || parts.Contains("obj")) continue;
            if (rel.EndsWith("SpecAttribute.cs", StringComparison.Ordinal)) continue;
            foreach (var (clause, line) in CitationsIn(File.ReadAllText(file))) found.Add((clause, $"{rel}:{line}"));
        }
        return found;
    }

    /// <summary>The source with // and /* */ comments removed (line breaks kept, so line numbers stay right), and which of
    /// its characters lie inside string or char literals: a citation counts only where code is, not in documentation
    /// or in a string that mentions the attribute.</summary>
    internal static (string Text, bool[] InLiteral) WithoutComments(string src)
    {
        var sb = new System.Text.StringBuilder(src.Length);
        var lit = new List<bool>(src.Length);
        void Put(char ch, bool inLiteral) { sb.Append(ch); lit.Add(inLiteral); }
        for (int i = 0; i < src.Length; i++)
        {
            char c = src[i];
            if (c == '"' || c == '\'')
            {
                bool verbatim = c == '"' && i > 0 && src[i - 1] == '@';
                Put(c, false);
                for (i++; i < src.Length; i++)
                {
                    if (!verbatim && src[i] == '\\' && i + 1 < src.Length) { Put(src[i], true); Put(src[++i], true); continue; }
                    if (src[i] == c)
                    {
                        if (verbatim && i + 1 < src.Length && src[i + 1] == '"') { Put(src[i], true); Put(src[++i], true); continue; }
                        Put(c, false);
                        break;
                    }
                    if (src[i] == '\n' && !verbatim) { Put('\n', false); break; }
                    Put(src[i], true);
                }
                continue;
            }
            if (c == '/' && i + 1 < src.Length && src[i + 1] == '/')
            {
                while (i < src.Length && src[i] != '\n') i++;
                if (i < src.Length) Put('\n', false);
                continue;
            }
            if (c == '/' && i + 1 < src.Length && src[i + 1] == '*')
            {
                for (i += 2; i < src.Length && !(src[i] == '*' && i + 1 < src.Length && src[i + 1] == '/'); i++)
                    if (src[i] == '\n') Put('\n', false);
                i++;
                continue;
            }
            Put(c, false);
        }
        return (sb.ToString(), lit.ToArray());
    }

    /// <summary>The clause ids of the [Spec(...)] attributes in a source, with their line numbers.</summary>
    internal static IEnumerable<(string Clause, int Line)> CitationsIn(string source)
    {
        var (text, inLiteral) = WithoutComments(source);
        foreach (Match m in SpecCitation().Matches(text))
        {
            if (inLiteral[m.Index]) continue;
            var args = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            int line = text[..m.Index].Count(c => c == '\n') + 1;
            foreach (Match q in Quoted().Matches(args)) yield return (q.Groups[1].Value, line);
        }
    }

    [Fact]
    public void Only_attributes_in_code_count_as_citations()
    {
        var src = "/// see [Spec(\"NOPE-1\")]\n// [Spec(\"NOPE-2\")]\n/* [Spec(\"NOPE-3\")] */ [Fact, Spec(\"ABI-1\")] var s = \"// [Spec(\\\"NOPE-4\\\")]\";\n[Spec(\"ABI-2\", \"ABI-3\")]";
        Assert.Equal(["ABI-1", "ABI-2", "ABI-3"], CitationsIn(src).Select(c => c.Clause).ToList());
        Assert.Equal([3, 4, 4], CitationsIn(src).Select(c => c.Line).ToList());
    }

    [Fact]
    [Spec("STATE-1")]
    public void The_spec_defines_clauses_and_the_tests_cite_them()
    {
        var root = Root();
        Assert.True(Clauses(root).Count > 100, "spec/*.md defines too few clauses: is the clause pattern still **AREA-N?");
        Assert.True(Citations(root).Count > 100, "tests cite too few clauses: is the attribute still [Spec(\"...\")]?");
    }

    [Fact]
    public void Every_cited_clause_exists()
    {
        var root = Root();
        var clauses = Clauses(root);
        var unknown = Citations(root).Where(c => !clauses.ContainsKey(c.Clause)).Select(c => $"  {c.Clause} at {c.Where}").ToList();
        Assert.True(unknown.Count == 0, $"Tests cite {unknown.Count} clause(s) that spec/*.md does not define:\n{string.Join("\n", unknown)}");
    }

    [Fact]
    public void Every_clause_is_cited_by_a_test()
    {
        var root = Root();
        var cited = Citations(root).Select(c => c.Clause).ToHashSet(StringComparer.Ordinal);
        var uncited = Clauses(root).Where(c => !cited.Contains(c.Key)).Select(c => $"  {c.Key} ({c.Value})").ToList();
        Assert.True(uncited.Count == 0, $"{uncited.Count} clause(s) of spec/*.md are cited by no test:\n{string.Join("\n", uncited)}");
    }
}
