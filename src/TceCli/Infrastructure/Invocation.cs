namespace TceVerify.Cli.Infrastructure;

/// <summary>
/// What is known about how this process was started: an explicit override (TCEVERIFY_INVOCATION), the executable
/// (the dotnet host or the apphost), the entry assembly, the parent's command line and directory (to recognise
/// <c>dotnet run</c>), the current directory, and PATH.
/// </summary>
public sealed record LaunchFacts(
    string? Override, string? ProcessPath, string? EntryAssembly, IReadOnlyList<string>? ParentCommandLine, string? ParentDirectory,
    string CurrentDirectory, string? PathVariable, Func<string, bool> FileExists)
{
    /// <summary>The facts of this process (the parent's command line from /proc where there is one).</summary>
    public static LaunchFacts OfThisProcess()
    {
        IReadOnlyList<string>? parent = null;
        string? parentDir = null;
        try
        {
            int ppid = ParentId();
            if (ppid > 0)
            {
                parent = File.ReadAllText($"/proc/{ppid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
                parentDir = new DirectoryInfo($"/proc/{ppid}/cwd").LinkTarget;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // Not Linux, or no access: fall back to what the process itself shows.
        }
        return new LaunchFacts(Environment.GetEnvironmentVariable("TCEVERIFY_INVOCATION"), Environment.ProcessPath,
            System.Reflection.Assembly.GetEntryAssembly()?.Location, parent, parentDir, Directory.GetCurrentDirectory(),
            Environment.GetEnvironmentVariable("PATH"), File.Exists);
    }

    static int ParentId()
    {
        // /proc/self/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so read after the last ')'.
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// The command that re-invokes this very program from the current directory, for the replay commands the tool prints:
/// the same <c>dotnet run ... --</c> when run that way, <c>dotnet PATH/tceverify.dll</c> under the dotnet host, the
/// apphost's path (or just <c>tceverify</c> when PATH finds that same file) otherwise.
/// </summary>
public static class Invocation
{
    public const string ToolName = "tceverify";

    public static string From(LaunchFacts f)
    {
        if (!string.IsNullOrWhiteSpace(f.Override)) return f.Override.Trim();
        if (DotnetRun(f) is { } run) return run;
        if (f.ProcessPath is { } exe && IsDotnetHost(exe) && f.EntryAssembly is { Length: > 0 } dll)
            return "dotnet " + Quote(Display(dll, f.CurrentDirectory, executable: false));
        if (f.ProcessPath is { Length: > 0 } host && !IsDotnetHost(host))
        {
            if (OnPath(f, host)) return ToolName;
            return Quote(Display(host, f.CurrentDirectory, executable: true));
        }
        return ToolName;
    }

    /// <summary>"dotnet run [its options] --" when the parent is a dotnet run of this program; its project path made
    /// relative to the current directory.</summary>
    static string? DotnetRun(LaunchFacts f)
    {
        var argv = f.ParentCommandLine;
        if (argv is null || argv.Count < 2 || !IsDotnetHost(argv[0]) || argv[1] != "run") return null;
        var options = new List<string>();
        for (int i = 2; i < argv.Count && argv[i] != "--"; i++)
        {
            string a = argv[i];
            if (a is "--project" or "-p" && i + 1 < argv.Count)
            {
                options.Add(a);
                options.Add(Relocate(argv[++i], f));
            }
            else if (a.StartsWith("--project=", StringComparison.Ordinal)) options.Add("--project=" + Relocate(a["--project=".Length..], f));
            else if (ValueOptions.Contains(a) && i + 1 < argv.Count)
            {
                options.Add(a);
                options.Add(argv[++i]);
            }
            else if (a.StartsWith('-')) options.Add(a);
            else break; // the program's own arguments (dotnet run passes unknown arguments on)
        }
        // Without --project, dotnet run uses the project in its directory: name it when this directory is another one.
        if (!options.Any(o => o is "--project" or "-p" || o.StartsWith("--project=", StringComparison.Ordinal))
            && f.ParentDirectory is { } pd && !SamePath(pd, f.CurrentDirectory))
        {
            options.Add("--project");
            options.Add(Relocate(".", f));
        }
        return string.Join(" ", ["dotnet", "run", .. options.Select(Quote), "--"]);
    }

    /// <summary>The options of dotnet run that take a value.</summary>
    static readonly HashSet<string> ValueOptions =
        ["-c", "--configuration", "-f", "--framework", "-r", "--runtime", "-a", "--arch", "--os", "-v", "--verbosity",
         "-lp", "--launch-profile", "--property", "-e", "--environment", "--file"];

    static string Relocate(string path, LaunchFacts f)
    {
        if (f.ParentDirectory is null || Path.IsPathRooted(path)) return path;
        string full = Path.GetFullPath(Path.Combine(f.ParentDirectory, path));
        string rel = Path.GetRelativePath(f.CurrentDirectory, full);
        return rel == "." ? "." : rel.Replace('\\', '/');
    }

    static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a).TrimEnd('/'), Path.GetFullPath(b).TrimEnd('/'), StringComparison.Ordinal);

    static bool IsDotnetHost(string path) => Path.GetFileName(path) is "dotnet" or "dotnet.exe";

    static bool OnPath(LaunchFacts f, string host)
    {
        foreach (var dir in (f.PathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, ToolName);
            if (f.FileExists(candidate)) return SamePath(candidate, host);
        }
        return false;
    }

    /// <summary>A path relative to the current directory when below it, else absolute; an executable in the current
    /// directory itself gets "./" so that a shell runs it.</summary>
    static string Display(string path, string cwd, bool executable)
    {
        string rel = Path.GetRelativePath(cwd, path).Replace('\\', '/');
        if (rel.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(rel)) return path;
        return executable && !rel.Contains('/') ? "./" + rel : rel;
    }

    /// <summary>Quotes an argument for a POSIX shell when it needs it.</summary>
    public static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_./=:+@%,".Contains(c)) ? arg : "\"" + arg.Replace("\"", "\\\"") + "\"";
}
