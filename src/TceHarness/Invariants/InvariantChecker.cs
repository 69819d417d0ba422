using TceVerify.Contract;
using TceVerify.Harness.Observation;

namespace TceVerify.Harness.Invariants;

/// <summary>
/// Checks the invariants of spec/invariants.md on observations. State invariants look at one observation;
/// transition invariants (INV-5, INV-6) compare the observations before and after one call.
/// </summary>
public static class InvariantChecker
{
    /// <summary>The charge of a container whose table is group <paramref name="g"/>'s: npages(tbl) = it_size (EN-5).</summary>
    public static long Charge(PlatformConfig config, int g) => config.FindGroup(g)!.ItSize;

    /// <summary>All state invariants. <paramref name="quiescent"/>: no call in progress (INV-9 applies).
    /// <paramref name="hostWroteStale"/>: the history holds HOST-6 stale writes, so a host-owned window may hold any
    /// value; without them it may hold only what the host allocator writes, so a user pin left behind at a
    /// hand-back shows as INV-1.</summary>
    public static List<Violation> CheckState(PlatformConfig config, Observed o, bool quiescent = true, bool hostWroteStale = true) =>
        CheckState(config, o, DeviceState.None, quiescent, hostWroteStale);

    /// <summary>All state invariants, the device's too: INV-12 always, INV-13 when <paramref name="quiescent"/>, on what
    /// the hardware holds beyond the snapshot (<paramref name="device"/>: the translation caches and the DMA breaches).</summary>
    public static List<Violation> CheckState(PlatformConfig config, Observed o, DeviceState device, bool quiescent = true, bool hostWroteStale = true)
    {
        var v = new List<Violation>();
        Isolation(config, o, v, hostWroteStale);
        WindowConfinement(config, o, v);
        PinBalance(config, o, v);
        Accounting(config, o, v);
        CoreConsistency(config, o, v);
        DmaIsolation(config, o, device, v);
        if (quiescent)
        {
            Flushed(o, v);
            CacheCoherence(o, device, v);
        }
        return v;
    }

    /// <summary>
    /// INV-12 DMA temporal isolation (SEC, at every instant). (a) For each user frame p, the entries of container-owned
    /// tables through which the device can reach p — the translation the table's cache holds for the entry (DEV-2), else
    /// the entry's in-use TCE — are at most pins(p) = count - BaseRefCount(p) (STATE-2): every translation the device can
    /// use points into a frame pinned for the container's user. (b) Every DMA the hardware saw break it (a DMA through a
    /// container-owned table into a free, host-held or reused frame, or into host memory) is a violation.
    /// </summary>
    public static void DmaIsolation(PlatformConfig config, Observed o, DeviceState device, List<Violation> v)
    {
        var cached = new Dictionary<(int Group, long Entry), ulong>();
        foreach (var c in device.Cached) cached[(c.Group, c.Entry)] = c.Tce;
        var reach = new Dictionary<long, List<string>>();
        foreach (var (g, t) in o.Tables)
        {
            if (t.Owner is null) continue;                                       // INV-12(a): container-owned tables only
            var entries = new SortedSet<long>(t.Tces.Keys);
            foreach (var (cg, e) in cached.Keys) if (cg == g) entries.Add(e);
            foreach (var e in entries)
            {
                bool isCached = cached.TryGetValue((g, e), out var tce);         // DEV-2: the cache first
                if (!isCached) tce = t.Tces.GetValueOrDefault(e);
                if (!Abi.InUse(tce)) continue;
                long pfn = Frame(config, tce);
                if (pfn < 0 || pfn >= config.PhysicalPages) continue;            // host memory: INV-1's business
                if (!reach.TryGetValue(pfn, out var via)) reach[pfn] = via = new List<string>();
                via.Add($"table {g} entry 0x{e:x}{(isCached ? " (cached)" : "")}");
            }
        }
        foreach (var (pfn, via) in reach)
        {
            long pins = o.Pages.TryGetValue(pfn, out var page) ? page.Ref - Memory.BaseRefCount(pfn) : 0;
            if (via.Count > pins)
                v.Add(new("INV-12", $"frame 0x{pfn:x} is reachable by the device through {via.Count} translation(s) ({string.Join(", ", via.Take(4))}) but holds {pins} pin(s)"));
        }
        foreach (var breach in device.Breaches) v.Add(new("INV-12", breach.ToString()));   // INV-12(b)
    }

    /// <summary>INV-13 No DMA after unmap (SEC), between calls: every translation a table's cache holds equals its entry's
    /// current TCE (TBL-8/DEV-3: the flush that ends every clearing call empties the cache), so no cleared entry stays
    /// usable.</summary>
    public static void CacheCoherence(Observed o, DeviceState device, List<Violation> v)
    {
        foreach (var c in device.Cached)
        {
            ulong now = o.Tables.TryGetValue(c.Group, out var t) ? t.Tces.GetValueOrDefault(c.Entry) : 0;
            if (now != c.Tce)
                v.Add(new("INV-13", $"table {c.Group}'s cache holds entry 0x{c.Entry:x} = 0x{c.Tce:x}, the entry now holds 0x{now:x}"));
        }
    }

    /// <summary>INV-1: in a container-owned table every in-use window TCE points into a user frame; in a host-owned
    /// one (unless stale values were written) every in-use window TCE is the host allocator's.</summary>
    public static void Isolation(PlatformConfig config, Observed o, List<Violation> v, bool hostWroteStale = true)
    {
        foreach (var (g, t) in o.Tables)
        {
            var gc = config.FindGroup(g)!;
            if (t.Owner is null)
            {
                if (hostWroteStale) continue;
                foreach (var (e, tce) in t.Tces)
                    if (e >= gc.ItOffset && e < gc.ItOffset + gc.ItSize && Abi.InUse(tce) && tce != Memory.HostTce(e))
                        v.Add(new("INV-1", $"host-owned table {g} entry {e:x} = {tce:x} is not a host mapping"));
                continue;
            }
            foreach (var (e, tce) in t.Tces)
            {
                if (e < gc.ItOffset || e >= gc.ItOffset + gc.ItSize || !Abi.InUse(tce)) continue;
                long pfn = Frame(config, tce);
                if (pfn < 0 || pfn >= config.PhysicalPages)
                    v.Add(new("INV-1", $"table {g} (owned by container {t.Owner}) entry {e:x} = {tce:x} points outside user memory"));
            }
        }
    }

    /// <summary>INV-2: guard entries hold their boot values; it_map has no bit outside the window.</summary>
    public static void WindowConfinement(PlatformConfig config, Observed o, List<Violation> v)
    {
        foreach (var (g, t) in o.Tables)
        {
            var gc = config.FindGroup(g)!;
            long start = Memory.StorageStart(gc), end = Memory.StorageEnd(gc), wEnd = gc.ItOffset + gc.ItSize;
            for (long e = start; e < gc.ItOffset; e++)
                if (!t.Tces.TryGetValue(e, out var val) || val != Memory.HostTce(e))
                    v.Add(new("INV-2", $"table {g} lower guard entry {e:x} changed"));
            for (long e = wEnd; e < end; e++)
                if (t.Tces.TryGetValue(e, out var val) && val != 0)
                    v.Add(new("INV-2", $"table {g} upper guard entry {e:x} = {val:x}"));
            foreach (var e in t.Tces.Keys)
                if (e < start || e >= end) v.Add(new("INV-2", $"table {g} entry {e:x} outside the storage"));
            foreach (var (f, l) in t.ItMap)
                if (f < gc.ItOffset || l >= wEnd) v.Add(new("INV-2", $"table {g} it_map bits {f:x}-{l:x} outside the window"));
        }
    }

    /// <summary>INV-3: refcount = base + in-use TCEs of container-owned tables pointing into the frame.</summary>
    public static void PinBalance(PlatformConfig config, Observed o, List<Violation> v)
    {
        var pins = new Dictionary<long, long>();
        foreach (var (_, t) in o.Tables)
        {
            if (t.Owner is null) continue;
            foreach (var (_, tce) in t.Tces)
            {
                if (!Abi.InUse(tce)) continue;
                long pfn = Frame(config, tce);
                if (pfn >= 0 && pfn < config.PhysicalPages) pins[pfn] = pins.GetValueOrDefault(pfn) + 1;
            }
        }
        foreach (var (pfn, (refs, _)) in o.Pages)
        {
            long expected = Memory.BaseRefCount(pfn) + pins.GetValueOrDefault(pfn);
            if (refs != expected)
                v.Add(new("INV-3", $"frame {pfn:x} count {refs}, expected base {Memory.BaseRefCount(pfn)} + {pins.GetValueOrDefault(pfn)} pins"));
        }
    }

    /// <summary>INV-4 (a) locked_vm = charges held; (b) mapped implies enabled and covered; (c) no fds implies no charge.</summary>
    public static void Accounting(PlatformConfig config, Observed o, List<Violation> v)
    {
        var charged = new Dictionary<int, long>();
        foreach (var (id, c) in o.Containers)
        {
            if (c.Payer is { } payer && c.Tbl is { } g) charged[payer] = charged.GetValueOrDefault(payer) + Charge(config, g);
            if (c.Tbl is not { } tg || !o.Tables.TryGetValue(tg, out var t)) continue;
            var gc = config.FindGroup(tg)!;
            var frames = new HashSet<long>();
            foreach (var (e, tce) in t.Tces)
                if (e >= gc.ItOffset && e < gc.ItOffset + gc.ItSize && Abi.InUse(tce)) frames.Add(Frame(config, tce));
            if (frames.Count > 0 && !c.Enabled)
                v.Add(new("INV-4", $"container {id} is not enabled but its table pins {frames.Count} frame(s)"));
            if (frames.Count > Charge(config, tg))
                v.Add(new("INV-4", $"container {id} pins {frames.Count} frames, charge {Charge(config, tg)}"));
        }
        bool anyFd = o.Processes.Values.Any(p => p.Fds.Count > 0);
        foreach (var (pid, p) in o.Processes)
        {
            long expected = charged.GetValueOrDefault(pid);
            if (p.LockedVm != expected)
                v.Add(new("INV-4", $"pid {pid} locked_vm {p.LockedVm}, charges held on it {expected}"));
            if (!anyFd && p.LockedVm != 0)
                v.Add(new("INV-4", $"no fd is open but pid {pid} locked_vm is {p.LockedVm}"));
        }
    }

    /// <summary>INV-7: group/container/table/fd cross-references and counts agree.</summary>
    public static void CoreConsistency(PlatformConfig config, Observed o, List<Violation> v)
    {
        var containerFiles = new HashSet<int>();
        var groupFiles = new HashSet<int>();
        foreach (var (pid, p) in o.Processes)
            foreach (var (fd, (kind, id, _)) in p.Fds)
            {
                if (kind == "container")
                {
                    containerFiles.Add(id);
                    if (!o.Containers.ContainsKey(id)) v.Add(new("INV-7", $"pid {pid} fd {fd} refers to freed container {id}"));
                }
                else if (kind == "group") groupFiles.Add(id);
            }
        foreach (var (gid, g) in o.Groups)
        {
            long opens = g.DeviceOpens.Values.Sum();
            if (g.Opened != groupFiles.Contains(gid))
                v.Add(new("INV-7", $"group {gid} opened={g.Opened} but a group file is {(groupFiles.Contains(gid) ? "" : "not ")}open"));
            if (g.Container is not { } cid)
            {
                if (g.Users != 0 || opens != 0) v.Add(new("INV-7", $"group {gid} has no container but users={g.Users}, device opens={opens}"));
                continue;
            }
            if (!o.Containers.TryGetValue(cid, out var c)) { v.Add(new("INV-7", $"group {gid} refers to freed container {cid}")); continue; }
            if (!c.Groups.Contains(gid)) v.Add(new("INV-7", $"group {gid} says container {cid}, which does not list it"));
            long expectedUsers = (g.Opened ? 1 : 0) + opens;
            if (g.Users != expectedUsers || g.Users < 1)
                v.Add(new("INV-7", $"group {gid} users={g.Users}, expected opened + device opens = {expectedUsers}"));
        }
        foreach (var (cid, c) in o.Containers)
        {
            foreach (var gid in c.Groups)
                if (!o.Groups.TryGetValue(gid, out var g) || g.Container != cid)
                    v.Add(new("INV-7", $"container {cid} lists group {gid}, whose container is not {cid}"));
            if (c.Groups.Distinct().Count() != c.Groups.Count) v.Add(new("INV-7", $"container {cid} lists a group twice"));
            int expectedRefs = (containerFiles.Contains(cid) ? 1 : 0) + c.Groups.Count;
            if (c.Refs != expectedRefs || c.Refs < 1)
                v.Add(new("INV-7", $"container {cid} refs={c.Refs}, expected file + groups = {expectedRefs}"));
            if (c.Driver && c.Groups.Count == 0) v.Add(new("INV-7", $"container {cid} has a driver and no group"));
            if (!c.Driver && (c.Tbl is not null || c.Enabled || c.Payer is not null))
                v.Add(new("INV-7", $"container {cid} has driver data but no driver"));
            if (c.Enabled && (c.Tbl is null || c.Payer is null)) v.Add(new("INV-7", $"container {cid} enabled without table or payer"));
            if (c.Tbl is { } tg)
            {
                if (!c.Groups.Contains(tg)) v.Add(new("INV-7", $"container {cid} tbl {tg} is not one of its groups"));
                if (!o.Tables.TryGetValue(tg, out var t) || t.Owner != cid) v.Add(new("INV-7", $"container {cid} tbl {tg} is not owned by it"));
            }
        }
        foreach (var (gid, t) in o.Tables)
            if (t.Owner is { } owner && (!o.Containers.TryGetValue(owner, out var c) || c.Tbl != gid))
                v.Add(new("INV-7", $"table {gid} owned by container {owner}, whose tbl is not {gid}"));
    }

    /// <summary>INV-9: no table has an unflushed change.</summary>
    public static void Flushed(Observed o, List<Violation> v)
    {
        foreach (var (g, t) in o.Tables)
            if (t.FlushPending) v.Add(new("INV-9", $"table {g} has an unflushed change"));
    }

    /// <summary>INV-6: at a hand-over of a table (host -> container or back), its window is clean.</summary>
    public static void CheckHandOver(PlatformConfig config, Observed before, Observed after, List<Violation> v)
    {
        foreach (var (g, t) in after.Tables)
        {
            var was = before.Tables[g].Owner;
            if (was == t.Owner) continue;
            var gc = config.FindGroup(g)!;
            foreach (var (e, tce) in t.Tces)
                if (e >= gc.ItOffset && e < gc.ItOffset + gc.ItSize && tce != 0)
                    v.Add(new("INV-6", $"table {g} changed owner ({Owner(was)} -> {Owner(t.Owner)}) with entry {e:x} = {tce:x}"));
            if (t.Owner is not null && t.ItMapCount() != gc.ItSize)
                v.Add(new("INV-6", $"table {g} taken over with it_map not full"));
            if (t.Owner is null)
            {
                bool reserved = gc.ItOffset == 0;
                if (t.ItMapCount() != (reserved ? 1 : 0) || (reserved && !t.ItMapHas(0)))
                    v.Add(new("INV-6", $"table {g} handed back with it_map {Ranges(t)} (expected {(reserved ? "[0]" : "[]")})"));
            }
        }
    }

    /// <summary>INV-5 on parsed observations (see <see cref="FailureAtomicity"/>).</summary>
    public static void CheckFailureAtomicity(Observed before, Observed after, FailureAllowance allow, List<Violation> v) =>
        v.AddRange(FailureAtomicity.Check(before, after, allow));

    /// <summary>The user frame a TCE points into (may be out of range for host or garbage values).</summary>
    public static long Frame(PlatformConfig config, ulong tce)
    {
        ulong addr = tce & Abi.IommuPageMask;
        ulong pfn = addr >> config.PageShift;
        return pfn > long.MaxValue ? -1 : (long)pfn;
    }

    static string Owner(int? o) => o is { } c ? $"container {c}" : "host";
    static string Ranges(Observed.TableObs t) => "[" + string.Join(',', t.ItMap.Select(r => $"{r.First:x}-{r.Last:x}")) + "]";
}

/// <summary>What INV-5 lets a failed call change, by the kind of call.</summary>
public readonly record struct FailureAllowance(bool UserMemory, bool DirtyBits, bool InjectCountdown)
{
    public static readonly FailureAllowance None = default;
}
