using System.Text;
using TceVerify.Cli.Infrastructure;
using TceVerify.Harness.Differential;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Programs;

namespace TceVerify.Cli.Rendering;

/// <summary>
/// The regression test a program failure proposes, as a whole file of tests/properties (usings, namespace, class and the
/// <see cref="FailureReport.RegressionTest"/> method): it compiles there as printed. It is printed as it is, never
/// wrapped to the terminal's width, between its first and last line (both comments, so a copy that takes them is fine).
/// </summary>
public static class RegressionFile
{
    public const string FirstLine = "// TceVerify regression test";
    public const string LastLine = "// end of the TceVerify regression test";
    public const string Folder = "tests/properties/Regressions";

    /// <summary>The namespaces the harness's code for programs, platforms and systems uses (System comes from the test
    /// project's implicit usings).</summary>
    static readonly string[] Usings =
    [
        "TceVerify.Contract", "TceVerify.Harness.Differential", "TceVerify.Harness.Generation", "TceVerify.Harness.Programs",
        "TceVerify.Impl", "TceVerify.Model", "TceVerify.Variants", "Xunit",
    ];

    /// <summary>The class name: "Regression_" and the property and system in letters and digits.</summary>
    public static string ClassName(string property, Target target)
    {
        var sb = new StringBuilder("Regression");
        foreach (var word in $"{property} {(target.IsImpl ? "" : target.Name)}".Split([' ', '-', ':', '/', '.', '(', ')', '+'], StringSplitOptions.RemoveEmptyEntries))
        {
            var letters = new string(word.Where(char.IsLetterOrDigit).ToArray());
            if (letters.Length > 0) sb.Append('_').Append(char.ToUpperInvariant(letters[0])).Append(letters[1..]);
        }
        return sb.ToString();
    }

    public static string Render(string property, Target target, Platform platform, IReadOnlyList<Command> program)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{FirstLine}: property '{property}' on {target.Display}, platform {platform.Name}; save as {Folder}/{ClassName(property, target)}.cs");
        foreach (var u in Usings) sb.AppendLine($"using {u};");
        sb.AppendLine();
        sb.AppendLine("namespace TceVerify.Tests.Properties.Regressions;");
        sb.AppendLine();
        sb.AppendLine($"public sealed class {ClassName(property, target)}");
        sb.AppendLine("{");
        sb.Append(FailureReport.RegressionTest(platform.Config, program, target.Code, platform.Code));
        sb.AppendLine("}");
        sb.Append(LastLine);
        return sb.ToString();
    }

    /// <summary>The line before the file.</summary>
    public static string Heading(string property, Target target) =>
        $"Regression test (save as {Folder}/{ClassName(property, target)}.cs; it compiles as printed, lines are never wrapped):";
}
