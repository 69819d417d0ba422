using System.Globalization;
using TceVerify.Contract;

namespace TceVerify.Harness.Observation;

/// <summary>
/// A snapshot (STATE-10) parsed back into typed fields, so invariants can be checked on any system — model,
/// implementation or variant — through what it shows, not through its internals.
/// </summary>
public sealed class Observed
{
    /// <summary>The snapshot this was parsed from.</summary>
    public Snapshot Source { get; private init; } = null!;
    public Dictionary<long, (long Ref, bool Dirty)> Pages { get; } = new();
    /// <summary>PAGE-2: the frames reused at least once: pfn -> (generation, owner as <see cref="FrameOwner"/>).</summary>
    public Dictionary<long, (long Generation, int Owner)> Frames { get; } = new();
    public Dictionary<int, ProcessObs> Processes { get; } = new();
    public Dictionary<int, ContainerObs> Containers { get; } = new();
    public Dictionary<int, GroupObs> Groups { get; } = new();
    public Dictionary<int, TableObs> Tables { get; } = new();
    /// <summary>Non-zero 16-byte chunks of memory: (pfn, offset) -> hex.</summary>
    public Dictionary<(long Pfn, long Offset), string> Memory { get; } = new();

    public sealed class ProcessObs
    {
        public bool Exited;
        public long LockedVm;
        public Dictionary<ulong, (long Pfn, bool Writable)> Vm { get; } = new();
        /// <summary>fd -> ("container"|"group"|"device", id, device name or "").</summary>
        public SortedDictionary<int, (string Kind, int Id, string Device)> Fds { get; } = new();
    }

    public sealed class ContainerObs
    {
        public int Refs;
        public List<int> Groups = new();
        public bool Driver;
        public int? Tbl;
        public bool Enabled;
        public int? Payer;
    }

    public sealed class GroupObs
    {
        public bool Opened;
        public int? Container;
        public long Users;
        public SortedDictionary<string, int> DeviceOpens { get; } = new(StringComparer.Ordinal);
    }

    public sealed class TableObs
    {
        public int? Owner;
        public bool FlushPending;
        public long Inject;
        public List<(long First, long Last)> ItMap = new();
        public SortedDictionary<long, ulong> Tces { get; } = new();

        public bool ItMapHas(long entry)
        {
            foreach (var (f, l) in ItMap)
                if (entry >= f && entry <= l) return true;
            return false;
        }

        public long ItMapCount()
        {
            long n = 0;
            foreach (var (f, l) in ItMap) n += l - f + 1;
            return n;
        }
    }

    /// <summary>
    /// Parses a snapshot. The property campaign parses one snapshot per checked command, and consecutive snapshots
    /// share most of their lines, so each distinct line is parsed once (span-based, no splitting into strings) into
    /// an immutable value kept in a bounded cache; building the observation is then only dictionary inserts.
    /// </summary>
    public static Observed Parse(Snapshot snapshot)
    {
        var o = new Observed { Source = snapshot };
        foreach (var line in snapshot.Lines)
        {
            if (!s_lines.TryGetValue(line, out var value))
            {
                value = ParseLine(line);
                if (s_lines.Count > MaxCachedLines) s_lines.Clear();
                s_lines.TryAdd(line, value);
            }
            value.ApplyTo(o);
        }
        return o;
    }

    const int MaxCachedLines = 100_000;
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, LineValue> s_lines = new(StringComparer.Ordinal);

    abstract class LineValue
    {
        public abstract void ApplyTo(Observed o);
    }

    sealed class PageLine(long pfn, long refs, bool dirty) : LineValue
    {
        public override void ApplyTo(Observed o) => o.Pages[pfn] = (refs, dirty);
    }

    sealed class FrameLine(long pfn, long generation, int owner) : LineValue
    {
        public override void ApplyTo(Observed o) => o.Frames[pfn] = (generation, owner);
    }

    sealed class MemLine(long pfn, long offset, string hex) : LineValue
    {
        public override void ApplyTo(Observed o) => o.Memory[(pfn, offset)] = hex;
    }

    sealed class MmLine(int pid, bool exited, long lockedVm) : LineValue
    {
        public override void ApplyTo(Observed o) { var p = o.Proc(pid); p.Exited = exited; p.LockedVm = lockedVm; }
    }

    sealed class VmLine(int pid, ulong vpage, long pfn, bool writable) : LineValue
    {
        public override void ApplyTo(Observed o) => o.Proc(pid).Vm[vpage] = (pfn, writable);
    }

    sealed class FdLine(int pid, int fd, string kind, int id, string device) : LineValue
    {
        public override void ApplyTo(Observed o) => o.Proc(pid).Fds[fd] = (kind, id, device);
    }

    /// <summary>Container lines are shared between observations: the parsed object is never changed.</summary>
    sealed class ContainerLine(int id, ContainerObs c) : LineValue
    {
        public override void ApplyTo(Observed o) => o.Containers[id] = c;
    }

    sealed class GroupLine(int id, bool opened, int? container, long users) : LineValue
    {
        public override void ApplyTo(Observed o) { var g = o.Group(id); g.Opened = opened; g.Container = container; g.Users = users; }
    }

    sealed class DeviceLine(int id, string device, int opens) : LineValue
    {
        public override void ApplyTo(Observed o) => o.Group(id).DeviceOpens[device] = opens;
    }

    sealed class TableLine(int id, int? owner, bool flush, long inject, (long, long)[] itMap) : LineValue
    {
        public override void ApplyTo(Observed o)
        {
            var t = o.Table(id);
            t.Owner = owner; t.FlushPending = flush; t.Inject = inject;
            t.ItMap.AddRange(itMap);
        }
    }

    sealed class TceLine(int id, long entry, ulong value) : LineValue
    {
        public override void ApplyTo(Observed o) => o.Table(id).Tces[entry] = value;
    }

    /// <summary>PAGE-2: a frame's generation and owner (0 and none until it is first reused).</summary>
    public (long Generation, int Owner) Frame(long pfn) => Frames.TryGetValue(pfn, out var f) ? f : (0, FrameOwner.None);

    /// <summary>Whether some address space maps frame <paramref name="pfn"/> (PAGE-1).</summary>
    public bool IsMapped(long pfn)
    {
        foreach (var p in Processes.Values)
            foreach (var (mapped, _) in p.Vm.Values)
                if (mapped == pfn) return true;
        return false;
    }

    /// <summary>PAGE-1: a frame nobody pins (its count is its base), no address space maps and the host does not hold.</summary>
    public bool IsFree(long pfn) =>
        Pages.TryGetValue(pfn, out var page) && page.Ref == TceVerify.Contract.Memory.BaseRefCount(pfn)
        && Frame(pfn).Owner != FrameOwner.Host && !IsMapped(pfn);

    ProcessObs Proc(int pid) => Processes.TryGetValue(pid, out var p) ? p : Processes[pid] = new ProcessObs();
    GroupObs Group(int id) => Groups.TryGetValue(id, out var g) ? g : Groups[id] = new GroupObs();
    TableObs Table(int id) => Tables.TryGetValue(id, out var t) ? t : Tables[id] = new TableObs();

    static LineValue ParseLine(string line)
    {
        Span<Range> t = stackalloc Range[12];
        var s = line.AsSpan();
        s.Split(t, ' ', StringSplitOptions.None);
        var kind = s[t[0]];
        if (kind.SequenceEqual("page"))
            return new PageLine(Hex(s[t[1]]), Num(Val(s[t[2]])), Val(s[t[3]]).SequenceEqual("1"));
        if (kind.SequenceEqual("frame"))
        {
            // frame PFN gen=N owner=none|host|pid P (PAGE-2)
            var owner = Val(s[t[3]]);
            int who = owner.SequenceEqual("host") ? FrameOwner.Host : owner.SequenceEqual("pid") ? Int(s[t[4]]) : FrameOwner.None;
            return new FrameLine(Hex(s[t[1]]), Num(Val(s[t[2]])), who);
        }
        if (kind.SequenceEqual("mem"))
        {
            var at = s[t[1]];
            int colon = at.IndexOf(':');
            return new MemLine(Hex(at[..colon]), Hex(at[(colon + 1)..]), line[t[2]]);
        }
        if (kind.SequenceEqual("proc"))
        {
            var pid = Int(s[t[1]]);
            var what = s[t[2]];
            if (what.SequenceEqual("vm")) return new VmLine(pid, (ulong)Hex(s[t[3]]), Hex(s[t[6]]), s[t[7]].SequenceEqual("rw"));
            if (what.SequenceEqual("fd"))
            {
                var fd = Int(s[t[3]]);
                var fk = s[t[5]];
                if (fk.SequenceEqual("device"))
                {
                    var rest = s[t[6]];
                    int colon = rest.IndexOf(':');
                    return new FdLine(pid, fd, "device", Int(rest[..colon]), line[(t[6].Start.Value + colon + 1)..]);
                }
                return new FdLine(pid, fd, fk.SequenceEqual("container") ? "container" : fk.SequenceEqual("group") ? "group" : fk.ToString(), Int(s[t[6]]), "");
            }
            return new MmLine(pid, Val(what).SequenceEqual("exited"), Num(Val(s[t[3]])));
        }
        if (kind.SequenceEqual("container"))
            return new ContainerLine(Int(s[t[1]]), new ContainerObs
            {
                Refs = (int)Num(Val(s[t[2]])),
                Groups = ParseList(Val(s[t[3]])),
                Driver = !Val(s[t[4]]).SequenceEqual("none"),
                Tbl = OptInt(Val(s[t[5]])),
                Enabled = Val(s[t[6]]).SequenceEqual("1"),
                Payer = OptInt(Val(s[t[7]])),
            });
        if (kind.SequenceEqual("group"))
        {
            var gid = Int(s[t[1]]);
            if (s[t[2]].SequenceEqual("device")) return new DeviceLine(gid, line[t[3]], (int)Num(Val(s[t[4]])));
            return new GroupLine(gid, Val(s[t[2]]).SequenceEqual("1"), OptInt(Val(s[t[3]])), Num(Val(s[t[4]])));
        }
        if (kind.SequenceEqual("table"))
        {
            var gid = Int(s[t[1]]);
            if (s[t[2]].SequenceEqual("tce"))
                return new TceLine(gid, Hex(s[t[3]]), ulong.Parse(s[t[5]], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            // table G owner=host|owner=container N flush_pending=.. inject=.. it_map=[..]
            int i = 2;
            int? owner;
            if (Val(s[t[i]]).SequenceEqual("host")) { owner = null; i++; }
            else { owner = Int(s[t[i + 1]]); i += 2; }
            bool flush = Val(s[t[i++]]).SequenceEqual("1");
            long inject = Num(Val(s[t[i++]]));
            var ranges = Val(s[t[i]]).Trim('[').Trim(']');
            var list = new List<(long, long)>();
            while (ranges.Length > 0)
            {
                int comma = ranges.IndexOf(',');
                var r = comma < 0 ? ranges : ranges[..comma];
                ranges = comma < 0 ? ReadOnlySpan<char>.Empty : ranges[(comma + 1)..];
                int dash = r.IndexOf('-');
                list.Add(dash < 0 ? (Hex(r), Hex(r)) : (Hex(r[..dash]), Hex(r[(dash + 1)..])));
            }
            return new TableLine(gid, owner, flush, inject, list.ToArray());
        }
        throw new FormatException($"unknown snapshot line: {line}");
    }

    static ReadOnlySpan<char> Val(ReadOnlySpan<char> kv) => kv[(kv.IndexOf('=') + 1)..];
    static long Num(ReadOnlySpan<char> s) => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    static int Int(ReadOnlySpan<char> s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    static long Hex(ReadOnlySpan<char> s) => long.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    static int? OptInt(ReadOnlySpan<char> s) => s.SequenceEqual("none") ? null : Int(s);

    static List<int> ParseList(ReadOnlySpan<char> s)
    {
        var inner = s.Trim('[').Trim(']');
        var list = new List<int>();
        while (inner.Length > 0)
        {
            int comma = inner.IndexOf(',');
            list.Add(Int(comma < 0 ? inner : inner[..comma]));
            inner = comma < 0 ? ReadOnlySpan<char>.Empty : inner[(comma + 1)..];
        }
        return list;
    }
}
