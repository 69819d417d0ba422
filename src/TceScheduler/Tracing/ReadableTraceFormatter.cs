using System.Text;

namespace TceVerify.Scheduling;

/// <summary>Renders a failing schedule as a per-thread column table with the described state per step.</summary>
internal static class ReadableTraceFormatter
{
    private const int MaxCell = 48;

    internal static string Format(BugReport bug, ulong seed, IReadOnlyList<string> names, TraceEvent[] events, string? note)
    {
        var sb = new StringBuilder();
        sb.Append(bug.Kind).Append(": ").AppendLine(bug.Message);
        sb.Append("strategy ").Append(bug.Strategy).Append(", seed ").Append(seed)
          .Append(", iteration ").Append(bug.Iteration).Append(", ").Append(bug.Steps).AppendLine(" steps");
        sb.Append("reproduce: Configuration.Create().WithReproducibleTrace(\"").Append(bug.ReproducibleTrace).AppendLine("\")");
        if (note is not null) sb.AppendLine(note);
        sb.AppendLine();

        bool hasSetup = events.Any(e => e.Thread < 0);
        bool hasState = events.Any(e => e.State is not null);
        var headers = new List<string> { "step" };
        if (hasSetup) headers.Add("setup");
        for (int i = 0; i < names.Count; i++) headers.Add($"T{i} {names[i]}");
        int offset = hasSetup ? 2 : 1; // column of thread 0
        var widths = headers.Select(h => Math.Min(MaxCell, h.Length)).ToArray();
        foreach (TraceEvent e in events)
        {
            int col = Column(e.Thread, offset);
            widths[col] = Math.Max(widths[col], Math.Min(MaxCell, e.Label.Length));
            widths[0] = Math.Max(widths[0], e.Step.ToString().Length);
        }

        var cells = new string[headers.Count];
        AppendRow(sb, headers.ToArray(), widths, hasState ? "state" : null);
        AppendRule(sb, widths, hasState);
        foreach (TraceEvent e in events)
        {
            Array.Fill(cells, "");
            cells[0] = e.Kind == TraceEventKind.Scheduled ? e.Step.ToString() : "";
            cells[Column(e.Thread, offset)] = e.Label;
            AppendRow(sb, cells, widths, e.State);
        }
        return sb.ToString();
    }

    private static int Column(int thread, int offset) => thread < 0 ? 1 : offset + thread;

    private static void AppendRow(StringBuilder sb, string[] cells, int[] widths, string? state)
    {
        for (int i = 0; i < cells.Length; i++)
        {
            string c = cells[i].Length > MaxCell ? cells[i][..(MaxCell - 1)] + "~" : cells[i];
            if (i > 0) sb.Append(" | ");
            sb.Append(i == 0 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]));
        }
        if (state is not null) sb.Append(" | ").Append(state.ReplaceLineEndings(" "));
        while (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
        sb.Append('\n');
    }

    private static void AppendRule(StringBuilder sb, int[] widths, bool hasState)
    {
        for (int i = 0; i < widths.Length; i++)
        {
            if (i > 0) sb.Append("-+-");
            sb.Append('-', widths[i]);
        }
        if (hasState) sb.Append("-+-").Append('-', 5);
        sb.Append('\n');
    }
}
