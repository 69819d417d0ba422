using System.Diagnostics;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace TceVerify.Cli.Infrastructure;

/// <summary>
/// Where a command writes: stdout and stderr writers, whether stdout is an interactive terminal (then progress bars
/// are live), the width tables are laid out for, and the cancellation token (Ctrl-C).
/// </summary>
public sealed class Io
{
    IAnsiConsole? _console;

    public Io(TextWriter output, TextWriter error, bool interactive, int width, CancellationToken cancel)
    {
        Out = output;
        Err = error;
        Interactive = interactive;
        Width = Math.Clamp(width, 60, 250);
        Cancel = cancel;
    }

    public TextWriter Out { get; }
    public TextWriter Err { get; }
    public bool Interactive { get; }
    public int Width { get; }
    public CancellationToken Cancel { get; }

    /// <summary>Spectre.Console on <see cref="Out"/>: colours and live progress only on an interactive terminal.</summary>
    public IAnsiConsole Console
    {
        get
        {
            if (_console is not null) return _console;
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(Out),
                Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
                ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
                Interactive = Interactive ? InteractionSupport.Yes : InteractionSupport.No,
            });
            console.Profile.Width = Width;
            if (!Interactive) console.Profile.Capabilities.Unicode = false;
            return _console = console;
        }
    }

    public void Line(string text = "") => Out.WriteLine(text);

    /// <summary>Writes markup (Spectre syntax); plain text on a non-interactive output.</summary>
    public void Markup(string markup) => Console.MarkupLine(markup);

    public void Write(IRenderable renderable) => Console.Write(renderable);

    public void Json(object value) => Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A table laid out for <see cref="Width"/> columns.</summary>
    public Table Table(params string[] headers)
    {
        var t = new Table().Border(Interactive ? TableBorder.Rounded : TableBorder.Ascii).Expand();
        foreach (var h in headers) t.AddColumn(new TableColumn(Spectre.Console.Markup.Escape(h)));
        return t;
    }
}

/// <summary>A counter shown as a progress bar: its label, how far, out of how much, and what it counts (singular).</summary>
public sealed record ProgressItem(string Label, Func<long> Value, Func<long> Total, string Unit)
{
    /// <summary>A label that changes (e.g. with the failures found so far); <see cref="Label"/> when null.</summary>
    public Func<string>? Describe { get; init; }
}

/// <summary>
/// Runs work while showing progress: live Spectre.Console bars with counts and rates on an interactive terminal,
/// otherwise one status line per item every <see cref="QuietInterval"/> (readable in CI logs).
/// </summary>
public static class ProgressView
{
    public static TimeSpan QuietInterval { get; set; } = TimeSpan.FromSeconds(15);

    public static T Run<T>(Io io, bool show, IReadOnlyList<ProgressItem> items, Func<T> work)
    {
        var task = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!show)
        {
            return task.GetAwaiter().GetResult();
        }
        if (!io.Interactive)
        {
            var clock = Stopwatch.StartNew();
            void Status(string end)
            {
                foreach (var item in items)
                    io.Line($"  {item.Label}: {Values.Count(item.Value())} of {Plural.Of(item.Total(), item.Unit)}, "
                             + $"{Values.Rate(item.Value() / Math.Max(0.001, clock.Elapsed.TotalSeconds))}, {Values.Seconds(clock.Elapsed)}{end}");
            }
            while (!task.Wait(QuietInterval)) Status("");
            // The last status: the totals are then what was done (the same figures as the summary).
            if (task.Status == TaskStatus.RanToCompletion) Status(io.Cancel.IsCancellationRequested ? " (interrupted)" : " (done)");
            return task.GetAwaiter().GetResult();
        }
        new Progress(io.Console)
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 },
                new PercentageColumn(), new CountColumn(), new RateColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var bars = items.Select(i => (Item: i, Bar: ctx.AddTask(Spectre.Console.Markup.Escape(i.Label), maxValue: Math.Max(1, i.Total())))).ToList();
                while (true)
                {
                    bool done = task.Wait(100);
                    foreach (var (item, bar) in bars)
                    {
                        if (item.Describe is not null) bar.Description = Spectre.Console.Markup.Escape(item.Describe());
                        bar.MaxValue = Math.Max(1, item.Total());
                        bar.Value = Math.Min(bar.MaxValue, item.Value());
                    }
                    if (done)
                    {
                        foreach (var (_, bar) in bars) bar.StopTask();
                        ctx.Refresh();
                        break;
                    }
                    ctx.Refresh();
                }
            });
        return task.GetAwaiter().GetResult();
    }

    /// <summary>"12,345/50,000".</summary>
    sealed class CountColumn : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"{Values.Count((long)task.Value)}/{Values.Count((long)task.MaxValue)}");
    }

    /// <summary>"2.1k/s": the average rate since the task started.</summary>
    sealed class RateColumn : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            double secs = task.ElapsedTime?.TotalSeconds ?? 0;
            return new Text(secs <= 0 ? "" : Values.Rate(task.Value / secs), new Style(Color.Grey));
        }
    }
}
