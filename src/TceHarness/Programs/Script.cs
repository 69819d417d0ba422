using TceVerify.Contract;

namespace TceVerify.Harness.Programs;

/// <summary>
/// Writes programs by hand: one method per call, struct arguments encoded per ABI-7 and staged at the caller's
/// scratch address. Fd numbers are the caller's to predict (STATE-4: lowest free from 3).
/// </summary>
public sealed class Script(PlatformConfig config)
{
    public const uint RW = Abi.MapFlagRead | Abi.MapFlagWrite;
    readonly List<Command> _commands = new();

    public PlatformConfig Config => config;
    public IReadOnlyList<Command> Commands => _commands;

    public Script Add(Command c) { _commands.Add(c); return this; }

    /// <summary>Where a pid's ioctl arguments are staged: 0x400 into its highest writable boot page.</summary>
    public static ulong ScratchOf(PlatformConfig config, int pid)
    {
        var p = config.Processes.FirstOrDefault(x => x.Pid == pid) ?? config.Processes[0];
        var page = p.Mappings.Where(m => m.Writable).Max(m => m.Vpage);
        return (page << config.PageShift) + 0x400;
    }

    /// <summary>User address of the i-th boot mapping of a pid.</summary>
    public static ulong VaddrOf(PlatformConfig config, int pid, int index)
    {
        var p = config.Processes.First(x => x.Pid == pid);
        return p.Mappings[index].Vpage << config.PageShift;
    }

    public ulong Scratch(int pid) => ScratchOf(config, pid);
    public ulong Vaddr(int pid, int index) => VaddrOf(config, pid, index);

    public Script OpenContainer(int pid) => Add(new OpenContainerCmd(pid));
    public Script OpenGroup(int pid, int group) => Add(new OpenGroupCmd(pid, group));
    public Script Close(int pid, int fd) => Add(new CloseCmd(pid, fd));
    public Script Fork(int pid) => Add(new ForkCmd(pid));
    public Script PassFd(int from, int fd, int to) => Add(new PassFdCmd(from, fd, to));
    public Script Exit(int pid) => Add(new ExitCmd(pid));
    public Script HostAlloc(int group, long pages) => Add(new HostAllocCmd(group, pages));
    public Script HostFree(int group, long entry, long pages) => Add(new HostFreeCmd(group, entry, pages));
    public Script HostStale(int group, long entry, ulong tce) => Add(new HostStaleCmd(group, entry, tce));
    public Script Inject(int group, int nth) => Add(new InjectCmd(group, nth));
    public Script HostReuse(long pfn) => Add(new HostReuseCmd(pfn));
    public Script Dma(int group, ulong iova, int length, DmaDirection direction, byte fill = 0xd1) => Add(new DmaCmd(group, iova, length, direction, fill));
    public Script Mmap(int pid, ulong vpage, long pfn, bool writable = true) => Add(new MapPageCmd(pid, vpage, pfn, writable));
    public Script Munmap(int pid, ulong vpage) => Add(new UnmapPageCmd(pid, vpage));

    public Script Ioctl(int pid, int fd, uint cmd, ulong arg) => Add(new IoctlCmd(pid, fd, cmd, arg));
    public Script SetIommu(int pid, int containerFd, ulong arg = Abi.SpaprTceIommu) => Ioctl(pid, containerFd, Ioctls.SetIommu, arg);
    public Script CheckExtension(int pid, int fd, ulong arg) => Ioctl(pid, fd, Ioctls.CheckExtension, arg);
    public Script Enable(int pid, int fd) => Ioctl(pid, fd, Ioctls.Enable, 0);
    public Script Disable(int pid, int fd) => Ioctl(pid, fd, Ioctls.Disable, 0);
    public Script UnsetContainer(int pid, int groupFd) => Ioctl(pid, groupFd, Ioctls.GroupUnsetContainer, 0);

    public Script SetContainer(int pid, int groupFd, int containerFd, ulong? at = null) =>
        Add(new IoctlArgCmd(pid, groupFd, Ioctls.GroupSetContainer, at ?? Scratch(pid), Abi.Int32(containerFd)));

    public Script Map(int pid, int fd, ulong vaddr, ulong iova, ulong size, uint flags = RW, uint argsz = Abi.DmaMapMinsz, ulong? at = null) =>
        Add(new IoctlArgCmd(pid, fd, Ioctls.MapDma, at ?? Scratch(pid), Abi.DmaMap(argsz, flags, vaddr, iova, size)));

    public Script Unmap(int pid, int fd, ulong iova, ulong size, uint flags = 0, uint argsz = Abi.DmaUnmapMinsz, ulong? at = null) =>
        Add(new IoctlArgCmd(pid, fd, Ioctls.UnmapDma, at ?? Scratch(pid), Abi.DmaUnmap(argsz, flags, iova, size)));

    public Script GetInfo(int pid, int fd, uint argsz = Abi.TceInfoMinsz, ulong? at = null) =>
        Add(new IoctlArgCmd(pid, fd, Ioctls.SpaprTceGetInfo, at ?? Scratch(pid), Abi.TceInfo(argsz)));

    public Script GetStatus(int pid, int groupFd, uint argsz = Abi.GroupStatusMinsz, ulong? at = null) =>
        Add(new IoctlArgCmd(pid, groupFd, Ioctls.GroupGetStatus, at ?? Scratch(pid), Abi.GroupStatus(argsz)));

    public Script GetDeviceFd(int pid, int groupFd, string name, ulong? at = null) =>
        Add(new IoctlArgCmd(pid, groupFd, Ioctls.GroupGetDeviceFd, at ?? Scratch(pid), Abi.CString(name)));

    /// <summary>SETUP(p, g) of spec/findings.md with the fds it will get: container fd, then group fd.</summary>
    public Script Setup(int pid, int group, int containerFd, int groupFd) =>
        OpenContainer(pid).OpenGroup(pid, group).SetContainer(pid, groupFd, containerFd).SetIommu(pid, containerFd);
}
