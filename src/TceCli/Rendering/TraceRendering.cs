using System.Text;

namespace TceVerify.Cli.Rendering;

/// <summary>
/// Lays out the scheduler's readable trace (a table with one column per thread and the model-level state after every
/// step, often wider than a terminal) for a given width: one column per logical thread, the setup events (prefix calls,
/// spawns) summed up in one line, and the state printed under a step only when it changed, wrapped to the width.
/// Text that is not a readable trace is returned as it is.
/// </summary>
public static class TraceRendering
{
    public static string Render(string readableTrace, int width = 100)
    {
        if (string.IsNullOrWhiteSpace(readableTrace)) return "";
        var lines = readableTrace.Replace("\r", "").Split('\n');
        int header = Array.FindIndex(lines, l => l.StartsWith("step |", StringComparison.Ordinal) || l.TrimStart().StartsWith("step |", StringComparison.Ordinal));
        if (header < 0 || header + 1 >= lines.Length) return readableTrace;

        var columns = lines[header].Split(" | ").Select(c => c.Trim()).ToList();
        bool hasState = columns[^1] == "state";
        bool hasSetup = columns.Count > 1 && columns[1] == "setup";
        int firstThread = hasSetup ? 2 : 1;
        int threadCount = columns.Count - firstThread - (hasState ? 1 : 0);
        if (threadCount < 1) return readableTrace;
        var threadNames = columns.Skip(firstThread).Take(threadCount).ToList();

        var sb = new StringBuilder();
        foreach (var l in lines.Take(header))
            if (!string.IsNullOrWhiteSpace(l) && !l.StartsWith("reproduce: ", StringComparison.Ordinal)) sb.AppendLine(Wrap(l.TrimEnd(), width, "  "));
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
        foreach (var raw in lines.Skip(header + 2))
        {
            if (raw.Trim().Length == 0) continue;
            var cells = raw.TrimEnd().TrimEnd('|').Split(" | ", columns.Count).Select(c => c.Trim()).ToList();
            while (cells.Count < columns.Count) cells.Add("");
            string step = cells[0];
            string? state = hasState ? cells[^1] : null;
            int thread = -1;
            for (int t = 0; t < threadCount; t++)
                if (cells[firstThread + t].Length > 0) { thread = t; break; }
            if (thread < 0)
            {
                if (hasSetup && cells[1].Length > 0) setupEvents++;
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
            sb.Append(step.PadLeft(stepWidth));
            for (int t = 0; t < threadCount; t++)
                sb.Append(new string(' ', gap)).Append(t == thread ? Cell(cells[firstThread + t], colWidth) : new string(' ', colWidth));
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
