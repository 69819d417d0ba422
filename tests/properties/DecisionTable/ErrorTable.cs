using System.Text;
using TceVerify.Contract;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Programs;

namespace TceVerify.Tests.Properties.DecisionTable;

/// <summary>
/// The error-code decision table: for each ioctl (and the other calls) and each precondition class, the result the spec
/// prescribes and what the call changes. Nothing here is typed in: every row is a small crafted scenario (a prefix
/// program, then the call) and the result column is whatever the system it runs on answers. Run on the model it is
/// the spec's table (approved in Snapshots/); run on the implementation it must be the same table.
/// </summary>
public static class ErrorTable
{
    /// <summary>One row: which call, which precondition class, the platform, and the script that ends with the call.</summary>
    public sealed record Row(string Call, string Class, PlatformConfig Config, Action<Script> Build);

    const int C = 3, G = 4;               // SETUP(1, g) gives container fd 3 and group fd 4
    const ulong RoStruct = 0x16100;       // inside pid 1's read-only page 0x16: readable, not writable
    const ulong Unmapped = 0x18000 - 4;   // runs into the hole after pid 1's last page

    /// <summary>Small(12) with group 2 not viable (CORE-27) and a process 3 with CAP_IPC_LOCK and no limit.</summary>
    public static PlatformConfig TablePlatform { get; } = PlatformConfig.Small(12) with
    {
        Groups = [PlatformConfig.Small(12).Groups[0], PlatformConfig.Small(12).Groups[1] with { Viable = false }],
    };

    static readonly PlatformConfig Edge = Platforms.RlimitEdge(12);

    static Script Setup(Script s, int group = 1) => s.Setup(1, group, C, G);
    static Script Ready(Script s, int group = 1) => Setup(s, group).Enable(1, C);
    static ulong Va(Script s, int i) => s.Vaddr(1, i);
    static Script Exited(Script s) { s.Fork(1); s.Exit(3); return s; }     // pid 3 exists, exited

    public static IReadOnlyList<Row> Rows { get; } = BuildRows();

    static IReadOnlyList<Row> BuildRows()
    {
        var rows = new List<Row>();
        void R(string call, string cls, Action<Script> build, PlatformConfig? config = null) => rows.Add(new(call, cls, config ?? TablePlatform, build));
        uint Cmd(string name) => Ioctls.All.First(x => x.Name == name).Cmd;

        // Every ioctl: the caller and its fd (PROC-1, PROC-2) and the kind of file (CORE-2, CORE-21, CORE-31).
        foreach (var (name, cmd) in Ioctls.All)
        {
            R(name, "caller exited", s => Exited(s).Ioctl(3, C, cmd, 0));
            R(name, "fd not open", s => s.Ioctl(1, 7, cmd, 0));
            R(name, "on a device fd", s => { Setup(s).GetDeviceFd(1, G, "0000:01:00.0"); s.Ioctl(1, 5, cmd, s.Scratch(1)); });
        }
        uint unknown = Ioctls.Io(Ioctls.VfioType, Ioctls.VfioBase + 20);
        R("unknown ioctl", "on a container without driver", s => s.OpenContainer(1).Ioctl(1, C, unknown, 0));
        R("unknown ioctl", "on a container with driver", s => Setup(s).Ioctl(1, C, unknown, 0));
        R("unknown ioctl", "on a group fd", s => s.OpenGroup(1, 1).Ioctl(1, C, unknown, 0));
        R("unknown ioctl", "non-VFIO type", s => Setup(s).Ioctl(1, C, 0x20005400u, 0));

        // Container ioctls on a group fd, group ioctls on a container fd.
        foreach (var name in new[] { "GET_API_VERSION", "CHECK_EXTENSION", "SET_IOMMU", "SPAPR_TCE_GET_INFO", "MAP_DMA", "UNMAP_DMA", "ENABLE", "DISABLE" })
            R(name, "on a group fd", s => s.OpenGroup(1, 1).Ioctl(1, C, Cmd(name), s.Scratch(1)));
        foreach (var name in new[] { "GROUP_GET_STATUS", "GROUP_SET_CONTAINER", "GROUP_UNSET_CONTAINER", "GROUP_GET_DEVICE_FD" })
        {
            R(name, "on a container without driver", s => s.OpenContainer(1).Ioctl(1, C, Cmd(name), s.Scratch(1)));
            R(name, "on a container with driver", s => Setup(s).Ioctl(1, C, Cmd(name), s.Scratch(1)));
        }

        // GET_API_VERSION, CHECK_EXTENSION (CORE-2, CORE-3, EXT-1)
        R("GET_API_VERSION", "container", s => s.OpenContainer(1).Ioctl(1, C, Ioctls.GetApiVersion, 0));
        foreach (ulong arg in new ulong[] { 0, 1, 2, 3 })
        {
            R("CHECK_EXTENSION", $"no driver, arg {arg}", s => s.OpenContainer(1).CheckExtension(1, C, arg));
            R("CHECK_EXTENSION", $"driver set, arg {arg}", s => Setup(s).CheckExtension(1, C, arg));
        }

        // SET_IOMMU (CORE-4, OPEN-1, ATT-1, TBL-9)
        R("SET_IOMMU", "no group", s => s.OpenContainer(1).SetIommu(1, C));
        R("SET_IOMMU", "driver already set", s => Setup(s).SetIommu(1, C));
        R("SET_IOMMU", "arg 1 (Type1)", s => s.OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, C).SetIommu(1, C, 1));
        R("SET_IOMMU", "arg 3", s => s.OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, C).SetIommu(1, C, 3));
        R("SET_IOMMU", "host has a mapping in the table", s => s.HostAlloc(1, 2).OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, C).SetIommu(1, C));
        R("SET_IOMMU", "host left a stale TCE", s => s.HostStale(1, 5, Memory.HostTce(5)).OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, C).SetIommu(1, C));
        R("SET_IOMMU", "two groups, stale TCE in the first attached", s => s.HostStale(2, 0x801, 0x3000 | Abi.TcePciRead).OpenContainer(1)
            .OpenGroup(1, 1).OpenGroup(1, 2).SetContainer(1, G, C).SetContainer(1, 5, C).SetIommu(1, C));
        R("SET_IOMMU", "ok", s => s.OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, C).SetIommu(1, C));
        R("SET_IOMMU", "ok, window at a non-zero offset", s => s.OpenContainer(1).OpenGroup(1, 2).SetContainer(1, G, C).SetIommu(1, C));

        // GROUP_GET_STATUS (CORE-22, ABI-8, ABI-6)
        R("GROUP_GET_STATUS", "struct unreadable", s => s.OpenGroup(1, 1).GetStatus(1, 3, at: Unmapped));
        R("GROUP_GET_STATUS", "argsz 0", s => s.OpenGroup(1, 1).GetStatus(1, 3, argsz: 0));
        R("GROUP_GET_STATUS", "argsz minsz - 1", s => s.OpenGroup(1, 1).GetStatus(1, 3, argsz: 7));
        R("GROUP_GET_STATUS", "argsz huge", s => s.OpenGroup(1, 1).GetStatus(1, 3, argsz: uint.MaxValue));
        R("GROUP_GET_STATUS", "struct read-only (write-back faults)", s => s.OpenGroup(1, 1).GetStatus(1, 3, at: RoStruct));
        R("GROUP_GET_STATUS", "struct straddles into read-only", s => s.OpenGroup(1, 1).GetStatus(1, 3, at: 0x16000 - 4));
        R("GROUP_GET_STATUS", "no container", s => s.OpenGroup(1, 1).GetStatus(1, 3));
        R("GROUP_GET_STATUS", "container set", s => Setup(s).GetStatus(1, G));
        R("GROUP_GET_STATUS", "group not viable", s => s.OpenGroup(1, 2).GetStatus(1, 3));

        // GROUP_SET_CONTAINER (CORE-23, ABI-9)
        R("GROUP_SET_CONTAINER", "int unreadable", s => s.OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, C, at: Unmapped + 2));
        R("GROUP_SET_CONTAINER", "fd -1", s => s.OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, -1));
        R("GROUP_SET_CONTAINER", "group already in a container", s => Setup(s).OpenContainer(1).SetContainer(1, G, 5));
        R("GROUP_SET_CONTAINER", "container fd in the int not open", s => s.OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, 9));
        R("GROUP_SET_CONTAINER", "fd not a container", s => s.OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, G));
        R("GROUP_SET_CONTAINER", "container's driver holds a table", s => Setup(s).OpenGroup(1, 2).SetContainer(1, 5, C));
        R("GROUP_SET_CONTAINER", "ok, no driver", s => s.OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, C));
        R("GROUP_SET_CONTAINER", "ok, second group, no driver", s => s.OpenContainer(1).OpenGroup(1, 1).OpenGroup(1, 2).SetContainer(1, G, C).SetContainer(1, 5, C));

        // GROUP_UNSET_CONTAINER (CORE-24, CORE-25)
        R("GROUP_UNSET_CONTAINER", "no container", s => s.OpenGroup(1, 1).UnsetContainer(1, 3));
        R("GROUP_UNSET_CONTAINER", "a device is open", s => { Setup(s).GetDeviceFd(1, G, "0000:01:00.0"); s.UnsetContainer(1, G); });
        R("GROUP_UNSET_CONTAINER", "ok, enabled with a mapping", s => { Ready(s).Map(1, C, Va(s, 0), 0, 0x1000); s.UnsetContainer(1, G); });
        R("GROUP_UNSET_CONTAINER", "ok, no driver", s => s.OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, C).UnsetContainer(1, G));

        // GROUP_GET_DEVICE_FD (CORE-27, ABI-10)
        R("GROUP_GET_DEVICE_FD", "name runs into an unmapped page", s => Setup(s).Add(new IoctlArgCmd(1, G, Ioctls.GroupGetDeviceFd, 0x18000 - 3, "aaa"u8.ToArray())));
        R("GROUP_GET_DEVICE_FD", "name unreadable", s => Setup(s).GetDeviceFd(1, G, "0000:01:00.0", at: 0x20000));
        R("GROUP_GET_DEVICE_FD", "no NUL within a page", s => Setup(s).Add(new IoctlArgCmd(1, G, Ioctls.GroupGetDeviceFd, 0x15000, Enumerable.Repeat((byte)'a', 4096).ToArray())));
        R("GROUP_GET_DEVICE_FD", "no container", s => s.OpenGroup(1, 1).GetDeviceFd(1, 3, "0000:01:00.0"));
        R("GROUP_GET_DEVICE_FD", "container without driver", s => s.OpenContainer(1).OpenGroup(1, 1).SetContainer(1, G, C).GetDeviceFd(1, G, "0000:01:00.0"));
        R("GROUP_GET_DEVICE_FD", "group not viable", s => Setup(s, 2).GetDeviceFd(1, G, "0000:02:00.0"));
        R("GROUP_GET_DEVICE_FD", "no such device", s => Setup(s).GetDeviceFd(1, G, "0000:02:00.0"));
        R("GROUP_GET_DEVICE_FD", "ok", s => Setup(s).GetDeviceFd(1, G, "0000:01:00.0"));
        R("GROUP_GET_DEVICE_FD", "ok, device already open", s => { Setup(s).GetDeviceFd(1, G, "0000:01:00.0"); s.GetDeviceFd(1, G, "0000:01:00.0"); });

        // SPAPR_TCE_GET_INFO (INFO-1)
        R("SPAPR_TCE_GET_INFO", "no driver", s => s.OpenContainer(1).GetInfo(1, C));
        R("SPAPR_TCE_GET_INFO", "struct unreadable", s => Setup(s).GetInfo(1, C, at: Unmapped));
        R("SPAPR_TCE_GET_INFO", "argsz minsz - 1", s => Setup(s).GetInfo(1, C, argsz: 15));
        R("SPAPR_TCE_GET_INFO", "argsz huge", s => Setup(s).GetInfo(1, C, argsz: uint.MaxValue));
        R("SPAPR_TCE_GET_INFO", "struct read-only (write-back faults)", s => Setup(s).GetInfo(1, C, at: RoStruct));
        R("SPAPR_TCE_GET_INFO", "struct straddles into read-only (partial write-back)", s => Setup(s, 2).GetInfo(1, C, at: 0x16000 - 12));
        R("SPAPR_TCE_GET_INFO", "ok, window at 0", s => Setup(s).GetInfo(1, C));
        R("SPAPR_TCE_GET_INFO", "ok, window at 0x800", s => Setup(s, 2).GetInfo(1, C));
        R("SPAPR_TCE_GET_INFO", "ok, not enabled", s => Setup(s).GetInfo(1, C));

        // MAP_DMA (MAP-1 .. MAP-13, TBL-4 .. TBL-6, HOST-7)
        R("MAP_DMA", "no driver", s => s.OpenContainer(1).Map(1, C, Va(s, 0), 0, 0x1000));
        R("MAP_DMA", "not enabled", s => Setup(s).Map(1, C, Va(s, 0), 0, 0x1000));
        R("MAP_DMA", "struct unreadable", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000, at: Unmapped));
        R("MAP_DMA", "argsz 0", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000, argsz: 0));
        R("MAP_DMA", "argsz minsz - 1", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000, argsz: 31));
        R("MAP_DMA", "argsz huge", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000, argsz: uint.MaxValue));
        for (int bit = 2; bit < 32; bit += 29) R("MAP_DMA", $"flag bit {bit}", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000, flags: Script.RW | (1u << bit)));
        R("MAP_DMA", "flags 0 (no permission)", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000, flags: 0));
        R("MAP_DMA", "size misaligned by one", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1001));
        R("MAP_DMA", "vaddr misaligned by one", s => Ready(s).Map(1, C, Va(s, 0) + 1, 0, 0x1000));
        R("MAP_DMA", "iova misaligned by one", s => Ready(s).Map(1, C, Va(s, 0), 1, 0x1000));
        R("MAP_DMA", "iova one entry below a window at 0x800", s => Ready(s, 2).Map(1, C, Va(s, 0), 0x7ff000, 0x1000));
        R("MAP_DMA", "iova one past the window", s => Ready(s).Map(1, C, Va(s, 0), 0x40000, 0x1000));
        R("MAP_DMA", "last entry of the window", s => Ready(s).Map(1, C, Va(s, 0), 0x3f000, 0x1000));
        R("MAP_DMA", "last entry and one past", s => Ready(s).Map(1, C, Va(s, 0), 0x3f000, 0x2000));
        R("MAP_DMA", "iova + size wraps 2^64", s => Ready(s).Map(1, C, Va(s, 0), 0x3f000, unchecked(0UL - 0x3f000)));
        R("MAP_DMA", "size 0", s => Ready(s).Map(1, C, Va(s, 0), 0, 0));
        R("MAP_DMA", "vaddr unmapped", s => Ready(s).Map(1, C, 0x18000, 0, 0x1000));
        R("MAP_DMA", "read-only page, WRITE", s => Ready(s).Map(1, C, 0x16000, 0, 0x1000));
        R("MAP_DMA", "read-only page, READ only", s => Ready(s).Map(1, C, 0x16000, 0, 0x1000, flags: Abi.MapFlagRead));
        R("MAP_DMA", "entry in use", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000).Map(1, C, Va(s, 1), 0, 0x1000));
        R("MAP_DMA", "entry 2 of 3 in use (undo 1)", s => Ready(s).Map(1, C, Va(s, 0), 0x2000, 0x1000).Map(1, C, Va(s, 1), 0x1000, 0x3000));
        R("MAP_DMA", "page 2 of 2 read-only, WRITE (undo 1)", s => Ready(s).Map(1, C, 0x15000, 0, 0x2000));
        R("MAP_DMA", "page 3 of 3 unmapped, READ (undo 2)", s => Ready(s).Map(1, C, 0x16000, 0, 0x3000, flags: Abi.MapFlagRead));
        R("MAP_DMA", "injected failure at the first build", s => Ready(s).Inject(1, 1).Map(1, C, Va(s, 0), 0, 0x1000));
        R("MAP_DMA", "injected failure at build 2 of 2 (undo 1)", s => Ready(s).Inject(1, 2).Map(1, C, Va(s, 0), 0, 0x2000));
        R("MAP_DMA", "ok, one entry", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000));
        R("MAP_DMA", "ok, whole window at 0x800", s => Ready(s, 2).Map(1, C, Va(s, 0), 0x800000, 0x5000));
        R("MAP_DMA", "ok, after a process passed the fd", s => Ready(s).PassFd(1, C, 2).Map(2, 3, Va(s, 0), 0, 0x1000, at: Script.ScratchOf(s.Config, 2)));

        // UNMAP_DMA (UNMAP-1 .. UNMAP-9)
        R("UNMAP_DMA", "no driver", s => s.OpenContainer(1).Unmap(1, C, 0, 0x1000));
        R("UNMAP_DMA", "struct unreadable", s => Setup(s).Unmap(1, C, 0, 0x1000, at: Unmapped));
        R("UNMAP_DMA", "argsz minsz - 1", s => Setup(s).Unmap(1, C, 0, 0x1000, argsz: 23));
        R("UNMAP_DMA", "argsz huge", s => Setup(s).Unmap(1, C, 0, 0x1000, argsz: uint.MaxValue));
        R("UNMAP_DMA", "flags 1", s => Setup(s).Unmap(1, C, 0, 0x1000, flags: 1));
        R("UNMAP_DMA", "size misaligned by one", s => Setup(s).Unmap(1, C, 0, 0xfff));
        R("UNMAP_DMA", "iova misaligned by one", s => Setup(s).Unmap(1, C, 1, 0x1000));
        R("UNMAP_DMA", "iova one entry below a window at 0x800", s => Setup(s, 2).Unmap(1, C, 0x7ff000, 0x1000));
        R("UNMAP_DMA", "end one past the window", s => Setup(s).Unmap(1, C, 0x3f000, 0x2000));
        R("UNMAP_DMA", "iova at the window end, size 0", s => Setup(s).Unmap(1, C, 0x40000, 0));
        R("UNMAP_DMA", "iova + size wraps 2^64", s => Setup(s).Unmap(1, C, 0x1000, unchecked(0UL - 0x1000)));
        R("UNMAP_DMA", "not enabled, nothing mapped", s => Setup(s).Unmap(1, C, 0, 0x40000));
        R("UNMAP_DMA", "ok, one mapped entry", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000).Unmap(1, C, 0, 0x1000));
        R("UNMAP_DMA", "ok, whole window, two mapped", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000).Map(1, C, Va(s, 1), 0x5000, 0x1000).Unmap(1, C, 0, 0x40000));

        // ENABLE, DISABLE (EN-1 .. EN-5, DIS-1, DIS-2)
        R("ENABLE", "no driver", s => s.OpenContainer(1).Enable(1, C));
        R("ENABLE", "already enabled", s => Ready(s).Enable(1, C));
        R("ENABLE", "RLIMIT 0", s => Setup(s).PassFd(1, C, 2).Enable(2, 3));
        R("ENABLE", "ok", s => Setup(s).Enable(1, C));
        R("ENABLE", "RLIMIT exactly both windows, second window", s => { Ready(s); s.OpenContainer(1).OpenGroup(1, 2).SetContainer(1, 6, 5).SetIommu(1, 5).Enable(1, 5); }, Edge);
        R("ENABLE", "RLIMIT one byte short of the window", s => Setup(s).PassFd(1, C, 2).Enable(2, 3), Edge);
        R("ENABLE", "RLIMIT 0 with CAP_IPC_LOCK", s => Setup(s).PassFd(1, C, 3).Enable(3, 3), Edge);
        R("DISABLE", "no driver", s => s.OpenContainer(1).Disable(1, C));
        R("DISABLE", "not enabled", s => Setup(s).Disable(1, C));
        R("DISABLE", "enabled, with a mapping", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000).Disable(1, C));
        R("DISABLE", "by another process", s => Ready(s).PassFd(1, C, 2).Disable(2, 3));

        // The other calls (PROC, HOST, CORE-20).
        R("open_group", "no such group", s => s.OpenGroup(1, 9));
        R("open_group", "already open", s => s.OpenGroup(1, 1).OpenGroup(1, 1));
        R("open_group", "caller exited", s => Exited(s).OpenGroup(3, 1));
        R("open_group", "ok", s => s.OpenGroup(1, 1));
        R("open_container", "caller exited", s => Exited(s).OpenContainer(3));
        R("close", "fd not open", s => s.Close(1, 3));
        R("close", "group fd of an enabled container with a mapping", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000).Close(1, G));
        R("close", "container fd, group still set", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000).Close(1, C));
        R("close", "last fd of a container left without groups", s => Ready(s).Close(1, G).Close(1, C));
        R("pass_fd", "receiver exited", s => Exited(s).OpenContainer(1).PassFd(1, 3, 3));
        R("pass_fd", "fd not open", s => s.PassFd(1, 3, 2));
        R("fork", "ok", s => s.OpenContainer(1).Fork(1));
        R("exit", "payer exits holding a mapping", s => Ready(s).Map(1, C, Va(s, 0), 0, 0x1000).Exit(1));
        R("mmap", "frame out of range", s => s.Add(new MapPageCmd(1, 0x18, 24, true)));
        R("munmap", "not mapped", s => s.Add(new UnmapPageCmd(1, 0x18)));
        R("host_alloc", "0 pages", s => s.HostAlloc(1, 0));
        R("host_alloc", "more than the window", s => s.HostAlloc(1, 65));
        R("host_alloc", "whole window but entry 0", s => s.HostAlloc(1, 63));
        R("host_alloc", "table owned by a container", s => Setup(s).HostAlloc(1, 1));
        R("host_alloc", "no such group", s => s.HostAlloc(9, 1));
        R("host_free", "entry not allocated", s => s.HostFree(1, 3, 1));
        R("host_free", "ok", s => s.HostAlloc(1, 2).HostFree(1, 1, 2));
        R("host_write_stale", "entry outside the window", s => s.HostStale(1, 64, 1));
        R("host_write_stale", "table owned by a container", s => Setup(s).HostStale(1, 5, 1));
        R("inject", "nth 0", s => s.Inject(1, 0));

        // The device (DEV-1): every error class in DEV-1's order, then success through a container's and the host's table.
        const DmaDirection Rd = DmaDirection.Read, Wr = DmaDirection.Write;
        Script Mapped(Script s, uint flags = Script.RW) => Ready(s).Map(1, C, Va(s, 0), 0x3000, 0x2000, flags: flags);  // entries 3, 4 -> frames 0, 1 (4 KiB)
        R("dma", "no such group", s => Mapped(s).Dma(9, 0x3000, 16, Wr));
        R("dma", "length 0", s => Mapped(s).Dma(1, 0x3000, 0, Rd));
        R("dma", "length DmaMaxBytes + 1", s => Mapped(s).Dma(1, 0x3000, Memory.DmaMaxBytes + 1, Rd));
        R("dma", "iova + len wraps 2^64", s => Mapped(s).Dma(1, ulong.MaxValue - 7, 16, Rd));
        R("dma", "iova outside the window", s => Mapped(s).Dma(1, 0x40000, 16, Rd));
        R("dma", "iova below a window at 0x800", s => Ready(s, 2).Map(1, C, Va(s, 0), 0x800000, 0x1000).Dma(2, 0x7ff000, 16, Rd));
        R("dma", "entry not mapped", s => Mapped(s).Dma(1, 0x5000, 16, Rd));
        R("dma", "write through a READ-only entry", s => Mapped(s, Abi.MapFlagRead).Dma(1, 0x3000, 16, Wr));
        R("dma", "read through a WRITE-only entry", s => Mapped(s, Abi.MapFlagWrite).Dma(1, 0x3000, 16, Rd));
        R("dma", "second page of the range not mapped", s => Mapped(s).Dma(1, 0x4ff8, 16, Wr));
        R("dma", "translation into no memory", s => s.HostStale(1, 5, 0x100000UL | Abi.TcePciRead).Dma(1, 0x5000, 16, Rd));
        R("dma", "after UNMAP_DMA of the entry", s => Mapped(s).Dma(1, 0x3000, 16, Rd).Unmap(1, C, 0x3000, 0x1000).Dma(1, 0x3000, 16, Rd));
        R("dma", "ok, write in one page", s => Mapped(s).Dma(1, 0x3010, 16, Wr));
        R("dma", "ok, write crossing two pages", s => Mapped(s).Dma(1, 0x3ff8, 16, Wr));
        R("dma", "ok, read", s => Mapped(s).Dma(1, 0x3000, 16, Wr).Dma(1, 0x3000, 32, Rd));
        R("dma", "ok, length DmaMaxBytes through the host's table", s => s.HostAlloc(1, 16).Dma(1, 0x1000, Memory.DmaMaxBytes, Rd));
        R("dma", "ok, write through the host's table", s => s.HostAlloc(1, 2).Dma(1, 0x1000, 16, Wr));

        // The life of a page (PAGE-1 .. PAGE-4): frames 15 .. 23 are never mapped at boot; pid 1 maps frames 0 .. 7.
        R("host_reuse", "not a frame", s => s.HostReuse(24));
        R("host_reuse", "negative pfn", s => s.HostReuse(-1));
        R("host_reuse", "pinned by a TCE, unmapped", s => { Ready(s).Map(1, C, Va(s, 0), 0, 0x1000); s.Munmap(1, 0x10).HostReuse(0); });
        R("host_reuse", "mapped by a process", s => s.HostReuse(0));
        R("host_reuse", "held by the host", s => s.HostReuse(20).HostReuse(20));
        R("host_reuse", "ok, never mapped", s => s.HostReuse(20));
        R("host_reuse", "ok, unmapped after UNMAP_DMA put its pin", s => { Ready(s).Map(1, C, Va(s, 0), 0, 0x1000); s.Munmap(1, 0x10).Unmap(1, C, 0, 0x1000).HostReuse(0); });
        R("mmap", "frame held by the host", s => s.HostReuse(20).Mmap(1, 0x18, 20));
        R("mmap", "ok, a free frame (no reuse: only the host reuses)", s => s.Mmap(1, 0x18, 20));
        R("mmap", "ok, frame mapped by another process (no reuse)", s => s.Mmap(1, 0x18, 9));
        return rows;
    }

    /// <summary>Runs every row on a fresh system from <paramref name="factory"/> and renders the table.</summary>
    public static string Render(Func<PlatformConfig, ITceSystem> factory)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Error-code decision table of the spec: for each call and each precondition class, the result and what the call changed.");
        sb.AppendLine("# Generated by running the model on the crafted scenarios of tests/properties/DecisionTable/ErrorTable.cs; never edit by hand.");
        sb.AppendLine("# Accept a reviewed change with TCEVERIFY_ACCEPT=1. Platform: PlatformConfig.Small(12), group 2 not viable (RLIMIT rows: Platforms.RlimitEdge(12)).");
        sb.AppendLine("# Not reachable through calls, so not in the table: ENXIO of INFO-1, MAP-2, UNMAP-2, EN-2 (a container with a driver always");
        sb.AppendLine("# holds a table, INV-7) and ESRCH of EN-3 (only the exit path runs without an mm, and it issues no ioctl).");
        sb.AppendLine("#");
        sb.AppendLine("# call | precondition class | result | changes");
        foreach (var row in Rows)
        {
            var (result, changes) = Run(factory, row);
            sb.AppendLine($"{row.Call} | {row.Class} | {result} | {changes}");
        }
        return sb.ToString();
    }

    static (string Result, string Changes) Run(Func<PlatformConfig, ITceSystem> factory, Row row)
    {
        var script = new Script(row.Config);
        row.Build(script);
        var program = script.Commands;
        var sys = factory(row.Config);
        for (int i = 0; i < program.Count - 1; i++) { program[i].Prepare(sys); program[i].Invoke(sys); }
        var call = program[^1];
        call.Prepare(sys);
        var before = sys.Snapshot();
        long r = call.Invoke(sys);
        var after = sys.Snapshot();
        return (call is DmaCmd { Direction: DmaDirection.Read } read && r >= 0 ? ReadResult(sys, read) : Errno.Describe(r), Changes(before, after));
    }

    /// <summary>A successful read returns a digest (DmaCmd); the table shows what it read instead, run-length encoded,
    /// by reading again (a read changes nothing, DEV-1).</summary>
    static string ReadResult(ITceSystem sys, DmaCmd read)
    {
        var bytes = new byte[read.Length];
        long r = sys.DeviceDma(read.Group, read.Iova, DmaDirection.Read, bytes);
        var runs = new List<string>();
        for (int i = 0; i < bytes.Length;)
        {
            int j = i;
            while (j < bytes.Length && bytes[j] == bytes[i]) j++;
            runs.Add($"{j - i} x {bytes[i]:x2}");
            i = j;
        }
        return $"{Errno.Describe(r)}, read {string.Join(", ", runs)}";
    }

    /// <summary>Which kinds of state the call changed (STATE-10 line kinds), or "nothing".</summary>
    static string Changes(Snapshot before, Snapshot after)
    {
        var old = before.Lines.ToHashSet();
        var now = after.Lines.ToHashSet();
        var kinds = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var l in before.Lines.Where(l => !now.Contains(l)).Concat(after.Lines.Where(l => !old.Contains(l))))
            kinds.Add(Kind(l));
        // Page lines: name the field that changed.
        var pagesBefore = before.Lines.Where(l => l.StartsWith("page ", StringComparison.Ordinal)).ToDictionary(l => l.Split(' ')[1]);
        foreach (var l in after.Lines.Where(l => l.StartsWith("page ", StringComparison.Ordinal) && !old.Contains(l)))
        {
            var t = l.Split(' ');
            var b = pagesBefore[t[1]].Split(' ');
            if (t[2] != b[2]) kinds.Add("page counts");
            if (t[3] != b[3]) kinds.Add("dirty bits");
        }
        kinds.Remove("page");
        return kinds.Count == 0 ? "nothing" : string.Join(", ", kinds);
    }

    static string Kind(string line)
    {
        var t = line.Split(' ');
        return t[0] switch
        {
            "page" => "page",
            "mem" => "user memory",
            "proc" => t[2] switch { "fd" => "fds", "vm" => "address space", _ => "mm" },
            "container" => "container",
            "group" => t[2] == "device" ? "device opens" : "group",
            "table" => t[2] == "tce" ? "TCEs" : "table (owner/flush/inject/it_map)",
            "frame" => "frame generation/owner",
            _ => t[0],
        };
    }
}
