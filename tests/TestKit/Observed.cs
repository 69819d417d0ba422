using System.Globalization;
using System.Text.RegularExpressions;
using TceVerify.Contract;

namespace TceVerify.TestKit;

/// <summary>
/// A <see cref="Contract.Snapshot"/> parsed back into fields (STATE-10), by the canonical line forms that
/// <see cref="SnapshotBuilder"/> writes. Lookups of things the snapshot omits when zero (TCEs, memory bytes,
/// device open counts) give 0; lookups of things that must be there (a page, a process, a group, a table,
/// a container asked for by id) throw <see cref="KeyNotFoundException"/> with the id.
/// </summary>
public sealed partial class Observed
{
    public Observed(Snapshot snapshot)
    {
        Snapshot = snapshot;
        foreach (var line in snapshot.Lines) Parse(line);
    }

    public Snapshot Snapshot { get; }

    public Dictionary<long, PageObs> Pages { get; } = new();
    public Dictionary<int, ProcObs> Procs { get; } = new();
    public Dictionary<int, SortedDictionary<ulong, UserPageObs>> UserPages { get; } = new();
    public Dictionary<(int Pid, int Fd), FdObs> Fds { get; } = new();
    public Dictionary<int, ContainerObs> Containers { get; } = new();
    public Dictionary<int, GroupObs> Groups { get; } = new();
    public Dictionary<(int Group, string Device), int> DeviceOpens { get; } = new();
    public Dictionary<int, TableObs> Tables { get; } = new();
    public Dictionary<int, SortedDictionary<long, ulong>> TceLines { get; } = new();
    public Dictionary<(long Pfn, long Offset), byte[]> Mem { get; } = new();
    /// <summary>Lines that match no known form (a format drift shows here).</summary>
    public List<string> Unparsed { get; } = new();

    // ------------------------------------------------------------------ convenience lookups

    public long PageRef(long pfn) => Get(Pages, pfn, "page").Ref;
    public bool PageDirty(long pfn) => Get(Pages, pfn, "page").Dirty;
    public long LockedVm(int pid) => Get(Procs, pid, "proc").LockedVm;
    public bool Exited(int pid) => Get(Procs, pid, "proc").Exited;
    public ContainerObs Container(int id) => Get(Containers, id, "container");
    public bool HasContainer(int id) => Containers.ContainsKey(id);
    public GroupObs Group(int id) => Get(Groups, id, "group");
    public TableObs Table(int group) => Get(Tables, group, "table");
    public int Opens(int group, string device) => DeviceOpens.TryGetValue((group, device), out var n) ? n : 0;

    /// <summary>The TCE at a storage entry (0 when the snapshot has no line for it).</summary>
    public ulong Tce(int group, long entry) =>
        TceLines.TryGetValue(group, out var t) && t.TryGetValue(entry, out var v) ? v : 0;

    /// <summary>Every non-zero TCE of the table storage, by entry.</summary>
    public IReadOnlyDictionary<long, ulong> TcesOf(int group) =>
        TceLines.TryGetValue(group, out var t) ? t : new SortedDictionary<long, ulong>();

    /// <summary>The fd's target, e.g. "container 1", "group 2", "device 1:0000:01:00.0"; null if the fd is not open.</summary>
    public string? FdTarget(int pid, int fd) => Fds.TryGetValue((pid, fd), out var f) ? f.ToString() : null;

    public IEnumerable<int> FdsOf(int pid) => Fds.Keys.Where(k => k.Pid == pid).Select(k => k.Fd).Order();

    public IReadOnlyDictionary<ulong, UserPageObs> UserPagesOf(int pid) =>
        UserPages.TryGetValue(pid, out var m) ? m : new SortedDictionary<ulong, UserPageObs>();

    /// <summary>One byte of physical memory (0 when no memory line covers it).</summary>
    public byte MemByte(long pfn, long offset) =>
        Mem.TryGetValue((pfn, offset & ~15L), out var chunk) ? chunk[offset & 15] : (byte)0;

    static TV Get<TK, TV>(Dictionary<TK, TV> d, TK key, string what) where TK : notnull =>
        d.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"snapshot has no {what} {key}");

    // ------------------------------------------------------------------ parsing

    [GeneratedRegex(@"^page ([0-9a-f]+) ref=(-?\d+) dirty=([01])$")] private static partial Regex PageRx();
    [GeneratedRegex(@"^proc (\d+) mm=(live|exited) locked_vm=(-?\d+)$")] private static partial Regex ProcRx();
    [GeneratedRegex(@"^proc (\d+) vm ([0-9a-f]+) -> pfn ([0-9a-f]+) (rw|ro)$")] private static partial Regex VmRx();
    [GeneratedRegex(@"^proc (\d+) fd (\d+) -> (container|group|device) (\d+)(?::(.*))?$")] private static partial Regex FdRx();
    [GeneratedRegex(@"^container (\d+) refs=(-?\d+) groups=\[([0-9,]*)\] driver=(\S+) tbl=(\S+) enabled=([01]) payer=(\S+)$")] private static partial Regex ContainerRx();
    [GeneratedRegex(@"^group (\d+) opened=([01]) container=(\S+) users=(-?\d+)$")] private static partial Regex GroupRx();
    [GeneratedRegex(@"^group (\d+) device (\S+) opens=(-?\d+)$")] private static partial Regex DeviceRx();
    [GeneratedRegex(@"^table (\d+) owner=(host|container (\d+)) flush_pending=([01]) inject=(-?\d+) it_map=\[([0-9a-f,\-]*)\]$")] private static partial Regex TableRx();
    [GeneratedRegex(@"^table (\d+) tce ([0-9a-f]+) = ([0-9a-f]+)$")] private static partial Regex TceRx();
    [GeneratedRegex(@"^mem ([0-9a-f]+):([0-9a-f]+) ([0-9A-Fa-f]+)$")] private static partial Regex MemRx();

    static long Hex(string s) => long.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    static ulong UHex(string s) => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    static int Dec(string s) => int.Parse(s, CultureInfo.InvariantCulture);
    static long LDec(string s) => long.Parse(s, CultureInfo.InvariantCulture);
    static int? OptId(string s) => s == "none" ? null : Dec(s);

    void Parse(string line)
    {
        Match m;
        if ((m = TceRx().Match(line)).Success)
        {
            int g = Dec(m.Groups[1].Value);
            if (!TceLines.TryGetValue(g, out var t)) TceLines[g] = t = new SortedDictionary<long, ulong>();
            t[Hex(m.Groups[2].Value)] = UHex(m.Groups[3].Value);
        }
        else if ((m = PageRx().Match(line)).Success)
            Pages[Hex(m.Groups[1].Value)] = new PageObs(LDec(m.Groups[2].Value), m.Groups[3].Value == "1");
        else if ((m = ProcRx().Match(line)).Success)
            Procs[Dec(m.Groups[1].Value)] = new ProcObs(m.Groups[2].Value == "exited", LDec(m.Groups[3].Value));
        else if ((m = VmRx().Match(line)).Success)
        {
            int pid = Dec(m.Groups[1].Value);
            if (!UserPages.TryGetValue(pid, out var vm)) UserPages[pid] = vm = new SortedDictionary<ulong, UserPageObs>();
            vm[UHex(m.Groups[2].Value)] = new UserPageObs(Hex(m.Groups[3].Value), m.Groups[4].Value == "rw");
        }
        else if ((m = FdRx().Match(line)).Success)
            Fds[(Dec(m.Groups[1].Value), Dec(m.Groups[2].Value))] =
                new FdObs(m.Groups[3].Value, Dec(m.Groups[4].Value), m.Groups[5].Success ? m.Groups[5].Value : null);
        else if ((m = ContainerRx().Match(line)).Success)
        {
            var groups = m.Groups[3].Value.Length == 0 ? [] : m.Groups[3].Value.Split(',').Select(Dec).ToArray();
            int id = Dec(m.Groups[1].Value);
            Containers[id] = new ContainerObs(id, Dec(m.Groups[2].Value), groups, m.Groups[4].Value != "none",
                OptId(m.Groups[5].Value), m.Groups[6].Value == "1", OptId(m.Groups[7].Value));
        }
        else if ((m = GroupRx().Match(line)).Success)
        {
            int id = Dec(m.Groups[1].Value);
            Groups[id] = new GroupObs(id, m.Groups[2].Value == "1", OptId(m.Groups[3].Value), Dec(m.Groups[4].Value));
        }
        else if ((m = DeviceRx().Match(line)).Success)
            DeviceOpens[(Dec(m.Groups[1].Value), m.Groups[2].Value)] = Dec(m.Groups[3].Value);
        else if ((m = TableRx().Match(line)).Success)
        {
            int g = Dec(m.Groups[1].Value);
            var ranges = new List<(long, long)>();
            foreach (var part in m.Groups[6].Value.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int dash = part.IndexOf('-');
                ranges.Add(dash < 0 ? (Hex(part), Hex(part)) : (Hex(part[..dash]), Hex(part[(dash + 1)..])));
            }
            Tables[g] = new TableObs(g, m.Groups[3].Success ? Dec(m.Groups[3].Value) : null, m.Groups[4].Value == "1",
                Dec(m.Groups[5].Value), m.Groups[6].Value, ranges);
        }
        else if ((m = MemRx().Match(line)).Success)
            Mem[(Hex(m.Groups[1].Value), Hex(m.Groups[2].Value))] = Convert.FromHexString(m.Groups[3].Value);
        else
            Unparsed.Add(line);
    }
}

public readonly record struct PageObs(long Ref, bool Dirty);
public readonly record struct ProcObs(bool Exited, long LockedVm);
public readonly record struct UserPageObs(long Pfn, bool Writable);

/// <summary>An fd's target: Kind is "container", "group" or "device"; Id the container or group id.</summary>
public readonly record struct FdObs(string Kind, int Id, string? Device)
{
    public override string ToString() => Device is null ? $"{Kind} {Id}" : $"{Kind} {Id}:{Device}";
}

public sealed record ContainerObs(int Id, int Refs, IReadOnlyList<int> Groups, bool DriverSet, int? Tbl, bool Enabled, int? Payer)
{
    /// <summary>The group list as text, e.g. "2,1", for exact comparisons.</summary>
    public string GroupList => string.Join(',', Groups);
}

public readonly record struct GroupObs(int Id, bool Opened, int? Container, int Users);

/// <summary>A table line. ItMap is the canonical range text, e.g. "0" or "0-3f" or "" (empty map).</summary>
public sealed record TableObs(int Group, int? Owner, bool FlushPending, int Inject, string ItMap, IReadOnlyList<(long First, long Last)> ItMapRanges)
{
    public bool Bit(long entry) => ItMapRanges.Any(r => r.First <= entry && entry <= r.Last);
    public long BitCount => ItMapRanges.Sum(r => r.Last - r.First + 1);
}

public static class ObservedExtensions
{
    /// <summary>Parses the snapshot into fields.</summary>
    public static Observed Observe(this Snapshot snapshot) => new(snapshot);
}
