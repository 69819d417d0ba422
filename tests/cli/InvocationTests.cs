using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>
/// The replay commands the tool prints run where they were printed: they re-invoke the same program the same way
/// (dotnet run --project ... --, dotnet PATH/tceverify.dll, or the apphost's path), whatever the current directory.
/// </summary>
public sealed class InvocationTests
{
    const string Cwd = "/home/u/work";

    static LaunchFacts Facts(string? processPath = null, string? entry = null, string[]? parent = null, string? parentDir = null,
        string? pathVariable = null, string? overrideText = null) =>
        new(overrideText, processPath, entry, parent, parentDir ?? Cwd, Cwd, pathVariable, FileExists: _ => false);

    [Fact]
    public void Under_dotnet_run_the_same_dotnet_run_is_printed()
    {
        var f = Facts("/home/u/work/src/TceCli/bin/Release/net10.0/tceverify", "/home/u/work/src/TceCli/bin/Release/net10.0/tceverify.dll",
            ["dotnet", "run", "-c", "Release", "--project", "src/TceCli", "--", "check", "--variant", "x"]);
        Assert.Equal("dotnet run -c Release --project src/TceCli --", Invocation.From(f));
    }

    [Fact]
    public void Under_dotnet_run_from_another_directory_the_project_path_is_made_relative_to_here()
    {
        var f = Facts("/home/u/work/src/TceCli/bin/Debug/net10.0/tceverify", "/home/u/work/src/TceCli/bin/Debug/net10.0/tceverify.dll",
            ["/usr/share/dotnet/dotnet", "run", "--project", "src/TceCli", "check"], parentDir: "/home/u/work");
        Assert.Equal("dotnet run --project src/TceCli --", Invocation.From(f with { CurrentDirectory = "/home/u/work" }));
        Assert.Equal("dotnet run --project ../src/TceCli --", Invocation.From(f with { CurrentDirectory = "/home/u/work/traces" }));
    }

    [Fact]
    public void Under_the_dotnet_host_the_dll_is_printed()
    {
        var f = Facts("/usr/share/dotnet/dotnet", "/home/u/work/src/TceCli/bin/Release/net10.0/tceverify.dll", ["bash"]);
        Assert.Equal("dotnet src/TceCli/bin/Release/net10.0/tceverify.dll", Invocation.From(f));
        Assert.Equal("dotnet /opt/tce/tceverify.dll", Invocation.From(f with { EntryAssembly = "/opt/tce/tceverify.dll" }));
    }

    [Fact]
    public void The_apphost_is_printed_by_its_path_or_by_name_when_it_is_on_PATH()
    {
        var f = Facts("/home/u/work/bin/tceverify", "/home/u/work/bin/tceverify.dll", ["bash"]);
        Assert.Equal("bin/tceverify", Invocation.From(f));
        Assert.Equal("./tceverify", Invocation.From(f with { CurrentDirectory = "/home/u/work/bin", ParentDirectory = "/home/u/work/bin" }));
        Assert.Equal("\"/opt/my tools/tceverify\"", Invocation.From(f with { ProcessPath = "/opt/my tools/tceverify" }));
        var onPath = f with { PathVariable = "/usr/bin:/home/u/work/bin", FileExists = p => p == "/home/u/work/bin/tceverify" };
        Assert.Equal("tceverify", Invocation.From(onPath));
    }

    [Fact]
    public void TCEVERIFY_INVOCATION_overrides_everything() =>
        Assert.Equal("my-wrapper --", Invocation.From(Facts("/usr/share/dotnet/dotnet", "/x/tceverify.dll", overrideText: "my-wrapper --")));

    [Fact]
    public async Task A_replay_command_printed_by_the_built_tool_runs_as_printed()
    {
        using var dir = new TempDir();
        foreach (var launch in new[] { "dll", "apphost" })
        {
            string[] args = ["hunt", "--variant", "literal-set-container-unlocked", "--scenario", "double-set-container", "--iterations", "200",
                "--workers", "1", "--out", "traces-" + launch];
            string apphost = Path.Combine(AppContext.BaseDirectory, "tceverify");
            Assert.True(launch == "dll" || File.Exists(apphost), "the apphost is not beside the tests: " + apphost);
            using var p = launch == "dll" ? Tool.Start(dir.Path, args) : Tool.StartCommand(dir.Path, apphost, args);
            var (replay, r) = await Tool.ReplayAsPrinted(dir.Path, p);
            Assert.True(r.Code == ExitCodes.Failure, $"'{replay}' printed by the {launch}:\n{r}");
            Assert.Contains("REPRODUCED", r.Out);
        }
    }
}
