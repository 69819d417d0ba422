using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Concurrency;

/// <summary>
/// Hand-written scenarios: the standard attach / enable / release race, and the schedules of the
/// concurrency-only findings (FIND-9, FIND-11, FIND-12). Process 1 holds container fd 3 and group fd 4
/// after <c>Joined</c>.
/// </summary>
public static class Scenarios
{
    public const int C = 3, G = 4;

    /// <summary>Builds one thread's calls; its arguments are staged at an address no other thread uses.</summary>
    public static ThreadProgram Thread(PlatformConfig config, string name, int slot, Func<ThreadScript, ThreadScript> build) =>
        new(name, build(new ThreadScript(config, slot)).Commands);

    /// <summary>Open container and group 1, join them (no IOMMU set yet).</summary>
    public static Script Joined(PlatformConfig config) =>
        new Script(config).OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, C);

    /// <summary>The standard 3-thread scenario: SET_IOMMU, ENABLE and the release of the group fd race.</summary>
    public static ConcurrentScenario AttachEnableRelease(int pageShift = 12)
    {
        var cfg = PlatformConfig.Small(pageShift);
        return new("attach-enable-release", cfg, Joined(cfg).Commands,
        [
            Thread(cfg, "attach", 1, t => t.SetIommu(1, C)),
            Thread(cfg, "enable", 2, t => t.Enable(1, C)),
            Thread(cfg, "release", 3, t => t.Close(1, G)),
        ]);
    }

    /// <summary>FIND-9: take-over of a table races the host DMA allocator.</summary>
    public static ConcurrentScenario OwnershipVsHostAlloc()
    {
        var cfg = PlatformConfig.Small();
        return new("ownership-vs-host-alloc", cfg, Joined(cfg).Commands,
        [
            Thread(cfg, "attach", 1, t => t.SetIommu(1, C)),
            Thread(cfg, "host", 2, t => t.HostAlloc(1, 1)),
        ]);
    }

    /// <summary>FIND-11: two threads set two containers on one group fd.</summary>
    public static ConcurrentScenario DoubleSetContainer()
    {
        var cfg = PlatformConfig.Small();
        var prefix = new Script(cfg).OpenContainer(1).OpenContainer(1).OpenGroup(1, 1).Commands; // fds 3, 4, 5
        return new("double-set-container", cfg, prefix,
        [
            Thread(cfg, "set-c1", 1, t => t.SetContainer(1, 5, 3)),
            Thread(cfg, "set-c2", 2, t => t.SetContainer(1, 5, 4)),
        ]);
    }

    /// <summary>FIND-12: GET_DEVICE_FD races UNSET_CONTAINER.</summary>
    public static ConcurrentScenario DeviceFdVsUnset()
    {
        var cfg = PlatformConfig.Small();
        var prefix = Joined(cfg).SetIommu(1, C).Commands;
        return new("device-fd-vs-unset", cfg, prefix,
        [
            Thread(cfg, "get-device", 1, t => t.GetDeviceFd(1, G, cfg.Groups[0].Devices[0])),
            Thread(cfg, "unset", 2, t => t.UnsetContainer(1, G)),
        ]);
    }

    /// <summary>MAP of two pages races DISABLE: the map must see the container enabled throughout or not at all.</summary>
    public static ConcurrentScenario MapVsDisable(int pageShift = 12)
    {
        var cfg = PlatformConfig.Small(pageShift);
        var prefix = Joined(cfg).SetIommu(1, C).Enable(1, C).Commands;
        ulong vaddr = Script.VaddrOf(cfg, 1, 0);
        return new("map-vs-disable", cfg, prefix,
        [
            Thread(cfg, "map", 1, t => t.Map(1, C, vaddr, 0, 0x2000)),
            Thread(cfg, "disable", 2, t => t.Disable(1, C)),
        ]);
    }

    public static IReadOnlyList<ConcurrentScenario> Findings { get; } = [OwnershipVsHostAlloc(), DoubleSetContainer(), DeviceFdVsUnset()];
}

/// <summary>A <see cref="Script"/> for one thread: struct arguments go to the thread's own slot of the scratch page.</summary>
public sealed class ThreadScript(PlatformConfig config, int slot)
{
    readonly Script _script = new(config);
    public IReadOnlyList<Command> Commands => _script.Commands;

    ulong At(int pid) => Script.ScratchOf(config, pid) + 0x100UL * (ulong)slot;

    public ThreadScript SetIommu(int pid, int fd, ulong arg = Abi.SpaprTceIommu) { _script.SetIommu(pid, fd, arg); return this; }
    public ThreadScript Enable(int pid, int fd) { _script.Enable(pid, fd); return this; }
    public ThreadScript Disable(int pid, int fd) { _script.Disable(pid, fd); return this; }
    public ThreadScript Close(int pid, int fd) { _script.Close(pid, fd); return this; }
    public ThreadScript Exit(int pid) { _script.Exit(pid); return this; }
    public ThreadScript OpenContainer(int pid) { _script.OpenContainer(pid); return this; }
    public ThreadScript OpenGroup(int pid, int group) { _script.OpenGroup(pid, group); return this; }
    public ThreadScript UnsetContainer(int pid, int groupFd) { _script.UnsetContainer(pid, groupFd); return this; }
    public ThreadScript HostAlloc(int group, long pages) { _script.HostAlloc(group, pages); return this; }
    public ThreadScript HostFree(int group, long entry, long pages) { _script.HostFree(group, entry, pages); return this; }
    public ThreadScript Ioctl(int pid, int fd, uint cmd, ulong arg) { _script.Ioctl(pid, fd, cmd, arg); return this; }
    public ThreadScript SetContainer(int pid, int groupFd, int containerFd) { _script.SetContainer(pid, groupFd, containerFd, At(pid)); return this; }
    public ThreadScript Map(int pid, int fd, ulong vaddr, ulong iova, ulong size, uint flags = Script.RW) { _script.Map(pid, fd, vaddr, iova, size, flags, at: At(pid)); return this; }
    public ThreadScript Unmap(int pid, int fd, ulong iova, ulong size) { _script.Unmap(pid, fd, iova, size, at: At(pid)); return this; }
    public ThreadScript GetInfo(int pid, int fd) { _script.GetInfo(pid, fd, at: At(pid)); return this; }
    public ThreadScript GetStatus(int pid, int groupFd) { _script.GetStatus(pid, groupFd, at: At(pid)); return this; }
    public ThreadScript GetDeviceFd(int pid, int groupFd, string name) { _script.GetDeviceFd(pid, groupFd, name, at: At(pid)); return this; }
}
