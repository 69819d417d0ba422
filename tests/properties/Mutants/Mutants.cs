using System.Buffers.Binary;
using TceVerify.Contract;
using TceVerify.Model;

namespace TceVerify.Tests.Properties.Mutants;

// Deliberately broken systems for the properties that no literal variant of spec/findings.md breaks (alignment,
// rollback, isolation, clean hand-over, core consistency). Each is a real system, not a doctored snapshot: later
// calls act on the broken state. Each names the clause it breaks; the kill tests show the property rejects it.

/// <summary>Forwards every call to an inner system that may be replaced.</summary>
public abstract class ForwardingSystem : ITceSystem
{
    protected ITceSystem Inner { get; set; }

    protected ForwardingSystem(ITceSystem inner) => Inner = inner;

    public PlatformConfig Config => Inner.Config;
    public virtual long OpenContainer(int pid) => Inner.OpenContainer(pid);
    public virtual long OpenGroup(int pid, int groupId) => Inner.OpenGroup(pid, groupId);
    public virtual long Ioctl(int pid, int fd, uint cmd, ulong arg) => Inner.Ioctl(pid, fd, cmd, arg);
    public virtual long Close(int pid, int fd) => Inner.Close(pid, fd);
    public virtual long Fork(int pid) => Inner.Fork(pid);
    public virtual long PassFd(int fromPid, int fd, int toPid) => Inner.PassFd(fromPid, fd, toPid);
    public virtual long Exit(int pid) => Inner.Exit(pid);
    public virtual long MapUserPage(int pid, ulong vpage, long pfn, bool writable) => Inner.MapUserPage(pid, vpage, pfn, writable);
    public virtual long UnmapUserPage(int pid, ulong vpage) => Inner.UnmapUserPage(pid, vpage);
    public long PokeUser(int pid, ulong vaddr, ReadOnlySpan<byte> data) => Inner.PokeUser(pid, vaddr, data);
    public long PeekUser(int pid, ulong vaddr, Span<byte> data) => Inner.PeekUser(pid, vaddr, data);
    public virtual long HostAlloc(int groupId, long npages) => Inner.HostAlloc(groupId, npages);
    public virtual long HostFree(int groupId, long entry, long npages) => Inner.HostFree(groupId, entry, npages);
    public virtual long HostWriteStale(int groupId, long entry, ulong tce) => Inner.HostWriteStale(groupId, entry, tce);
    public virtual long InjectTceWriteFailure(int groupId, int nth) => Inner.InjectTceWriteFailure(groupId, nth);
    public Snapshot Snapshot() => Inner.Snapshot();

    /// <summary>Reads a MAP_DMA struct the way the kernel would, through the caller's memory (null when unreadable).</summary>
    protected (uint Argsz, uint Flags, ulong Vaddr, ulong Iova, ulong Size)? ReadMap(int pid, ulong arg)
    {
        var b = new byte[Abi.DmaMapMinsz];
        if (Inner.PeekUser(pid, arg, b) != 0) return null;
        return (BinaryPrimitives.ReadUInt32LittleEndian(b), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4)),
            BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(8)), BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(16)),
            BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(24)));
    }
}

/// <summary>Breaks MAP-7: a MAP_DMA whose vaddr is not 4 KiB aligned is rounded down and performed instead of
/// rejected (the user's struct is put back as it was, so only the mapping shows).</summary>
public sealed class RoundingMapMutant(ITceSystem inner) : ForwardingSystem(inner)
{
    public const string Name = "mutant-map-rounds-vaddr";

    public override long Ioctl(int pid, int fd, uint cmd, ulong arg)
    {
        if (cmd != Ioctls.MapDma || ReadMap(pid, arg) is not { } m || (m.Vaddr & 0xfff) == 0) return Inner.Ioctl(pid, fd, cmd, arg);
        var original = new byte[Abi.DmaMapMinsz];
        Inner.PeekUser(pid, arg, original);
        Inner.PokeUser(pid, arg, Abi.DmaMap(m.Argsz, m.Flags, m.Vaddr & ~0xfffUL, m.Iova, m.Size));
        long r = Inner.Ioctl(pid, fd, cmd, arg);
        Inner.PokeUser(pid, arg, original);
        return r;
    }
}

/// <summary>Breaks MAP-11: a MAP_DMA that fails part way keeps the entries it built before the failing one (it redoes
/// them one by one after the real, correctly unwound call, then returns the original error).</summary>
public sealed class NoUnwindMutant(ITceSystem inner) : ForwardingSystem(inner)
{
    public const string Name = "mutant-map-no-unwind";

    public override long Ioctl(int pid, int fd, uint cmd, ulong arg)
    {
        long r = Inner.Ioctl(pid, fd, cmd, arg);
        if (cmd != Ioctls.MapDma || (r != -Errno.EBUSY && r != -Errno.EFAULT && r != -Errno.EIO) || ReadMap(pid, arg) is not { } m)
            return r;
        var original = new byte[Abi.DmaMapMinsz];
        Inner.PeekUser(pid, arg, original);
        for (ulong i = 0; i < Math.Min(m.Size >> 12, 64); i++)
        {
            Inner.PokeUser(pid, arg, Abi.DmaMap(Abi.DmaMapMinsz, m.Flags, m.Vaddr + (i << 12), m.Iova + (i << 12), 0x1000));
            if (Inner.Ioctl(pid, fd, cmd, arg) != 0) break;
        }
        Inner.PokeUser(pid, arg, original);
        return r;
    }
}

/// <summary>A model whose world a mutant may patch after a call. Later calls run the model's rules on the patched world.</summary>
public abstract class PatchedModel(PlatformConfig config) : ForwardingSystem(new ModelSystem(config))
{
    protected World State => ((ModelSystem)Inner).State;

    protected void Replace(World w) => Inner = new ModelSystem(w);

    protected long Patch(Func<long> call, Func<World, World, long, World?> patch)
    {
        var before = State;
        long r = call();
        if (patch(before, State, r) is { } patched) Replace(patched);
        return r;
    }
}

/// <summary>Breaks TBL-9 (and so INV-1, INV-6): taking a table over leaves the leftover TCEs in place, so the user's
/// device can reach whatever a previous user or the host left mapped.</summary>
public sealed class KeepLeftoversMutant(PlatformConfig config) : PatchedModel(config)
{
    public const string Name = "mutant-take-over-keeps-leftovers";

    public override long Ioctl(int pid, int fd, uint cmd, ulong arg) => Patch(() => base.Ioctl(pid, fd, cmd, arg), Restore);

    static World? Restore(World before, World after, long r)
    {
        World? w = null;
        foreach (var (g, t) in after.Tables)
        {
            var t0 = before.Tables[g];
            if (t0.Owner is not null || t.Owner is null) continue;
            var tces = t.Tces;
            foreach (var (e, v) in t0.Tces)
                if (t0.InWindow(e) && Abi.InUse(v)) tces = tces.SetItem(e, v);
            w = (w ?? after).WithTable(t with { Tces = tces });
        }
        return w;
    }
}

/// <summary>Breaks CORE-27 (and INV-7): a successful GET_DEVICE_FD takes two container-user references instead of one,
/// so the group can never be dissolved.</summary>
public sealed class LeakUsersMutant(PlatformConfig config) : PatchedModel(config)
{
    public const string Name = "mutant-device-fd-leaks-user";

    public override long Ioctl(int pid, int fd, uint cmd, ulong arg) => Patch(() => base.Ioctl(pid, fd, cmd, arg), (before, after, r) =>
    {
        if (cmd != Ioctls.GroupGetDeviceFd || r < 0) return null;
        var file = after.Files[after.Processes[pid].Fds[(int)r]];
        if (file is not DeviceFile d) return null;
        var g = after.Groups[d.GroupId];
        return after.WithGroup(g with { ContainerUsers = g.ContainerUsers + 1 });
    });
}
