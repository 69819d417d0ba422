using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Concurrency;

/// <summary>
/// A concurrency test case: a platform, a sequential prefix that sets the stage, and 2 to 4 logical threads,
/// each a list of calls (any pid: threads of one process or of several that share fds through the prefix).
/// Each thread stages its ioctl arguments at its own address, so threads never share argument memory.
/// </summary>
public sealed record ConcurrentScenario(string Name, PlatformConfig Config, IReadOnlyList<Command> Prefix, IReadOnlyList<ThreadProgram> Threads)
{
    /// <summary>A C# expression for <see cref="Config"/> (replay commands print it).</summary>
    public string ConfigCode { get; init; } = $"PlatformConfig.Small({Config.PageShift})";

    /// <summary>Spec clauses the scenario is about (for reports; tests cite them with [Spec]).</summary>
    public IReadOnlyList<string> Clauses { get; init; } = [];

    /// <summary>Calls made by the threads, all together.</summary>
    public int CallCount => Threads.Sum(t => t.Commands.Count);

    public ConcurrentScenario WithThreads(IReadOnlyList<ThreadProgram> threads) => this with { Threads = threads };

    public override string ToString()
    {
        var lines = new List<string> { $"scenario {Name} (page shift {Config.PageShift})" };
        foreach (var c in Prefix) lines.Add($"  prefix: {c.Describe()}");
        foreach (var t in Threads)
            foreach (var c in t.Commands) lines.Add($"  {t.Name}: {c.Describe()}");
        return string.Join('\n', lines);
    }

    /// <summary>A C# expression that rebuilds this scenario (for replay commands of generated scenarios).</summary>
    public string ToCode()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("new ConcurrentScenario(\"").Append(Name).Append("\", ").Append(ConfigCode).Append(",\n    [");
        sb.Append(string.Join(", ", Prefix.Select(c => c.ToCode())));
        sb.Append("],\n    [");
        sb.Append(string.Join(",\n     ", Threads.Select(t => $"new ThreadProgram(\"{t.Name}\", [{string.Join(", ", t.Commands.Select(c => c.ToCode()))}])")));
        sb.Append("])");
        return sb.ToString();
    }
}

/// <summary>One logical thread's calls, in program order.</summary>
public sealed record ThreadProgram(string Name, IReadOnlyList<Command> Commands);

/// <summary>One completed call of a concurrent run: which thread, what, its result, and when it was called and
/// returned (positions in one global event order; a call returned before another was called precedes it).</summary>
public sealed record HistoryEntry(int Thread, string ThreadName, int Index, Command Command, long Result, int CallAt, int ReturnAt)
{
    public override string ToString() => $"{ThreadName}#{Index} [{CallAt},{ReturnAt}] {Command.Describe()} -> {Errno.Describe(Result)}";
}
