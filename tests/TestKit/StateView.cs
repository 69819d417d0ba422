using TceVerify.Contract;
using TceVerify.Harness.Observation;

namespace TceVerify.TestKit;

/// <summary>
/// The tests' view of a snapshot (STATE-10): the fields <see cref="Observed"/> (the harness's one snapshot parser)
/// reads, as value records with lookups by id. Lookups of things the snapshot omits when zero (TCEs, memory bytes,
/// device open counts) give 0; lookups of things that must be there (a page, a process, a group, a table, a container
/// asked for by id) throw <see cref="KeyNotFoundException"/> with the id. A line the parser does not know fails the
/// parse (<see cref="FormatException"/>), so every view is of a snapshot whose every line parsed.
/// </summary>
public sealed class StateView
{
    public StateView(Snapshot snapshot)
    {
        Parsed = Observed.Parse(snapshot);
        foreach (var (pfn, p) in Parsed.Pages) Pages[pfn] = new PageObs(p.Ref, p.Dirty);
        foreach (var (pid, p) in Parsed.Processes)
        {
            Procs[pid] = new ProcObs(p.Exited, p.LockedVm);
            if (p.Vm.Count > 0)
                UserPages[pid] = new SortedDictionary<ulong, UserPageObs>(p.Vm.ToDictionary(v => v.Key, v => new UserPageObs(v.Value.Pfn, v.Value.Writable)));
            foreach (var (fd, f) in p.Fds) Fds[(pid, fd)] = new FdObs(f.Kind, f.Id, f.Kind == "device" ? f.Device : null);
        }
        foreach (var (id, c) in Parsed.Containers)
            Containers[id] = new ContainerObs(id, c.Refs, c.Groups.ToArray(), c.Driver, c.Tbl, c.Enabled, c.Payer);
        foreach (var (id, g) in Parsed.Groups)
        {
            Groups[id] = new GroupObs(id, g.Opened, g.Container, (int)g.Users);
            foreach (var (device, opens) in g.DeviceOpens) DeviceOpens[(id, device)] = opens;
        }
        foreach (var (id, t) in Parsed.Tables)
        {
            Tables[id] = new TableObs(id, t.Owner, t.FlushPending, (int)t.Inject, ItMapText(t.ItMap), t.ItMap.ToArray());
            if (t.Tces.Count > 0) TceLines[id] = t.Tces;
        }
        foreach (var (at, hex) in Parsed.Memory) Mem[at] = Convert.FromHexString(hex);
    }

    /// <summary>The harness's parse of the snapshot (what the invariant checks read).</summary>
    public Observed Parsed { get; }

    public Snapshot Snapshot => Parsed.Source;

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

    // ------------------------------------------------------------------ lookups

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

    /// <summary>The canonical text of it_map's ranges, as the snapshot writes it: "0", "0-3f", "800-80e,811-81d", "".</summary>
    static string ItMapText(IEnumerable<(long First, long Last)> ranges) =>
        string.Join(',', ranges.Select(r => r.First == r.Last ? $"{r.First:x}" : $"{r.First:x}-{r.Last:x}"));
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

public static class StateViewExtensions
{
    /// <summary>The snapshot's fields.</summary>
    public static StateView Observe(this Snapshot snapshot) => new(snapshot);
}
