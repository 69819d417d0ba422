using System.Collections.Immutable;
using TceVerify.Contract;

namespace TceVerify.Model;

// The model's world (STATE-2 .. STATE-7) as immutable values. Every rule takes a World and returns a new one;
// nothing is ever mutated in place. Collections keep reference equality, so two worlds are compared through
// their snapshots (STATE-10, ModelSystem.Snapshot), never with ==.

/// <summary>STATE-2: the reference count and dirty bit of one frame; PAGE-2: its generation and owner
/// (<see cref="FrameOwner"/>).</summary>
public readonly record struct PageState(long RefCount, bool Dirty, long Generation = 0, int Owner = FrameOwner.None);

/// <summary>STATE-3: one mapped virtual page of an address space.</summary>
public readonly record struct UserPage(long Pfn, bool Writable);

/// <summary>STATE-3: an mm. An exited mm keeps its locked_vm (EN-5) and has an empty address space.</summary>
public sealed record Mm(
    bool Exited,
    long LockedVm,
    ulong RlimitMemlock,
    bool CapIpcLock,
    ImmutableSortedDictionary<ulong, UserPage> Vm);

/// <summary>STATE-3, STATE-4: a process, its mm and its fd table (fd -> open file id).</summary>
public sealed record Process(int Pid, Mm Mm, ImmutableSortedDictionary<int, int> Fds);

/// <summary>STATE-4: an open file. Its entry count is the number of fd table entries, in all processes, that name it.</summary>
public abstract record OpenFile;

/// <summary>STATE-4: /dev/vfio/vfio opened (CORE-1).</summary>
public sealed record ContainerFile(int ContainerId) : OpenFile;

/// <summary>STATE-4: /dev/vfio/GROUP opened (CORE-20).</summary>
public sealed record GroupFile(int GroupId) : OpenFile;

/// <summary>STATE-4: a device fd from GET_DEVICE_FD (CORE-27).</summary>
public sealed record DeviceFile(int GroupId, string Device) : OpenFile;

/// <summary>STATE-6: the SPAPR TCE driver's data of a container. Tbl is the group id whose table it holds;
/// Payer is the pid whose mm holds the charge (adopted, FIND-4).</summary>
public sealed record DriverData(int? Tbl, bool Enabled, int? Payer);

/// <summary>STATE-6: a container. Groups is the group list, most recently added first; Driver is null when no
/// driver is set (and then there is no driver data, INV-7).</summary>
public sealed record Container(int Id, int Refs, ImmutableList<int> Groups, DriverData? Driver);

/// <summary>STATE-7: a group. Viable is fixed by the config; DeviceOpens holds every device of the group.</summary>
public sealed record Group(
    int Id,
    bool Viable,
    bool Opened,
    int? Container,
    int ContainerUsers,
    ImmutableSortedDictionary<string, int> DeviceOpens);

/// <summary>
/// STATE-5: a group's IOMMU table. Tces holds the non-zero TCE of each storage entry (TBL-2: the window and its
/// guard band); ItMap is the set of entries whose it_map bit is set; Owner is null for the host or a container id.
/// </summary>
public sealed record Table(
    int GroupId,
    long ItOffset,
    long ItSize,
    ImmutableSortedDictionary<long, ulong> Tces,
    ImmutableSortedSet<long> ItMap,
    bool FlushPending,
    int Countdown,
    int? Owner)
{
    /// <summary>One past the last window entry.</summary>
    public long WindowEnd => ItOffset + ItSize;

    /// <summary>TBL-2: first storage entry, up to GuardEntries below the window.</summary>
    public long StorageStart => Math.Max(0, ItOffset - Memory.GuardEntries);

    /// <summary>TBL-2: one past the last storage entry, GuardEntries above the window.</summary>
    public long StorageEnd => WindowEnd + Memory.GuardEntries;

    public bool InWindow(long entry) => entry >= ItOffset && entry < WindowEnd;

    public bool InStorage(long entry) => entry >= StorageStart && entry < StorageEnd;

    /// <summary>The TCE value of an entry (0 when absent from the sparse map).</summary>
    public ulong Tce(long entry) => Tces.TryGetValue(entry, out var v) ? v : 0;

    /// <summary>The table with one TCE set (a zero value removes the entry from the sparse map).</summary>
    public Table WithTce(long entry, ulong value) =>
        this with { Tces = value == 0 ? Tces.Remove(entry) : Tces.SetItem(entry, value) };
}

/// <summary>The whole world. Pages is sparse: a frame absent from it has its base count and a clean dirty bit
/// (STATE-2). Bytes maps absolute physical byte addresses to their non-zero values.</summary>
public sealed record World(
    PlatformConfig Config,
    ImmutableSortedDictionary<long, PageState> Pages,
    ImmutableSortedDictionary<long, byte> Bytes,
    ImmutableSortedDictionary<int, Process> Processes,
    ImmutableSortedDictionary<int, OpenFile> Files,
    int NextFileId,
    ImmutableSortedDictionary<int, Container> Containers,
    int NextContainerId,
    ImmutableSortedDictionary<int, Group> Groups,
    ImmutableSortedDictionary<int, Table> Tables)
{
    /// <summary>STATE-2: whether a pfn names a user-allocatable frame.</summary>
    public bool IsFrame(long pfn) => pfn >= 0 && pfn < Config.PhysicalPages;

    /// <summary>STATE-2: a frame's count and dirty bit (base count and clean when never touched).</summary>
    public PageState Page(long pfn) =>
        Pages.TryGetValue(pfn, out var p) ? p : new PageState(Memory.BaseRefCount(pfn), false);

    /// <summary>Whether some address space maps frame <paramref name="pfn"/> (PAGE-1).</summary>
    public bool IsMapped(long pfn)
    {
        foreach (var p in Processes.Values)
            foreach (var up in p.Mm.Vm.Values)
                if (up.Pfn == pfn) return true;
        return false;
    }

    /// <summary>PAGE-1: a frame nobody pins, no address space maps and the host does not hold.</summary>
    public bool IsFree(long pfn)
    {
        var page = Page(pfn);
        return page.RefCount == Memory.BaseRefCount(pfn) && page.Owner != FrameOwner.Host && !IsMapped(pfn);
    }

    public World WithProcess(Process p) => this with { Processes = Processes.SetItem(p.Pid, p) };

    public World WithGroup(Group g) => this with { Groups = Groups.SetItem(g.Id, g) };

    public World WithContainer(Container c) => this with { Containers = Containers.SetItem(c.Id, c) };

    public World WithoutContainer(int id) => this with { Containers = Containers.Remove(id) };

    public World WithTable(Table t) => this with { Tables = Tables.SetItem(t.GroupId, t) };

    /// <summary>The mm of a pid (every pid in Processes has one, live or exited).</summary>
    public Mm MmOf(int pid) => Processes[pid].Mm;

    public World WithMm(int pid, Mm mm) => WithProcess(Processes[pid] with { Mm = mm });
}
