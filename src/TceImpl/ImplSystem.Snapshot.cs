using TceVerify.Contract;
using TceVerify.Impl.Vfio;
using TceVerify.Impl.Mm;

namespace TceVerify.Impl;

/// <summary>STATE-10: the observable state rendered through <see cref="SnapshotBuilder"/>.</summary>
public sealed partial class ImplSystem
{
    /// <summary>
    /// Every frame (count, dirty bit, non-zero 16-byte chunks); every process, exited ones too, with its mm, its
    /// mappings and its fds; every live container; every group with every device's open count; every table with
    /// owner, flush_pending, countdown, it_map ranges and every non-zero storage TCE. Reads raw state: call it
    /// when no call is in progress.
    /// </summary>
    public Snapshot Snapshot()
    {
        var b = new SnapshotBuilder();
        var mem = _ctx.Memory;

        // STATE-2: frames
        for (long pfn = 0; pfn < mem.Frames; pfn++)
        {
            b.Page(pfn, mem.RefCount(pfn), mem.IsDirty(pfn));
            if (mem.Generation(pfn) is var gen and > 0) b.Frame(pfn, gen, mem.Owner(pfn)); // PAGE-2
            var bytes = mem.Page(pfn);
            if (bytes is null) continue;
            for (int off = 0; off < bytes.Length; off += 16)
            {
                var chunk = bytes.AsSpan(off, 16);
                if (chunk.IndexOfAnyExcept((byte)0) >= 0) b.Memory16(pfn, off, chunk);
            }
        }

        // STATE-3, STATE-4: processes and their fds
        foreach (var p in _tasks.AllForDump())
        {
            b.Process(p.Pid, p.ExitedForDump, p.Mm.LockedVm);
            foreach (var (vpage, v) in p.Mm.MappingsForDump()) b.UserPage(p.Pid, vpage, MmStruct.FrameOf(v), (v & 1) != 0);
            foreach (var (fd, file) in p.Files.EntriesForDump())
            {
                switch (file)
                {
                    case ContainerFile cf:
                        b.FdContainer(p.Pid, fd, cf.Container.Id);
                        break;
                    case GroupFile gf:
                        b.FdGroup(p.Pid, fd, gf.Group.Id);
                        break;
                    case DeviceFile df:
                        b.FdDevice(p.Pid, fd, df.Group.Id, df.Device.Name);
                        break;
                }
            }
        }

        // STATE-7, STATE-5: groups and their tables
        foreach (var g in _groups)
        {
            b.Group(g.Id, g.Opened.Read() != 0, g.Container?.Id, (int)g.ContainerUsers.Read());
            foreach (var d in g.Devices) b.DeviceOpens(g.Id, d.Name, (int)d.Opens.Read());

            var t = g.Table;
            int owner = t.OwnerForDump;
            b.Table(g.Id, owner == 0 ? null : owner, t.FlushPendingForDump, t.CountdownForDump, t.ItMapRangesForDump());
            foreach (var (entry, value) in t.NonZeroTcesForDump()) b.Tce(g.Id, entry, value);
        }

        // STATE-6: every live container (a count of 0 means freed, CORE-8)
        foreach (var c in _core.ContainersForDump)
        {
            if (c.Refs.Read() <= 0) continue;
            var data = c.Data;
            var groupIds = new List<int>(c.Groups.Count);
            foreach (var g in c.Groups) groupIds.Add(g.Id);
            b.Container(c.Id, (int)c.Refs.Read(), groupIds, c.Driver is not null,
                data?.Tbl?.GroupId, data?.Enabled ?? false, data?.Payer?.Pid);
        }

        return b.Build();
    }
}
