using System.Text;
using System.Text.RegularExpressions;
using TceVerify.Scheduling;

namespace TceVerify.Concurrency;

/// <summary>
/// The result of exploring one scenario: the engine's report and, when it found a bug, everything needed to
/// read and reproduce it: the bug and its message (which for a final-check failure already holds the history
/// and why no sequential order fits), the history of the failing schedule recovered by replaying it, the calls
/// still in progress, the readable per-thread trace with the model-level state at each step, the compact trace
/// string and a ready-to-paste replay command. <see cref="ToString"/> renders all of it.
/// </summary>
public sealed partial class ScenarioOutcome
{
    readonly ScenarioRunner _runner;

    internal ScenarioOutcome(ScenarioRunner runner, Configuration configuration, TestReport report, TestReport? replay,
        IReadOnlyList<HistoryEntry> history, IReadOnlyList<PendingCall> pending, bool? reproduced)
    {
        _runner = runner;
        Configuration = configuration;
        Report = report;
        ReplayReport = replay;
        History = history;
        Pending = pending;
        Reproduced = reproduced;
    }

    public Configuration Configuration { get; }
    public TestReport Report { get; }

    /// <summary>The verbose replay of the failing trace (null when nothing failed or for a replay itself).</summary>
    public TestReport? ReplayReport { get; }

    /// <summary>Completed calls of the failing (or replayed) schedule.</summary>
    public IReadOnlyList<HistoryEntry> History { get; }

    /// <summary>Calls in progress when the bug stopped the schedule.</summary>
    public IReadOnlyList<PendingCall> Pending { get; }

    /// <summary>Whether replaying the trace gave the same bug kind and message (null: not attempted).</summary>
    public bool? Reproduced { get; }

    public bool Passed => Report.FirstBug is null;
    public BugReport? Bug => Report.FirstBug;
    public BugKind? Kind => Report.FirstBug?.Kind;
    public string Message => Report.FirstBug?.Message ?? "";
    public string? Trace => Report.FirstBug?.ReproducibleTrace;

    /// <summary>Schedules explored up to and including the first failing one (all of them when none failed).</summary>
    public int Schedules => Report.FirstBug is { } b ? b.Iteration + 1 : Report.Iterations;

    /// <summary>The first spec clause named by the bug message (LOCK-n, INV-n), or null (e.g. a plain data race).</summary>
    public string? Clause => Report.FirstBug is { } bug ? ConcurrencyChecks.Classify(bug).Clause : null;

    /// <summary>C# that replays the failing schedule on the same scenario and variant.</summary>
    public string ReplayCommand
    {
        get
        {
            if (Trace is null) return "";
            string scenario = Scenarios.TryGet(_runner.Scenario.Name, out var registered) && registered.ToString() == _runner.Scenario.ToString()
                ? $"Scenarios.Get(\"{_runner.Scenario.Name}\")" : _runner.Scenario.ToCode();
            string options = OptionsCode(_runner.Options);
            string args = _runner.VariantName == "pristine"
                ? options.Length > 0 ? $"{scenario}, {options}" : scenario
                : $"{scenario}, VariantCatalog.Get(\"{_runner.VariantName}\").CreateParts, {(options.Length > 0 ? options : "null")}, \"{_runner.VariantName}\"";
            string settings = Configuration.DataRaceDetection ? "" : ", Configuration.Create().WithDataRaceDetection(false)";
            return $"new ScenarioRunner({args}).Replay(\"{Trace}\"{settings})";
        }
    }

    /// <summary>The options as a C# expression when they differ from the defaults (else empty).</summary>
    static string OptionsCode(RunnerOptions o)
    {
        var d = RunnerOptions.Default;
        var set = new List<string>();
        if (o.Linearizability != d.Linearizability) set.Add($"Linearizability = {Bool(o.Linearizability)}");
        if (o.StateInvariants != d.StateInvariants) set.Add($"StateInvariants = {Bool(o.StateInvariants)}");
        if (o.LockDiscipline != d.LockDiscipline) set.Add($"LockDiscipline = {Bool(o.LockDiscipline)}");
        if (o.EveryStep != d.EveryStep) set.Add($"EveryStep = {Bool(o.EveryStep)}");
        return set.Count == 0 ? "" : "new RunnerOptions { " + string.Join(", ", set) + " }";
        static string Bool(bool b) => b ? "true" : "false";
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"scenario '{_runner.Scenario.Name}' on {_runner.VariantName}: {Report.Summary}");
        if (Report.FirstBug is not { } bug) return sb.ToString();
        sb.AppendLine($"first bug after {Schedules} schedule(s): {bug.Kind}{(Clause is { } c ? $" ({c})" : "")}");
        sb.AppendLine(bug.Message);
        sb.AppendLine(_runner.Scenario.ToString());
        if (History.Count > 0 || Pending.Count > 0)
        {
            sb.AppendLine("history of the failing schedule (call/return positions):");
            foreach (var h in History.OrderBy(h => h.CallAt)) sb.AppendLine("  " + h);
            foreach (var p in Pending) sb.AppendLine("  " + p + " (in progress when the bug stopped the schedule)");
        }
        if (Reproduced is { } r) sb.AppendLine($"replaying the trace {(r ? "reproduces the same bug" : "did NOT reproduce the same bug")}");
        sb.AppendLine("trace: " + Trace);
        sb.AppendLine("replay: " + ReplayCommand);
        sb.AppendLine();
        sb.AppendLine(ReadableTrace);
        return sb.ToString();
    }

    /// <summary>
    /// The engine's readable trace without the rows of the sequential prefix that show only an unlock in the setup
    /// column (the setup pseudo-thread records its releases but not its acquisitions, so they carry nothing).
    /// </summary>
    public string ReadableTrace
    {
        get
        {
            string text = Report.FirstBug?.ReadableTrace ?? "";
            var lines = text.Split('\n');
            int header = Array.FindIndex(lines, l => l.StartsWith("step |", StringComparison.Ordinal));
            if (header < 0 || lines[header].Split(" | ").ElementAtOrDefault(1)?.Trim() != "setup") return text;
            var kept = new List<string>(lines.Length);
            int dropped = 0;
            for (int i = 0; i < lines.Length; i++)
            {
                if (i > header + 1)
                {
                    var cells = lines[i].Split(" | ");
                    if (cells.Length >= 2 && cells[0].Trim().Length == 0 && SetupRelease().IsMatch(cells[1].Trim())
                        && cells.Skip(2).All(c => c.Trim().Trim('|').Trim().Length == 0))
                    {
                        dropped++;
                        continue;
                    }
                }
                kept.Add(lines[i]);
                if (i == header + 1 && dropped == 0) kept.Add("(rows of the sequential prefix that only release a lock are omitted)");
            }
            return dropped == 0 ? text : string.Join('\n', kept);
        }
    }

    [GeneratedRegex(@"^(unlock|spin_unlock|up_read|up_write) ")]
    private static partial Regex SetupRelease();
}
