using TceVerify.Contract;

namespace TceVerify.TestKit;

/// <summary>
/// The state invariants of spec/invariants.md that can be judged from one snapshot (between calls):
/// INV-1, INV-2, INV-3, INV-4 (a, b, c), the table half of INV-6, INV-7 and INV-9.
/// <see cref="Check"/> returns one line per violation, each starting with the clause id; empty means all hold.
/// </summary>
public static class InvariantChecker
{
    /// <param name="hostWroteStale">Set when the history contains HOST-6 stale writes of arbitrary values: host-owned
    /// tables may then hold any in-use TCE. Otherwise a host-owned window may only hold HostTce(entry) (what the host
    /// allocator writes), so a user pin left behind at hand-back shows as an INV-1 (INV-6) violation.
    /// INV-3 counts only container-owned tables either way.</param>
    public static List<string> Check(PlatformConfig cfg, Observed o, bool hostWroteStale = false)
    {
        var v = new List<string>();
        int shift = cfg.PageShift;

        if (o.Unparsed.Count > 0) v.Add($"STATE-10 unparsed snapshot lines: {string.Join(" | ", o.Unparsed.Take(3))}");

        var pins = new Dictionary<long, long>();
        foreach (var g in cfg.Groups)
        {
            if (!o.Tables.TryGetValue(g.Id, out var t)) { v.Add($"STATE-5 table {g.Id} missing"); continue; }
            long lo = g.ItOffset, hi = g.ItOffset + g.ItSize;

            // INV-9
            if (t.FlushPending) v.Add($"INV-9 table {g.Id} flush_pending=1");

            // INV-2: guard band at boot values, no TCE outside the storage, no it_map bit outside the window
            for (long e = Memory.StorageStart(g); e < lo; e++)
                if (o.Tce(g.Id, e) != Memory.HostTce(e)) v.Add($"INV-2 table {g.Id} guard entry 0x{e:x} = 0x{o.Tce(g.Id, e):x}");
            for (long e = hi; e < Memory.StorageEnd(g); e++)
                if (o.Tce(g.Id, e) != 0) v.Add($"INV-2 table {g.Id} guard entry 0x{e:x} = 0x{o.Tce(g.Id, e):x}");
            foreach (var (e, val) in o.TcesOf(g.Id))
                if (e < Memory.StorageStart(g) || e >= Memory.StorageEnd(g)) v.Add($"INV-2 table {g.Id} entry 0x{e:x} outside the storage = 0x{val:x}");
            foreach (var (first, last) in t.ItMapRanges)
                if (first < lo || last >= hi) v.Add($"INV-2 table {g.Id} it_map bits {first:x}-{last:x} outside the window");

            // INV-6 (table half): a container-owned table has every window bit set
            if (t.Owner is not null && t.BitCount != g.ItSize) v.Add($"INV-6 table {g.Id} owned by container {t.Owner} has it_map=[{t.ItMap}]");

            var frames = new HashSet<long>();
            foreach (var (e, val) in o.TcesOf(g.Id))
            {
                if (!Abi.InUse(val)) continue;
                bool inWindow = e >= lo && e < hi;
                bool user = val < Memory.HostDmaBase;
                long pfn = (long)((val & Abi.IommuPageMask) >> shift);
                if (t.Owner is not null)
                {
                    // INV-1: a container's in-use window TCE points into a user frame
                    if (inWindow && (!user || pfn >= cfg.PhysicalPages))
                        v.Add($"INV-1 table {g.Id} (container {t.Owner}) entry 0x{e:x} = 0x{val:x} is not a user frame");
                    if (inWindow && user && pfn < cfg.PhysicalPages) frames.Add(pfn);
                    // INV-3 counts the in-use TCEs of the whole storage of container-owned tables
                    if (user && pfn < cfg.PhysicalPages) pins[pfn] = pins.GetValueOrDefault(pfn) + 1;
                }
                else if (inWindow && !hostWroteStale && val != Memory.HostTce(e))
                    v.Add($"INV-1 table {g.Id} (host) entry 0x{e:x} = 0x{val:x}: only the host's own TCEs can be there when no stale value was written");
            }

            // INV-4 (b)
            if (t.Owner is { } owner && frames.Count > 0)
            {
                if (!o.Containers.TryGetValue(owner, out var c) || !c.Enabled)
                    v.Add($"INV-4 table {g.Id} holds in-use TCEs but container {owner} is not enabled");
                if (frames.Count > g.ItSize) v.Add($"INV-4 table {g.Id} points into {frames.Count} frames > charge {g.ItSize}");
            }
        }

        // INV-3
        for (long p = 0; p < cfg.PhysicalPages; p++)
        {
            if (!o.Pages.TryGetValue(p, out var page)) { v.Add($"STATE-2 page {p:x} missing"); continue; }
            long expect = Memory.BaseRefCount(p) + pins.GetValueOrDefault(p);
            if (page.Ref != expect) v.Add($"INV-3 page {p:x} ref={page.Ref}, expected {expect} (base {Memory.BaseRefCount(p)} + {pins.GetValueOrDefault(p)} TCEs)");
        }

        // INV-4 (a), (c)
        foreach (var (pid, proc) in o.Procs)
        {
            long charge = 0;
            foreach (var c in o.Containers.Values)
                if (c.Payer == pid && c.Tbl is { } tg && cfg.FindGroup(tg) is { } gc) charge += gc.ItSize;
            if (proc.LockedVm != charge) v.Add($"INV-4 proc {pid} locked_vm={proc.LockedVm}, payer charges sum to {charge}");
            if (o.Fds.Count == 0 && proc.LockedVm != 0) v.Add($"INV-4 no fd open but proc {pid} locked_vm={proc.LockedVm}");
        }

        // INV-7
        foreach (var (id, grp) in o.Groups)
        {
            var gc = cfg.FindGroup(id);
            int deviceOpens = gc is null ? 0 : gc.Devices.Sum(d => o.Opens(id, d));
            bool groupFile = o.Fds.Values.Any(f => f.Kind == "group" && f.Id == id);
            if (grp.Opened != groupFile) v.Add($"INV-7 group {id} opened={grp.Opened} but a group fd {(groupFile ? "exists" : "does not exist")}");
            if (gc is not null)
                foreach (var d in gc.Devices)
                {
                    bool deviceFile = o.Fds.Values.Any(f => f.Kind == "device" && f.Id == id && f.Device == d);
                    if ((o.Opens(id, d) > 0) != deviceFile) v.Add($"INV-7 group {id} device {d} opens={o.Opens(id, d)} but a device fd {(deviceFile ? "exists" : "does not exist")}");
                }
            if (grp.Container is null)
            {
                if (grp.Users != 0 || deviceOpens != 0) v.Add($"INV-7 group {id} has no container but users={grp.Users}, device opens={deviceOpens}");
            }
            else
            {
                int expect = (grp.Opened ? 1 : 0) + deviceOpens;
                if (grp.Users != expect || expect < 1) v.Add($"INV-7 group {id} users={grp.Users}, expected opened + device opens = {expect} >= 1");
                if (!o.Containers.TryGetValue(grp.Container.Value, out var c)) v.Add($"INV-7 group {id} refers to freed container {grp.Container}");
                else if (!c.Groups.Contains(id)) v.Add($"INV-7 group {id} has container {c.Id} but is not in its list [{c.GroupList}]");
            }
        }
        foreach (var (id, c) in o.Containers)
        {
            foreach (var g in c.Groups)
                if (!o.Groups.TryGetValue(g, out var grp) || grp.Container != id) v.Add($"INV-7 container {id} lists group {g} whose container is not {id}");
            if (c.Groups.Distinct().Count() != c.Groups.Count) v.Add($"INV-7 container {id} lists a group twice: [{c.GroupList}]");
            int file = o.Fds.Values.Any(f => f.Kind == "container" && f.Id == id) ? 1 : 0;
            if (c.Refs != file + c.Groups.Count || c.Refs < 1) v.Add($"INV-7 container {id} refs={c.Refs}, expected file {file} + groups {c.Groups.Count} >= 1");
            if (c.DriverSet && c.Groups.Count == 0) v.Add($"INV-7 container {id} has a driver but no group");
            if (!c.DriverSet && (c.Tbl is not null || c.Enabled || c.Payer is not null)) v.Add($"INV-7 container {id} has no driver but driver data");
            if (c.Enabled && (c.Tbl is null || c.Payer is null)) v.Add($"INV-7 container {id} enabled without tbl or payer");
            if (!c.Enabled && c.Payer is not null) v.Add($"INV-4 container {id} not enabled but has payer {c.Payer}");
            if (c.Tbl is { } tg)
            {
                if (!o.Tables.TryGetValue(tg, out var t) || t.Owner != id) v.Add($"INV-7 container {id} tbl={tg} but the table's owner is not {id}");
                if (!c.Groups.Contains(tg)) v.Add($"INV-7 container {id} tbl={tg} but group {tg} not in its list");
            }
        }
        foreach (var (g, t) in o.Tables)
            if (t.Owner is { } owner && (!o.Containers.TryGetValue(owner, out var c) || c.Tbl != g))
                v.Add($"INV-7 table {g} owned by container {owner} whose tbl is not {g} (or which is freed)");
        foreach (var ((pid, fd), f) in o.Fds)
            if (f.Kind == "container" && !o.Containers.ContainsKey(f.Id)) v.Add($"INV-7 proc {pid} fd {fd} refers to freed container {f.Id}");

        return v;
    }
}
