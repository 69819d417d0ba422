namespace TceVerify.Scheduling;

/// <summary>Reusable event buffer for the readable trace.</summary>
internal sealed class EventLog
{
    private TraceEvent[] _items = new TraceEvent[512];

    internal int Count { get; private set; }

    internal void Clear() => Count = 0;

    internal void Add(int thread, int step, TraceEventKind kind, string operation, string? target, int value = 0)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        ref TraceEvent e = ref _items[Count++];
        e.Thread = thread;
        e.Step = step;
        e.Kind = kind;
        e.Operation = operation;
        e.Target = target;
        e.Value = value;
        e.State = null;
    }

    /// <summary>Attaches a described state to the latest event.</summary>
    internal void SetLastState(string state)
    {
        if (Count > 0) _items[Count - 1].State = state;
    }

    internal TraceEvent[] ToArray() => _items.AsSpan(0, Count).ToArray();
}
