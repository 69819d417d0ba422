using TceVerify.Contract;

namespace TceVerify.Model;

/// <summary>STATE-10: renders every observable field of a world through the shared SnapshotBuilder.</summary>
public static class SnapshotRenderer
{
    public static Snapshot Render(World w)
    {
        var b = new SnapshotBuilder();

        // STATE-2: every frame's count and dirty bit.
        for (long pfn = 0; pfn < w.Config.PhysicalPages; pfn++)
        {
            var page = w.Page(pfn);
            b.Page(pfn, page.RefCount, page.Dirty);
            if (page.Generation > 0) b.Frame(pfn, page.Generation, page.Owner);       // PAGE-2
        }

        // STATE-2: the non-zero bytes, as 16-byte aligned chunks (a chunk never straddles a page).
        long chunkStart = -1;
        var chunk = new byte[16];
        foreach (var (addr, value) in w.Bytes)
        {
            long start = addr & ~15L;
            if (start != chunkStart)
            {
                if (chunkStart >= 0) EmitChunk(b, w, chunkStart, chunk);
                chunkStart = start;
                Array.Clear(chunk);
            }
            chunk[addr - start] = value;
        }
        if (chunkStart >= 0) EmitChunk(b, w, chunkStart, chunk);

        // STATE-3, STATE-4: every process (live or exited), its address space and its fd table.
        foreach (var p in w.Processes.Values)
        {
            b.Process(p.Pid, p.Mm.Exited, p.Mm.LockedVm);
            foreach (var (vpage, up) in p.Mm.Vm)
                b.UserPage(p.Pid, vpage, up.Pfn, up.Writable);
            foreach (var (fd, fileId) in p.Fds)
            {
                switch (w.Files[fileId])
                {
                    case ContainerFile f: b.FdContainer(p.Pid, fd, f.ContainerId); break;
                    case GroupFile f: b.FdGroup(p.Pid, fd, f.GroupId); break;
                    case DeviceFile f: b.FdDevice(p.Pid, fd, f.GroupId, f.Device); break;
                }
            }
        }

        // STATE-6: every container alive.
        foreach (var c in w.Containers.Values)
            b.Container(c.Id, c.Refs, c.Groups, c.Driver is not null, c.Driver?.Tbl, c.Driver?.Enabled ?? false,
                c.Driver?.Payer);

        // STATE-7: every group and every device's open count.
        foreach (var g in w.Groups.Values)
        {
            b.Group(g.Id, g.Opened, g.Container, g.ContainerUsers);
            foreach (var (device, opens) in g.DeviceOpens)
                b.DeviceOpens(g.Id, device, opens);
        }

        // STATE-5: every table's owner, flush_pending, countdown, it_map and every non-zero storage TCE.
        foreach (var t in w.Tables.Values)
        {
            b.Table(t.GroupId, t.Owner, t.FlushPending, t.Countdown, SnapshotBuilder.Ranges(t.ItMap));
            foreach (var (entry, value) in t.Tces)
                b.Tce(t.GroupId, entry, value);
        }

        return b.Build();
    }

    static void EmitChunk(SnapshotBuilder b, World w, long start, byte[] chunk)
    {
        long pfn = start >> w.Config.PageShift;
        long offset = start & ((long)w.Config.PageSize - 1);
        b.Memory16(pfn, offset, chunk);
    }
}
