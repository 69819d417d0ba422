using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TceVerify.Campaigns;
using TceVerify.Cli.Infrastructure;
using TceVerify.Cli.Rendering;
using TceVerify.Contract;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Programs;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>
/// The regression test a failure report prints is paste-ready: the text between its first and last line, taken from
/// the output exactly as printed (on a narrow or a wide terminal, live or in a log), compiles as a file of
/// tests/properties (Roslyn, in-process, warnings counted) and, run, reproduces the failure.
/// </summary>
public sealed class RegressionTestTests
{
    public const string FirstLine = "// TceVerify regression test";
    public const string LastLine = "// end of the TceVerify regression test";

    [Theory]
    [InlineData(60, false)]
    [InlineData(100, false)]
    [InlineData(250, false)]
    [InlineData(72, true)]
    public void The_regression_test_check_prints_compiles_as_printed_and_reproduces_the_failure(int width, bool interactive)
    {
        using var dir = new TempDir();
        var r = CliRunner.RunAt(width, interactive, CancellationToken.None, null,
            "check", "--variant", "literal-map-end-unchecked", "--commands", "300", "--schedules", "20", "--out", dir.Path);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        AssertCompilesAndFails(Extract(r.Out));
    }

    [Fact]
    public void The_regression_test_replay_prints_compiles_too()
    {
        using var dir = new TempDir();
        var c = CliRunner.Run("check", "--variant", "literal-charge-window-bytes", "--commands", "300", "--schedules", "20", "--out", dir.Path);
        Assert.True(c.Code == ExitCodes.Failure, c.ToString());
        var program = dir.Files().First(f => File.ReadAllText(f).Contains("\"kind\": \"program\"", StringComparison.Ordinal));
        var r = CliRunner.RunAt(64, false, CancellationToken.None, null, "replay", program);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        AssertCompilesAndFails(Extract(r.Out));
    }

    /// <summary>The printed file: from its first line to its last, as printed (no line joined or changed).</summary>
    public static string Extract(string output)
    {
        var lines = output.Replace("\r", "").Split('\n');
        int first = Array.FindIndex(lines, l => l.StartsWith(FirstLine, StringComparison.Ordinal));
        Assert.True(first >= 0, "no regression test printed:\n" + output);
        int last = Array.FindIndex(lines, first, l => l == LastLine);
        Assert.True(last > first, "the regression test has no last line:\n" + output);
        return string.Join("\n", lines[first..(last + 1)]);
    }

    /// <summary>What the SDK adds to every project of the solution (ImplicitUsings in Directory.Build.props).</summary>
    const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>Issue 15: the device's commands (either direction, a length past DmaMaxBytes, an iova near 2^64, a host
    /// reuse of no frame) render as code that compiles in the printed file too.</summary>
    [Fact]
    public void Device_commands_render_as_code_that_compiles()
    {
        Command[] program =
        [
            new DmaCmd(1, 0x3ff8UL, 16, DmaDirection.Write, 0xd1), new DmaCmd(9, ulong.MaxValue - 3, TceVerify.Contract.Memory.DmaMaxBytes + 1, DmaDirection.Read, 0),
            new HostReuseCmd(3), new HostReuseCmd(-1), new HostReuseCmd(long.MaxValue), new MapPageCmd(1, 0x18, 20, true),
        ];
        var source = RegressionFile.Render("INV-12 DMA isolation", Target.Impl, Platforms.Small4K, program);
        foreach (var c in program) Assert.Contains(c.ToCode(), source);
        Compile(source);
    }

    static void AssertCompilesAndFails(string source)
    {
        using var image = Compile(source);

        // Run it: on the variant it was printed for, it must fail (the regression it guards is present).
        image.Position = 0;
        var context = new AssemblyLoadContext("regression", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(image);
            var tests = assembly.GetTypes().SelectMany(t => t.GetMethods().Where(m => m.GetCustomAttributes().Any(a => a.GetType().Name == "FactAttribute"))
                .Select(m => (Type: t, Method: m))).ToList();
            var (type, method) = Assert.Single(tests);
            var thrown = Assert.Throws<TargetInvocationException>(() => method.Invoke(Activator.CreateInstance(type), null));
            Assert.IsAssignableFrom<Xunit.Sdk.XunitException>(thrown.InnerException);
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>Compiles the printed file as tests/properties would (warnings count as errors); the image.</summary>
    static MemoryStream Compile(string source)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var tree = CSharpSyntaxTree.ParseText(source, options, path: "Regression.cs");
        var compilation = CSharpCompilation.Create("Regression" + Guid.NewGuid().ToString("N"), [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, options)], References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var problems = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(emitted.Success && problems.Count == 0,
            "the printed regression test does not compile as printed:\n" + string.Join("\n", problems) + "\n---\n" + source);
        return image;
    }

    static IEnumerable<MetadataReference> References()
    {
        // The framework and the test's own dependencies (xunit, the TceVerify assemblies), as tests/properties has them.
        _ = typeof(TceVerify.Impl.ImplSystem);
        _ = typeof(TceVerify.Model.ModelSystem);
        _ = typeof(TceVerify.Variants.VariantCatalog);
        _ = typeof(TceVerify.Harness.Differential.DifferentialRunner);
        _ = typeof(Xunit.Assert);
        _ = typeof(FactAttribute);
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0).Select(a => a.Location));
        return paths.GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase).Select(g => MetadataReference.CreateFromFile(g.First()));
    }
}
