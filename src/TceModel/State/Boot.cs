using System.Collections.Immutable;
using TceVerify.Contract;

namespace TceVerify.Model;

/// <summary>The world at boot (STATE-1 .. STATE-7).</summary>
public static class Boot
{
    public static World Create(PlatformConfig config)
    {
        var processes = ImmutableSortedDictionary.CreateBuilder<int, Process>();
        foreach (var pc in config.Processes)
            processes[pc.Pid] = BootProcess(pc);

        var groups = ImmutableSortedDictionary.CreateBuilder<int, Group>();
        var tables = ImmutableSortedDictionary.CreateBuilder<int, Table>();
        foreach (var gc in config.Groups)
        {
            groups[gc.Id] = BootGroup(gc);
            tables[gc.Id] = BootTable(gc);
        }

        return new World(
            config,
            // STATE-2: every frame starts at BaseRefCount(pfn), clean, all bytes zero (the sparse maps are empty).
            Pages: ImmutableSortedDictionary<long, PageState>.Empty,
            Bytes: ImmutableSortedDictionary<long, byte>.Empty,
            Processes: processes.ToImmutable(),
            Files: ImmutableSortedDictionary<int, OpenFile>.Empty,
            NextFileId: 1,
            // STATE-6: container ids are 1, 2, ... in order of creation.
            Containers: ImmutableSortedDictionary<int, Container>.Empty,
            NextContainerId: 1,
            Groups: groups.ToImmutable(),
            Tables: tables.ToImmutable());
    }

    /// <summary>STATE-3: a boot process: live mm, locked_vm 0, its configured limits and mappings, no fds.</summary>
    static Process BootProcess(ProcessConfig pc)
    {
        var vm = ImmutableSortedDictionary.CreateBuilder<ulong, UserPage>();
        foreach (var m in pc.Mappings)
            vm[m.Vpage] = new UserPage(m.Pfn, m.Writable); // a later mapping of the same vpage replaces (PROC-7)
        var mm = new Mm(Exited: false, LockedVm: 0, pc.RlimitMemlock, pc.CapIpcLock, vm.ToImmutable());
        return new Process(pc.Pid, mm, ImmutableSortedDictionary<int, int>.Empty);
    }

    /// <summary>STATE-7: not opened, no container, no users, every device closed.</summary>
    static Group BootGroup(GroupConfig gc)
    {
        var devices = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var d in gc.Devices)
            devices[d] = 0;
        return new Group(gc.Id, gc.Viable, Opened: false, Container: null, ContainerUsers: 0, devices.ToImmutable());
    }

    /// <summary>STATE-5, TBL-1, TBL-2: the boot table.</summary>
    static Table BootTable(GroupConfig gc)
    {
        var tces = ImmutableSortedDictionary.CreateBuilder<long, ulong>();
        // TBL-2: the guard entries below the window hold HostTce(e); the window and the guard above hold 0.
        for (long e = Memory.StorageStart(gc); e < gc.ItOffset; e++)
            tces[e] = Memory.HostTce(e);
        // STATE-5, TBL-1: it_map has exactly bit it_offset set when it_offset == 0, no bit otherwise.
        var itMap = gc.ItOffset == 0 ? ImmutableSortedSet.Create(0L) : ImmutableSortedSet<long>.Empty;
        return new Table(gc.Id, gc.ItOffset, gc.ItSize, tces.ToImmutable(), itMap,
            FlushPending: false, Countdown: 0, Owner: null);
    }
}
