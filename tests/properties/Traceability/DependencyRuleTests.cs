using System.Text.RegularExpressions;
using Xunit;

namespace TceVerify.Tests.Properties.Traceability;

/// <summary>
/// The layers, read from the project files: Contract under Model, Impl and Harness; Variants over Impl; Concurrency
/// (and Coyote beside it) under Campaigns, Campaigns under the CLI; the scheduler depends on nothing and its tests on it
/// alone. Every ProjectReference of every project must be an edge listed here (projects named by folder).
/// </summary>
public sealed class DependencyRuleTests
{
    static readonly string[] Src = ["src/TceContract", "src/TceModel", "src/TceImpl", "src/TceVariants", "src/TceHarness", "src/TceScheduler",
        "src/TceConcurrency", "src/TceCoyote", "src/TceCampaigns", "src/TceCli"];

    static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["src/TceContract"] = [],
        ["src/TceScheduler"] = [],
        ["src/TceModel"] = ["src/TceContract"],
        ["src/TceImpl"] = ["src/TceContract"],
        ["src/TceHarness"] = ["src/TceContract"],
        ["src/TceVariants"] = ["src/TceContract", "src/TceImpl", "src/TceHarness"],
        ["src/TceConcurrency"] = ["src/TceContract", "src/TceModel", "src/TceImpl", "src/TceHarness", "src/TceScheduler"],
        ["src/TceCoyote"] = ["src/TceConcurrency"],
        ["src/TceCampaigns"] = [.. Src[..8]],
        ["src/TceCli"] = ["src/TceCampaigns"],
        ["tests/TestKit"] = [.. Src[..5]],
        ["tests/scheduler"] = ["src/TceScheduler"],
        ["tests/cli"] = ["src/TceCli"],
        ["tests/unit"] = [.. Src[..5], "tests/TestKit"],
        ["tests/properties"] = [.. Src[..5], "tests/TestKit"],
        ["tests/concurrency"] = [.. Src[..9], "tests/TestKit"],
        ["tests/catalog"] = [.. Src[..9], "tests/TestKit"],
        ["bench/TceBench"] = [.. Src[..9]],
    };

    [Fact]
    public void Every_project_reference_is_an_allowed_edge()
    {
        string root = TraceabilityTests.Root();
        var projects = Directory.GetFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList();
        string Folder(string path) => Path.GetRelativePath(root, Path.GetDirectoryName(Path.GetFullPath(path))!).Replace('\\', '/');
        var bad = projects.SelectMany(p => Regex.Matches(File.ReadAllText(p), "<ProjectReference Include=\"([^\"]+)\"")
                .Select(m => (From: Folder(p), To: Folder(Path.Combine(Path.GetDirectoryName(p)!, m.Groups[1].Value.Replace('\\', '/'))))))
            .Where(e => !Allowed.TryGetValue(e.From, out var to) || !to.Contains(e.To)).Select(e => $"{e.From} -> {e.To}").ToList();
        Assert.True(projects.Count >= Allowed.Count, $"only {projects.Count} project files under {root}");
        Assert.True(bad.Count == 0, "references outside the layering (tests/properties/Traceability/DependencyRuleTests.cs):\n  " + string.Join("\n  ", bad));
    }

    /// <summary>One naming rule: a project file is TceVerify.&lt;Part&gt;.csproj and its assembly and root namespace are
    /// its file name (the CLI's assembly alone is named after the command, tceverify).</summary>
    [Fact]
    public void Every_project_is_named_TceVerify_Part_in_file_assembly_and_namespace()
    {
        string root = TraceabilityTests.Root();
        var bad = new List<string>();
        foreach (var p in Directory.GetFiles(root, "*.csproj", SearchOption.AllDirectories).Where(p => !p.Contains("/obj/", StringComparison.Ordinal)))
        {
            string name = Path.GetFileNameWithoutExtension(p), text = File.ReadAllText(p);
            string Property(string tag, string fallback) => Regex.Match(text, $"<{tag}>([^<]+)</{tag}>") is { Success: true } m ? m.Groups[1].Value : fallback;
            string assembly = Property("AssemblyName", name), ns = Property("RootNamespace", name);
            if (!name.StartsWith("TceVerify.", StringComparison.Ordinal) || ns != name || (assembly != name && !(name == "TceVerify.Cli" && assembly == "tceverify")))
                bad.Add($"{Path.GetRelativePath(root, p)}: assembly {assembly}, root namespace {ns}");
        }
        Assert.True(bad.Count == 0, "not named TceVerify.<Part>:\n  " + string.Join("\n  ", bad));
    }
}
