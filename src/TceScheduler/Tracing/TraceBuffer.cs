namespace TceVerify.Scheduling;

/// <summary>Reusable growable buffer of encoded <see cref="TraceStep"/>s; no allocation once warmed up.</summary>
internal sealed class TraceBuffer
{
    private int[] _items = new int[256];

    internal int Count { get; private set; }

    internal void Clear() => Count = 0;

    internal void Add(TraceStep step)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = step.Encode();
    }

    internal int[] ToArray() => _items.AsSpan(0, Count).ToArray();

    /// <summary>FNV-1a over the decisions, for the exploration fingerprint.</summary>
    internal ulong Hash(ulong hash)
    {
        for (int i = 0; i < Count; i++)
        {
            hash = (hash ^ (uint)_items[i]) * 1099511628211UL;
        }
        return (hash ^ 0xFF) * 1099511628211UL;
    }
}
