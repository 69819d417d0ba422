using System.Buffers.Binary;
using TceVerify.Contract;
using TceVerify.Harness.Observation;
using TceVerify.Harness.Programs;

namespace TceVerify.Harness.Generation;

/// <summary>
/// The state a call starts from, computed instead of observed. Staging a command's struct (<see cref="Command.Prepare"/>)
/// is a debugger poke (PROC-8): it changes only the bytes of the caller's memory, and only when every byte is mapped.
/// Applying that to the observation taken after the previous command gives the pre-call state without a second
/// snapshot and parse per command (the campaign's hot path). Any disagreement with the real staging shows up in the
/// next differential state comparison.
/// </summary>
public static class Staging
{
    /// <summary>The observation after <paramref name="cmd"/>'s staging, from the observation before it; the same object
    /// when the command stages nothing or the poke would fail.</summary>
    public static Observed Apply(PlatformConfig config, Observed o, Command cmd)
    {
        if (cmd is not IoctlArgCmd a || a.Bytes.Length == 0) return o;
        if (!o.Processes.TryGetValue(a.Pid, out var p) || p.Exited) return o;     // PROC-1: -ESRCH, nothing written
        if (!Translate(config, p, a.Addr, a.Bytes.Length, out var phys)) return o; // PROC-8: -EFAULT, nothing written
        var s = ShallowCopy(o);
        var chunks = new Dictionary<(long, long), byte[]>();
        for (int i = 0; i < a.Bytes.Length; i++)
        {
            var (pfn, off) = phys[i];
            var key = (pfn, off & ~15L);
            if (!chunks.TryGetValue(key, out var chunk))
            {
                chunk = s.Memory.TryGetValue(key, out var hex) ? Convert.FromHexString(hex) : new byte[16];
                chunks[key] = chunk;
            }
            chunk[off & 15] = a.Bytes[i];
        }
        foreach (var (key, chunk) in chunks)
        {
            if (chunk.AsSpan().IndexOfAnyExcept((byte)0) < 0) s.Memory.Remove(key);
            else s.Memory[key] = Convert.ToHexString(chunk);
        }
        return s;
    }

    /// <summary>ABI-5 / PROC-8 address translation: the (pfn, offset in page) of each byte of [addr, addr + n) in the
    /// process's address space, or false when a byte is unmapped or the range wraps 2^64.</summary>
    public static bool Translate(PlatformConfig config, Observed.ProcessObs p, ulong addr, int n, out (long Pfn, long Offset)[] phys)
    {
        phys = new (long, long)[n];
        if (n > 0 && addr + (ulong)(n - 1) < addr) return false;
        ulong mask = config.PageSize - 1;
        for (int i = 0; i < n; i++)
        {
            ulong va = addr + (ulong)i;
            if (!p.Vm.TryGetValue(va >> config.PageShift, out var m)) return false;
            phys[i] = (m.Pfn, (long)(va & mask));
        }
        return true;
    }

    /// <summary>Whether every byte of [addr, addr + n) is mapped in the process (ABI-5: readable).</summary>
    public static bool Readable(PlatformConfig config, Observed.ProcessObs p, ulong addr, int n)
    {
        if (n > 0 && addr + (ulong)(n - 1) < addr) return false;
        for (ulong v = addr >> config.PageShift; v <= (addr + (ulong)Math.Max(0, n - 1)) >> config.PageShift; v++)
            if (!p.Vm.ContainsKey(v)) return false;
        return true;
    }

    /// <summary>The snapshot of a computed observation, parsed back (so its <see cref="Observed.Source"/> is set, which the
    /// line-by-line INV-5 comparison needs). Equal to the real snapshot of the staged state (tests/properties
    /// HarnessTests checks it); taken only for calls that fail, so successful calls never pay for it.</summary>
    public static Observed WithSource(Observed o) => o.Source is not null ? o : Observed.Parse(Render(o));

    /// <summary>Renders an observation through the contract's SnapshotBuilder (the inverse of Observed.Parse).</summary>
    public static Snapshot Render(Observed o)
    {
        var b = new SnapshotBuilder();
        foreach (var (pfn, (refs, dirty)) in o.Pages) b.Page(pfn, refs, dirty);
        foreach (var (pfn, (gen, owner)) in o.Frames) b.Frame(pfn, gen, owner);
        foreach (var ((pfn, off), hex) in o.Memory) b.Memory16(pfn, off, Convert.FromHexString(hex));
        foreach (var (pid, p) in o.Processes)
        {
            b.Process(pid, p.Exited, p.LockedVm);
            foreach (var (vpage, (pfn, w)) in p.Vm) b.UserPage(pid, vpage, pfn, w);
            foreach (var (fd, (kind, id, dev)) in p.Fds)
                _ = kind switch { "container" => b.FdContainer(pid, fd, id), "group" => b.FdGroup(pid, fd, id), _ => b.FdDevice(pid, fd, id, dev) };
        }
        foreach (var (id, c) in o.Containers) b.Container(id, c.Refs, c.Groups, c.Driver, c.Tbl, c.Enabled, c.Payer);
        foreach (var (id, g) in o.Groups)
        {
            b.Group(id, g.Opened, g.Container, (int)g.Users);
            foreach (var (d, n) in g.DeviceOpens) b.DeviceOpens(id, d, n);
        }
        foreach (var (id, t) in o.Tables)
        {
            b.Table(id, t.Owner, t.FlushPending, (int)t.Inject, t.ItMap);
            foreach (var (e, v) in t.Tces) b.Tce(id, e, v);
        }
        return b.Build();
    }

    /// <summary>A copy sharing everything but the memory map (the only part staging changes); it has no
    /// <see cref="Observed.Source"/> until <see cref="WithSource"/> gives it one.</summary>
    public static Observed ShallowCopy(Observed o)
    {
        var s = new Observed();
        foreach (var kv in o.Pages) s.Pages.Add(kv.Key, kv.Value);
        foreach (var kv in o.Frames) s.Frames.Add(kv.Key, kv.Value);
        foreach (var kv in o.Processes) s.Processes.Add(kv.Key, kv.Value);
        foreach (var kv in o.Containers) s.Containers.Add(kv.Key, kv.Value);
        foreach (var kv in o.Groups) s.Groups.Add(kv.Key, kv.Value);
        foreach (var kv in o.Tables) s.Tables.Add(kv.Key, kv.Value);
        foreach (var kv in o.Memory) s.Memory.Add(kv.Key, kv.Value);
        return s;
    }
}

/// <summary>A MAP_DMA or UNMAP_DMA request decoded from a command (ABI-7), as the kernel would read it.</summary>
public sealed record DmaRequest(bool IsMap, int Pid, int Fd, ulong Addr, uint Argsz, uint Flags, ulong Vaddr, ulong Iova, ulong Size)
{
    public int Minsz => IsMap ? Abi.DmaMapMinsz : Abi.DmaUnmapMinsz;

    /// <summary>Not 4 KiB aligned in iova, size, or (MAP) vaddr: MAP-7, MAP-8 (TBL-4), UNMAP-6, UNMAP-7.</summary>
    public bool Misaligned => (Iova & 0xfff) != 0 || (Size & 0xfff) != 0 || (IsMap && (Vaddr & 0xfff) != 0);

    /// <summary>The entries [first, first + n) the request names (n = size >> 12).</summary>
    public ulong FirstEntry => Iova >> 12;
    public ulong Entries => Size >> 12;

    /// <summary>The window check of the spec: MAP-8 (the first entry below or past the window, even for size 0) and
    /// MAP-9, or UNMAP-7 (<c>first &lt; start</c> or <c>first + n &gt; end</c>), computed without overflow.</summary>
    public bool OutOfWindow(long start, long end)
    {
        ulong first = FirstEntry;
        if (first < (ulong)start) return true;
        if (IsMap && first >= (ulong)end) return true;
        return (UInt128)first + Entries > (ulong)end;
    }

    /// <summary>Whether the request names an entry outside [start, end): one of its n entries, or (MAP) its first.</summary>
    public bool TouchesOutside(long start, long end)
    {
        ulong first = FirstEntry;
        if (IsMap && (first < (ulong)start || first >= (ulong)end)) return true;
        if (Entries == 0) return false;
        return first < (ulong)start || (UInt128)first + Entries > (ulong)end;
    }

    public static DmaRequest? From(Command cmd)
    {
        if (cmd is not IoctlArgCmd a) return null;
        var b = a.Bytes;
        if (a.Cmd == Ioctls.MapDma && b.Length >= Abi.DmaMapMinsz)
            return new(true, a.Pid, a.Fd, a.Addr, U32(b, 0), U32(b, 4), U64(b, 8), U64(b, 16), U64(b, 24));
        if (a.Cmd == Ioctls.UnmapDma && b.Length >= Abi.DmaUnmapMinsz)
            return new(false, a.Pid, a.Fd, a.Addr, U32(b, 0), U32(b, 4), 0, U64(b, 8), U64(b, 16));
        return null;
    }

    /// <summary>
    /// The result the spec prescribes for this request's checks, in their order (PROC-1, PROC-2, CORE-21/31, CORE-6,
    /// MAP-2..9 or UNMAP-2..7), from the state the call starts in: the negated errno of the first failing check, or
    /// null when every check passes (MAP then builds, UNMAP clears). An oracle written from the clauses, independent
    /// of the model.
    /// </summary>
    public long? ExpectedValidation(PlatformConfig config, Observed before)
    {
        if (!before.Processes.TryGetValue(Pid, out var p) || p.Exited) return -Errno.ESRCH;            // PROC-1
        if (!p.Fds.TryGetValue(Fd, out var file)) return -Errno.EBADF;                                // PROC-2
        if (file.Kind != "container") return -Errno.ENOTTY;                                            // CORE-21, CORE-31
        if (!before.Containers.TryGetValue(file.Id, out var c) || !c.Driver) return -Errno.EINVAL;    // CORE-6
        if (c.Tbl is not { } g) return -Errno.ENXIO;                                                   // MAP-2, UNMAP-2
        if (IsMap && !c.Enabled) return -Errno.EPERM;                                                  // MAP-3
        if (!Staging.Readable(config, p, Addr, Minsz)) return -Errno.EFAULT;                           // MAP-4, UNMAP-3
        if (Argsz < Minsz) return -Errno.EINVAL;                                                       // MAP-5, UNMAP-4
        var gc = config.FindGroup(g)!;
        long start = gc.ItOffset, end = gc.ItOffset + gc.ItSize;
        if (IsMap)
        {
            if ((Flags & ~(Abi.MapFlagRead | Abi.MapFlagWrite)) != 0) return -Errno.EINVAL;          // MAP-6
            if ((Size & 0xfff) != 0 || (Vaddr & 0xfff) != 0) return -Errno.EINVAL;                      // MAP-7
            if (Flags == 0 || (Iova & 0xfff) != 0) return -Errno.EINVAL;                                // MAP-8 (TBL-4)
            if (OutOfWindow(start, end)) return -Errno.EINVAL;                                          // MAP-8, MAP-9
            return null;
        }
        if (Flags != 0) return -Errno.EINVAL;                                                           // UNMAP-5
        if ((Size & 0xfff) != 0) return -Errno.EINVAL;                                                  // UNMAP-6
        if ((Iova & 0xfff) != 0 || OutOfWindow(start, end)) return -Errno.EINVAL;                      // UNMAP-7
        return null;
    }

    static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));
    static ulong U64(byte[] b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at));
}
