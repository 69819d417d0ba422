using System.Collections.Immutable;

namespace TceVerify.Contract;

/// <summary>
/// The fixed shape of one simulated machine (STATE-1): system page size, physical pages,
/// IOMMU groups with their tables, and the processes that exist at boot.
/// </summary>
public sealed record PlatformConfig(
    int PageShift,
    long PhysicalPages,
    ImmutableArray<GroupConfig> Groups,
    ImmutableArray<ProcessConfig> Processes)
{
    public ulong PageSize => 1UL << PageShift;

    /// <summary>IOMMU (4 KiB) pages per system page: 1 or 16 (STATE-2).</summary>
    public int IommuPagesPerPage => 1 << (PageShift - Abi.IommuPageShift);

    public GroupConfig? FindGroup(int id)
    {
        foreach (var g in Groups)
            if (g.Id == id) return g;
        return null;
    }

    /// <summary>Checks the platform preconditions of STATE-1; returns an error text or null.</summary>
    public string? Validate()
    {
        if (PageShift != 12 && PageShift != 16) return "PageShift must be 12 or 16";
        if (PhysicalPages <= 0 || PhysicalPages > Memory.MaxPhysicalPages) return "PhysicalPages out of range";
        var ids = new HashSet<int>();
        foreach (var g in Groups)
        {
            if (!ids.Add(g.Id)) return $"duplicate group {g.Id}";
            if (g.ItSize <= 0 || g.ItOffset < 0) return $"group {g.Id}: empty window";
            // STATE-1: INFO-1 reports start and size in u32 fields, so the window ends below 4 GiB.
            if ((g.ItOffset + g.ItSize) << Abi.IommuPageShift > uint.MaxValue) return $"group {g.Id}: window reaches 4 GiB";
            if (g.Pools <= 0) return $"group {g.Id}: no pools";
        }
        var pids = new HashSet<int>();
        foreach (var p in Processes)
        {
            if (p.Pid <= 0 || !pids.Add(p.Pid)) return $"bad pid {p.Pid}";
            foreach (var m in p.Mappings)
                if (m.Pfn < 0 || m.Pfn >= PhysicalPages) return $"pid {p.Pid}: pfn {m.Pfn} out of range";
        }
        return null;
    }

    /// <summary>
    /// The standard small machine used by unit, property and concurrency tests:
    /// group 1 has a window at entry 0 (so bit 0 is reserved, TBL-1), group 2 a window at a non-zero offset;
    /// two processes share one page, each has a read-only page and an unmapped hole.
    /// </summary>
    public static PlatformConfig Small(int pageShift = 12, long window1 = 64, long window2 = 32) => new(
        pageShift,
        PhysicalPages: 24,
        Groups:
        [
            new GroupConfig(1, ItOffset: 0, ItSize: window1, Pools: 4, Viable: true, Devices: ["0000:01:00.0"]),
            new GroupConfig(2, ItOffset: 0x800, ItSize: window2, Pools: 2, Viable: true, Devices: ["0000:02:00.0", "0000:02:00.1"]),
        ],
        Processes:
        [
            new ProcessConfig(1, RlimitMemlock: 64UL << 20, CapIpcLock: false, Mappings: Linear(0x10, 0, 8, readOnlyIndex: 6)),
            new ProcessConfig(2, RlimitMemlock: 0, CapIpcLock: false, Mappings: Linear(0x10, 7, 8, readOnlyIndex: 6)),
        ]);

    /// <summary>
    /// The wide machine (issue 11): <see cref="Small"/>'s processes and memory with windows of hundreds of entries
    /// whose pools do not align with 64-entry words: group 1 has 200 entries at 0 in 3 pools of 67, group 2 has 300
    /// entries at 0x829 (not a multiple of 64) in 4 pools of 75. So a clear spans several bitmap words, a pool spans
    /// two, a host allocation crosses them, and a pool boundary falls inside a word.
    /// </summary>
    public static PlatformConfig Wide(int pageShift = 12) => Small(pageShift) with
    {
        Groups =
        [
            new GroupConfig(1, ItOffset: 0, ItSize: 200, Pools: 3, Viable: true, Devices: ["0000:01:00.0"]),
            new GroupConfig(2, ItOffset: 0x829, ItSize: 300, Pools: 4, Viable: true, Devices: ["0000:02:00.0", "0000:02:00.1"]),
        ],
    };

    /// <summary>Maps <paramref name="count"/> pages at vpage <paramref name="firstVpage"/>, leaving a hole after the
    /// read-only page so a struct can straddle an unmapped page.</summary>
    public static ImmutableArray<UserMapping> Linear(ulong firstVpage, long firstPfn, int count, int readOnlyIndex)
    {
        var b = ImmutableArray.CreateBuilder<UserMapping>();
        for (int i = 0; i < count; i++)
            b.Add(new UserMapping(firstVpage + (ulong)i, firstPfn + i, Writable: i != readOnlyIndex));
        return b.ToImmutable();
    }
}

/// <summary>An IOMMU group and its TCE table window [ItOffset, ItOffset + ItSize) in 4 KiB entries.</summary>
public sealed record GroupConfig(int Id, long ItOffset, long ItSize, int Pools, bool Viable, ImmutableArray<string> Devices);

/// <summary>A boot-time process: its mm limits and its user address space.</summary>
public sealed record ProcessConfig(int Pid, ulong RlimitMemlock, bool CapIpcLock, ImmutableArray<UserMapping> Mappings);

/// <summary>One system page of a user address space: virtual page number -> physical frame.</summary>
public readonly record struct UserMapping(ulong Vpage, long Pfn, bool Writable);

/// <summary>Fixed facts of host memory (STATE-2, STATE-5).</summary>
public static class Memory
{
    public const long MaxPhysicalPages = 1L << 24;

    /// <summary>Guard entries the platform keeps on each side of a window (TBL-2): host-owned TCEs that
    /// stand for the memory next to the window; no driver operation may change them.</summary>
    public const long GuardEntries = 4;

    /// <summary>Bus-visible host kernel memory used by the host DMA allocator; never user memory.</summary>
    public const ulong HostDmaBase = 1UL << 44;

    /// <summary>DEV-1: the longest DMA, in bytes.</summary>
    public const int DmaMaxBytes = 65536;

    /// <summary>PAGE-3: the byte the host writes over the first <see cref="HostReuseBytes"/> bytes of a frame it reuses.</summary>
    public const byte HostReuseByte = 0xA5;
    public const int HostReuseBytes = 16;

    /// <summary>Reference count a physical page has when nothing pins it (STATE-2). Varied on purpose so that an
    /// implementation that resets a count instead of decrementing it is caught.</summary>
    public static int BaseRefCount(long pfn) => 1 + (int)(pfn % 3);

    /// <summary>The TCE a host driver's mapping of entry <paramref name="entry"/> holds (HOST-4).</summary>
    public static ulong HostTce(long entry) => (HostDmaBase + (ulong)entry * Abi.IommuPageSize) | Abi.TcePermMask;

    /// <summary>First entry of the table storage: the window less the guard band below it.</summary>
    public static long StorageStart(GroupConfig g) => Math.Max(0, g.ItOffset - GuardEntries);

    /// <summary>One past the last entry of the table storage.</summary>
    public static long StorageEnd(GroupConfig g) => g.ItOffset + g.ItSize + GuardEntries;

    /// <summary>The pool that guards an entry (TBL-3): windows are split into equal contiguous pools.</summary>
    public static int PoolOf(GroupConfig g, long entry)
    {
        long rel = Math.Clamp(entry - g.ItOffset, 0, g.ItSize - 1);
        long per = (g.ItSize + g.Pools - 1) / g.Pools;
        return (int)(rel / per);
    }
}
