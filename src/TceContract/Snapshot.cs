using System.Text;

namespace TceVerify.Contract;

/// <summary>
/// The observable state of a system (STATE-10) as canonical, sorted text lines. Two systems agree iff their
/// snapshots are equal; <see cref="Diff"/> names the first fields that differ.
/// </summary>
public sealed class Snapshot : IEquatable<Snapshot>
{
    public IReadOnlyList<string> Lines { get; }
    public string Text { get; }

    internal Snapshot(List<string> lines)
    {
        lines.Sort(StringComparer.Ordinal);
        Lines = lines;
        Text = string.Join('\n', lines);
    }

    public bool Equals(Snapshot? other) => other is not null && Text == other.Text;
    public override bool Equals(object? obj) => Equals(obj as Snapshot);
    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);
    public override string ToString() => Text;

    /// <summary>Field-level difference: lines only in one side, in key order, at most <paramref name="max"/>.
    /// Empty when equal.</summary>
    public static string Diff(Snapshot expected, Snapshot actual, string expectedName = "model", string actualName = "impl", int max = 12)
    {
        var sb = new StringBuilder();
        int i = 0, j = 0, shown = 0;
        var a = expected.Lines;
        var b = actual.Lines;
        while ((i < a.Count || j < b.Count) && shown < max)
        {
            int c = i >= a.Count ? 1 : j >= b.Count ? -1 : string.CompareOrdinal(a[i], b[j]);
            if (c == 0) { i++; j++; continue; }
            if (c < 0) sb.Append("  ").Append(expectedName).Append(": ").AppendLine(a[i++]);
            else sb.Append("  ").Append(actualName).Append(": ").AppendLine(b[j++]);
            shown++;
        }
        if (shown == max && (i < a.Count || j < b.Count)) sb.AppendLine("  ...");
        return sb.ToString();
    }
}

/// <summary>Builds a <see cref="Snapshot"/>. Model and implementation both use it, so the format is one.</summary>
public sealed class SnapshotBuilder
{
    readonly List<string> _lines = new(64);

    public SnapshotBuilder Page(long pfn, long refCount, bool dirty)
    {
        _lines.Add($"page {pfn:x6} ref={refCount} dirty={(dirty ? 1 : 0)}");
        return this;
    }

    /// <summary>PAGE-2: a frame reused at least once (generation > 0) and its owner (<see cref="FrameOwner"/>).</summary>
    public SnapshotBuilder Frame(long pfn, long generation, int owner)
    {
        _lines.Add($"frame {pfn:x6} gen={generation} owner={FrameOwner.Describe(owner)}");
        return this;
    }

    public SnapshotBuilder Process(int pid, bool exited, long lockedVm)
    {
        _lines.Add($"proc {pid:d3} mm={(exited ? "exited" : "live")} locked_vm={lockedVm}");
        return this;
    }

    public SnapshotBuilder UserPage(int pid, ulong vpage, long pfn, bool writable)
    {
        _lines.Add($"proc {pid:d3} vm {vpage:x8} -> pfn {pfn:x6} {(writable ? "rw" : "ro")}");
        return this;
    }

    public SnapshotBuilder FdContainer(int pid, int fd, int containerId)
    {
        _lines.Add($"proc {pid:d3} fd {fd:d3} -> container {containerId:d3}");
        return this;
    }

    public SnapshotBuilder FdGroup(int pid, int fd, int groupId)
    {
        _lines.Add($"proc {pid:d3} fd {fd:d3} -> group {groupId:d3}");
        return this;
    }

    public SnapshotBuilder FdDevice(int pid, int fd, int groupId, string device)
    {
        _lines.Add($"proc {pid:d3} fd {fd:d3} -> device {groupId:d3}:{device}");
        return this;
    }

    /// <summary>16 bytes of physical memory at a 16-byte aligned offset; call only for chunks with a non-zero byte.</summary>
    public SnapshotBuilder Memory16(long pfn, long offset, ReadOnlySpan<byte> chunk)
    {
        _lines.Add($"mem {pfn:x6}:{offset:x5} {Convert.ToHexString(chunk)}");
        return this;
    }

    /// <summary>groupsInListOrder: the container's group list, most recently added first (STATE-6).</summary>
    public SnapshotBuilder Container(int id, int refs, IEnumerable<int> groupsInListOrder, bool driverSet,
        int? tblGroup, bool enabled, int? payerPid)
    {
        _lines.Add($"container {id:d3} refs={refs} groups=[{string.Join(',', groupsInListOrder)}] " +
                   $"driver={(driverSet ? "spapr-tce" : "none")} tbl={(tblGroup is { } t ? t.ToString() : "none")} " +
                   $"enabled={(enabled ? 1 : 0)} payer={(payerPid is { } p ? p.ToString() : "none")}");
        return this;
    }

    public SnapshotBuilder Group(int id, bool opened, int? containerId, int containerUsers)
    {
        _lines.Add($"group {id:d3} opened={(opened ? 1 : 0)} container={(containerId is { } c ? c.ToString() : "none")} users={containerUsers}");
        return this;
    }

    public SnapshotBuilder DeviceOpens(int groupId, string device, int opens)
    {
        _lines.Add($"group {groupId:d3} device {device} opens={opens}");
        return this;
    }

    /// <summary>itMapRanges: the set bits of it_map as inclusive entry ranges in ascending order.</summary>
    public SnapshotBuilder Table(int groupId, int? ownerContainer, bool flushPending, int injectCountdown,
        IEnumerable<(long First, long Last)> itMapRanges)
    {
        var ranges = string.Join(',', itMapRanges.Select(r => r.First == r.Last ? $"{r.First:x}" : $"{r.First:x}-{r.Last:x}"));
        _lines.Add($"table {groupId:d3} owner={(ownerContainer is { } o ? "container " + o : "host")} " +
                   $"flush_pending={(flushPending ? 1 : 0)} inject={injectCountdown} it_map=[{ranges}]");
        return this;
    }

    /// <summary>A non-zero TCE of the table storage (window and guard band).</summary>
    public SnapshotBuilder Tce(int groupId, long entry, ulong value)
    {
        _lines.Add($"table {groupId:d3} tce {entry:x8} = {value:x16}");
        return this;
    }

    public Snapshot Build() => new(new List<string>(_lines));

    /// <summary>Collapses ascending set-bit indices into inclusive ranges.</summary>
    public static List<(long First, long Last)> Ranges(IEnumerable<long> ascending)
    {
        var result = new List<(long, long)>();
        long first = -2, last = -2;
        foreach (var e in ascending)
        {
            if (e == last + 1) { last = e; continue; }
            if (first >= 0) result.Add((first, last));
            first = last = e;
        }
        if (first >= 0) result.Add((first, last));
        return result;
    }
}
