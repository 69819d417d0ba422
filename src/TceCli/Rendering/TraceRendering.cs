using TceVerify.Scheduling;
using System.Text;

namespace TceVerify.Cli.Rendering;

/// <summary>
/// Lays out a failing schedule from the engine's events (<see cref="BugReport.Schedule"/>) for a given width: one column
/// per logical thread, the setup events (prefix calls, spawns) summed up in one line, and the state printed under a
/// step only when it changed, wrapped to the width. A schedule without threads is the engine's own text.
/// </summary>
public static class TraceRendering
{
    /// <summary>The engine cuts a cell at this many characters (as in its readable trace).</summary>
    const int MaxCell = 48;

    /// <summary>The failing schedule of <paramref name="bug"/>; <paramref name="headline"/> replaces its first line (the
    /// bug's kind and message).</summary>
    public static string Render(BugReport bug, int width = 100, string? headline = null)
    {
        if (bug.ThreadNames.Count == 0) return bug.ReadableTrace;
        var threadNames = bug.ThreadNames.Select((n, i) => Cut($"T{i} {n}")).ToList();
        int threadCount = threadNames.Count;

        var sb = new StringBuilder();
        var preamble = (headline ?? $"{bug.Kind}: {bug.Message}").Replace("\r", "").Split('\n').ToList();
        preamble.Add($"strategy {bug.Strategy}, seed {bug.Seed}, iteration {bug.Iteration}, {bug.Steps} steps");
        if (bug.ScheduleNote is { } note) preamble.Add(note);
        foreach (var l in preamble)
            if (!string.IsNullOrWhiteSpace(l)) sb.AppendLine(Wrap(l.TrimEnd(), width, "  "));
        sb.AppendLine();

        const int stepWidth = 5;
        int gap = 2;
        int colWidth = Math.Max(12, Math.Min(44, (width - stepWidth - gap * threadCount) / threadCount));
        sb.Append("step".PadLeft(stepWidth));
        foreach (var name in threadNames) sb.Append(new string(' ', gap)).Append(Cell(name, colWidth));
        TrimEnd(sb);
        sb.AppendLine();
        sb.Append(new string('-', stepWidth));
        foreach (var _ in threadNames) sb.Append(new string(' ', gap)).Append(new string('-', colWidth));
        sb.AppendLine();

        int setupEvents = 0;
        string lastState = "", lastReturns = "";
        bool setupFlushed = false;
        foreach (var e in bug.Schedule)
        {
            string label = Cut(e.Label).Trim();
            string? state = e.State?.ReplaceLineEndings(" ").Trim();
            if (e.Thread < 0 || e.Thread >= threadCount || label.Length == 0)
            {
                if (e.Thread < 0 && label.Length > 0) setupEvents++;
                if (state is { Length: > 0 }) AppendState(state);
                continue;
            }
            if (!setupFlushed)
            {
                setupFlushed = true;
                if (setupEvents > 0) sb.AppendLine($"{"",stepWidth}  (setup: {setupEvents} events: the sequential prefix and the thread spawns)");
                if (lastState.Length > 0) AppendLine("state", lastState, force: true);
                if (lastReturns.Length > 0) AppendLine("returned", lastReturns, force: true);
            }
            sb.Append((e.Step?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "").PadLeft(stepWidth));
            for (int t = 0; t < threadCount; t++)
                sb.Append(new string(' ', gap)).Append(t == e.Thread ? Cell(label, colWidth) : new string(' ', colWidth));
            TrimEnd(sb);
            sb.AppendLine();
            if (state is { Length: > 0 }) AppendState(state);
        }
        return sb.ToString();

        void AppendState(string state)
        {
            int split = state.IndexOf(" ||", StringComparison.Ordinal);
            string model = split < 0 ? state : state[..split].Trim();
            string returns = split < 0 ? "" : state[(split + 3)..].Trim();
            if (!setupFlushed)
            {
                lastState = model;
                lastReturns = returns;
                return;
            }
            if (model != lastState) { lastState = model; AppendLine("state", model, force: true); }
            if (returns != lastReturns) { lastReturns = returns; AppendLine("returned", returns, force: true); }
        }

        void AppendLine(string label, string text, bool force)
        {
            if (!force || text.Length == 0) return;
            string indent = new(' ', stepWidth + gap);
            sb.AppendLine(Wrap($"{indent}{label}: {text}", width, indent + new string(' ', label.Length + 2)));
        }
    }

    static string Cut(string text) => text.Length > MaxCell ? text[..(MaxCell - 1)] + "~" : text;

    static string Cell(string text, int width) =>
        text.Length > width ? text[..(width - 1)] + "~" : text.PadRight(width);

    static void TrimEnd(StringBuilder sb)
    {
        while (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
    }

    /// <summary>Fits every line of a text to <paramref name="width"/>: a longer line is wrapped at spaces, its
    /// continuation lines indented four more than it (so a wrapped line stays recognisable).</summary>
    public static string Fit(string text, int width)
    {
        var sb = new StringBuilder();
        foreach (var line in text.Replace("\r", "").TrimEnd().Split('\n'))
        {
            int lead = line.Length - line.TrimStart().Length;
            sb.AppendLine(Wrap(line.TrimEnd(), width, new string(' ', Math.Min(lead + 4, width / 2))));
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>Wraps at spaces to <paramref name="width"/>, continuation lines indented.</summary>
    public static string Wrap(string text, int width, string indent)
    {
        if (text.Length <= width) return text;
        string body = text.TrimStart();
        string line = text[..(text.Length - body.Length)];
        bool empty = true;
        var sb = new StringBuilder();
        foreach (var word in body.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && line.Length + 1 + word.Length > width)
            {
                sb.AppendLine(line);
                line = indent + word;
            }
            else line = empty ? line + word : line + " " + word;
            empty = false;
            while (line.Length > width)
            {
                sb.AppendLine(line[..width]);
                line = indent + line[width..];
            }
        }
        sb.Append(line);
        return sb.ToString();
    }
}
