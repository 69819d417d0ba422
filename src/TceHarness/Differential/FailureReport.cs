using System.Text;
using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Harness.Differential;

/// <summary>
/// Renders a failing run so it can be understood and replayed from the text alone: the program as a numbered
/// list with both results and the model's state changes after each step, the first divergence, the replay
/// line, and a ready-to-paste xunit test that replays the program without FsCheck.
/// </summary>
public static class FailureReport
{
    public static string Render(DifferentialRunner runner, IReadOnlyList<Command> program, RunResult result,
        string? replayLine = null, string systemUnderTest = "new ImplSystem(c)", string configCode = "", bool regressionTest = true)
    {
        // Re-run with the log on: the report shows every step up to the failure.
        var logged = result.Steps.Count > 0 ? result : new DifferentialRunner(runner.Config, runner.ReferenceFactory, runner.UnderTestFactory, runner.Checks, keepLog: true).Run(program);
        var sb = new StringBuilder();
        sb.AppendLine($"TceVerify: {result.Kind} failure at step {result.FailedStep + 1} of {program.Count}: {FirstLine(result.Detail)}");
        if (replayLine is not null) sb.AppendLine(replayLine);
        sb.AppendLine($"Platform: page shift {runner.Config.PageShift}, {runner.Config.Groups.Length} groups, {runner.Config.Processes.Length} processes");
        sb.AppendLine("Program (model result | implementation result; + lines the model's state gained):");
        for (int i = 0; i <= result.FailedStep && i < program.Count; i++)
        {
            var step = i < logged.Steps.Count ? logged.Steps[i] : null;
            string res = step is null ? "" : $"  -> {Errno.Describe(step.Expected)} | {Errno.Describe(step.Actual)}";
            sb.AppendLine($"{i + 1,4}. {program[i].Describe()}{res}{(i == result.FailedStep ? "   <== fails here" : "")}");
            if (step is null) continue;
            foreach (var line in step.ModelChanges.Take(8)) sb.AppendLine($"        + {line}");
            if (step.ModelChanges.Count > 8) sb.AppendLine($"        + ... {step.ModelChanges.Count - 8} more");
        }
        sb.AppendLine("First divergence:");
        foreach (var line in result.Detail.Split('\n', StringSplitOptions.RemoveEmptyEntries)) sb.AppendLine("  " + line.TrimStart());
        if (!regressionTest) return sb.ToString();
        sb.AppendLine("Regression test (paste into tests/properties/Regressions):");
        sb.Append(RegressionTest(runner.Config, program.Take(result.FailedStep + 1).ToList(), systemUnderTest, configCode));
        return sb.ToString();
    }

    /// <summary>A self-contained xunit test that replays the program on model and implementation.</summary>
    public static string RegressionTest(PlatformConfig config, IReadOnlyList<Command> program, string systemUnderTest = "new ImplSystem(c)", string configCode = "")
    {
        var sb = new StringBuilder();
        sb.AppendLine("    [Fact]");
        sb.AppendLine("    public void Regression_NewFailure()");
        sb.AppendLine("    {");
        sb.AppendLine($"        var config = {(configCode.Length > 0 ? configCode : $"PlatformConfig.Small({config.PageShift})")};");
        sb.AppendLine("        Command[] program =");
        sb.AppendLine("        [");
        foreach (var c in program) sb.AppendLine($"            {c.ToCode()},");
        sb.AppendLine("        ];");
        sb.AppendLine($"        var runner = new DifferentialRunner(config, c => new ModelSystem(c), c => {systemUnderTest});");
        sb.AppendLine("        var result = runner.Run(program);");
        sb.AppendLine("        Assert.True(result.Ok, FailureReport.Render(runner, program, result));");
        sb.AppendLine("    }");
        return sb.ToString();
    }

    static string FirstLine(string s) => s.Split('\n')[0];
}
