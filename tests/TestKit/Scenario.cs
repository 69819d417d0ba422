using System.Buffers.Binary;
using TceVerify.Contract;

namespace TceVerify.TestKit;

/// <summary>
/// A small fluent driver over any <see cref="ITceSystem"/>, shared by the unit, property and concurrency suites.
/// <para>
/// Struct and pointer arguments go through a per-process <em>scratch address</em>: by default the start of the highest
/// writable mapped page of the process (computed from the config, or for a process the config does not name, from
/// the live snapshot). A struct call pokes its bytes there (or at <c>at</c>), then issues the ioctl with that address.
/// Every method returns the raw call result (>= 0 or a negated errno, ABI-2); the helpers that need a successful
/// result (<see cref="Setup"/>) throw <see cref="ScenarioException"/> otherwise.
/// </para>
/// <para>
/// For failure-atomicity checks set <see cref="CapturePreCall"/>: every call made through the scenario then records
/// <see cref="PreCall"/>, the snapshot taken after the argument bytes were poked and just before the system call.
/// </para>
/// </summary>
public sealed class Scenario
{
    readonly Dictionary<int, ulong> _scratch = new();
    readonly Dictionary<int, IReadOnlyList<UserMapping>> _layout = new();

    public Scenario(ITceSystem system) => Sys = system;

    public ITceSystem Sys { get; }
    public PlatformConfig Config => Sys.Config;
    public int PageShift => Config.PageShift;
    public ulong PageSize => Config.PageSize;

    /// <summary>When set, each call records <see cref="PreCall"/> right before it reaches the system.</summary>
    public bool CapturePreCall { get; set; }

    /// <summary>The snapshot taken just before the last system call (only with <see cref="CapturePreCall"/>).</summary>
    public Snapshot? PreCall { get; private set; }

    /// <summary>The observable state now.</summary>
    public Snapshot Snapshot() => Sys.Snapshot();

    /// <summary>The observable state now, parsed.</summary>
    public StateView Observe() => new(Sys.Snapshot());

    void BeforeCall()
    {
        if (CapturePreCall) PreCall = Sys.Snapshot();
    }

    // ------------------------------------------------------------------ addresses

    /// <summary>The mapped pages of <paramref name="pid"/> in ascending virtual order: the boot layout from the
    /// config, or for another process (a fork child) the address space the snapshot shows on first use.</summary>
    public IReadOnlyList<UserMapping> Layout(int pid)
    {
        if (_layout.TryGetValue(pid, out var l)) return l;
        var boot = Config.Processes.FirstOrDefault(p => p.Pid == pid);
        IReadOnlyList<UserMapping> layout = boot is not null
            ? boot.Mappings.OrderBy(m => m.Vpage).ToList()
            : Observe().UserPagesOf(pid).Select(kv => new UserMapping(kv.Key, kv.Value.Pfn, kv.Value.Writable)).ToList();
        _layout[pid] = layout;
        return layout;
    }

    /// <summary>User address of the <paramref name="index"/>-th mapped page of the process (page-size aware).</summary>
    public ulong VaddrOf(int pid, int index) => Layout(pid)[index].Vpage << PageShift;

    /// <summary>Frame behind the <paramref name="index"/>-th mapped page of the process.</summary>
    public long PfnOf(int pid, int index) => Layout(pid)[index].Pfn;

    /// <summary>Frame behind a user address in the process's layout (throws if the address is not in it).</summary>
    public long PfnAt(int pid, ulong vaddr)
    {
        ulong vpage = vaddr >> PageShift;
        foreach (var m in Layout(pid))
            if (m.Vpage == vpage) return m.Pfn;
        throw new ScenarioException($"pid {pid}: vaddr 0x{vaddr:x} is not in the known layout");
    }

    /// <summary>Scratch address for struct arguments: start of the highest writable mapped page of the process.</summary>
    public ulong Scratch(int pid)
    {
        if (_scratch.TryGetValue(pid, out var a)) return a;
        var w = Layout(pid).Where(m => m.Writable).ToList();
        if (w.Count == 0) throw new ScenarioException($"pid {pid} has no writable mapped page for arguments");
        a = w.Max(m => m.Vpage) << PageShift;
        _scratch[pid] = a;
        return a;
    }

    /// <summary>Overrides the scratch address of a process.</summary>
    public Scenario SetScratch(int pid, ulong address)
    {
        _scratch[pid] = address;
        return this;
    }

    // ------------------------------------------------------------------ raw access

    /// <summary>Pokes bytes into user memory. If the whole range cannot be poked (part of it unmapped), pokes the
    /// bytes that can be, one by one, so a struct can straddle into an unmapped page. Returns the whole-range result.</summary>
    public long Poke(int pid, ulong address, ReadOnlySpan<byte> bytes)
    {
        long r = Sys.PokeUser(pid, address, bytes);
        if (r == -Errno.EFAULT)
            for (int i = 0; i < bytes.Length; i++)
                Sys.PokeUser(pid, unchecked(address + (ulong)i), bytes.Slice(i, 1));
        return r;
    }

    /// <summary>Reads user memory; throws if the range is not mapped.</summary>
    public byte[] Peek(int pid, ulong address, int length)
    {
        var b = new byte[length];
        long r = Sys.PeekUser(pid, address, b);
        if (r != 0) throw new ScenarioException($"peek({pid}, 0x{address:x}, {length}) = {Errno.Describe(r)}");
        return b;
    }

    public long Ioctl(int pid, int fd, uint cmd, ulong arg)
    {
        BeforeCall();
        return Sys.Ioctl(pid, fd, cmd, arg);
    }

    /// <summary>Pokes <paramref name="bytes"/> at <paramref name="at"/> (default: scratch) and issues the ioctl with that address.</summary>
    public long IoctlWith(int pid, int fd, uint cmd, ReadOnlySpan<byte> bytes, ulong? at = null)
    {
        ulong addr = at ?? Scratch(pid);
        Poke(pid, addr, bytes);
        return Ioctl(pid, fd, cmd, addr);
    }

    // ------------------------------------------------------------------ processes and files

    public long OpenContainer(int pid) { BeforeCall(); return Sys.OpenContainer(pid); }
    public long OpenGroup(int pid, int group) { BeforeCall(); return Sys.OpenGroup(pid, group); }
    public long Close(int pid, int fd) { BeforeCall(); return Sys.Close(pid, fd); }
    public long Fork(int pid) { BeforeCall(); return Sys.Fork(pid); }
    public long PassFd(int from, int fd, int to) { BeforeCall(); return Sys.PassFd(from, fd, to); }
    public long Exit(int pid) { BeforeCall(); return Sys.Exit(pid); }

    // ------------------------------------------------------------------ core ioctls

    public long GetApiVersion(int pid, int fd, ulong arg = 0) => Ioctl(pid, fd, Ioctls.GetApiVersion, arg);
    public long CheckExtension(int pid, int fd, ulong arg) => Ioctl(pid, fd, Ioctls.CheckExtension, arg);
    public long SetIommu(int pid, int containerFd, ulong arg = Abi.SpaprTceIommu) => Ioctl(pid, containerFd, Ioctls.SetIommu, arg);
    public long UnsetContainer(int pid, int groupFd, ulong arg = 0) => Ioctl(pid, groupFd, Ioctls.GroupUnsetContainer, arg);

    /// <summary>GROUP_SET_CONTAINER with the int32 <paramref name="containerFd"/> poked at <paramref name="at"/>.</summary>
    public long SetContainer(int pid, int groupFd, int containerFd, ulong? at = null) =>
        IoctlWith(pid, groupFd, Ioctls.GroupSetContainer, Abi.Int32(containerFd), at);

    public long GetStatus(int pid, int groupFd, uint argsz = Abi.GroupStatusMinsz, ulong? at = null) =>
        IoctlWith(pid, groupFd, Ioctls.GroupGetStatus, Abi.GroupStatus(argsz), at);

    /// <summary>GET_STATUS at scratch, then the struct read back.</summary>
    public (long Result, uint Argsz, uint Flags) GetStatusRead(int pid, int groupFd, uint argsz = Abi.GroupStatusMinsz)
    {
        long r = GetStatus(pid, groupFd, argsz);
        var b = Peek(pid, Scratch(pid), Abi.GroupStatusMinsz);
        return (r, U32(b, 0), U32(b, 4));
    }

    /// <summary>GROUP_GET_DEVICE_FD with the NUL-terminated <paramref name="name"/> poked at <paramref name="at"/>.</summary>
    public long GetDeviceFd(int pid, int groupFd, string name, ulong? at = null) =>
        IoctlWith(pid, groupFd, Ioctls.GroupGetDeviceFd, Abi.CString(name), at);

    // ------------------------------------------------------------------ driver ioctls

    public long GetInfo(int pid, int fd, uint argsz = Abi.TceInfoMinsz, ulong? at = null) =>
        IoctlWith(pid, fd, Ioctls.SpaprTceGetInfo, Abi.TceInfo(argsz), at);

    /// <summary>GET_INFO at scratch, then the struct read back.</summary>
    public (long Result, uint Argsz, uint Flags, uint Start, uint Size) GetInfoRead(int pid, int fd, uint argsz = Abi.TceInfoMinsz)
    {
        long r = GetInfo(pid, fd, argsz);
        var b = Peek(pid, Scratch(pid), Abi.TceInfoMinsz);
        return (r, U32(b, 0), U32(b, 4), U32(b, 8), U32(b, 12));
    }

    public long Map(int pid, int fd, uint flags, ulong vaddr, ulong iova, ulong size, uint argsz = Abi.DmaMapMinsz, ulong? at = null) =>
        IoctlWith(pid, fd, Ioctls.MapDma, Abi.DmaMap(argsz, flags, vaddr, iova, size), at);

    public long Unmap(int pid, int fd, ulong iova, ulong size, uint flags = 0, uint argsz = Abi.DmaUnmapMinsz, ulong? at = null) =>
        IoctlWith(pid, fd, Ioctls.UnmapDma, Abi.DmaUnmap(argsz, flags, iova, size), at);

    public long Enable(int pid, int containerFd, ulong arg = 0) => Ioctl(pid, containerFd, Ioctls.Enable, arg);
    public long Disable(int pid, int containerFd, ulong arg = 0) => Ioctl(pid, containerFd, Ioctls.Disable, arg);

    // ------------------------------------------------------------------ compound steps

    /// <summary>SETUP(p, g) of spec/findings.md: open_container, open_group, SET_CONTAINER, SET_IOMMU(2).
    /// Throws <see cref="ScenarioException"/> naming the step that failed.</summary>
    public (int Container, int Group) Setup(int pid, int group)
    {
        int c = (int)Must(OpenContainer(pid), $"open_container({pid})");
        int g = (int)Must(OpenGroup(pid, group), $"open_group({pid}, {group})");
        Must(SetContainer(pid, g, c), $"SET_CONTAINER({pid}, {g}, {c})");
        Must(SetIommu(pid, c), $"SET_IOMMU({pid}, {c})");
        return (c, g);
    }

    /// <summary><see cref="Setup"/> followed by ENABLE.</summary>
    public (int Container, int Group) SetupEnabled(int pid, int group)
    {
        var s = Setup(pid, group);
        Must(Enable(pid, s.Container), $"ENABLE({pid}, {s.Container})");
        return s;
    }

    /// <summary>Throws unless <paramref name="result"/> is a success.</summary>
    public static long Must(long result, string what)
    {
        if (result < 0) throw new ScenarioException($"{what} = {Errno.Describe(result)}");
        return result;
    }

    static uint U32(byte[] b, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(offset));
}

public sealed class ScenarioException(string message) : Exception(message);
