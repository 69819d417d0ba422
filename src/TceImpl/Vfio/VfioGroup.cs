using TceVerify.Contract;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Vfio;

/// <summary>
/// An IOMMU group as the VFIO core sees it (STATE-7): <c>opened</c>, <c>container</c>, <c>container_users</c>,
/// viability, devices, and its table (STATE-5).
/// </summary>
internal sealed class VfioGroup
{
    internal readonly int Id;
    internal readonly bool Viable;
    internal readonly IommuTable Table;
    internal readonly VfioDevice[] Devices;

    /// <summary>CORE-20: 0/1, compare-exchanged (LOCK-1).</summary>
    internal readonly IKAtomic Opened;
    /// <summary>LOCK-1: compare-exchange, decrement-if-positive, increment-unless-zero.</summary>
    internal readonly IKAtomic ContainerUsers;
    /// <summary>The adopted per-group lock (LOCK-1, FIND-11): SET_CONTAINER, UNSET_CONTAINER, dissolve.</summary>
    internal readonly IKMutex Lock;
    /// <summary><see cref="Container"/>: written under <see cref="Lock"/> and the container's group_lock (write).
    /// GET_DEVICE_FD reads it with no lock (LOCK-3) but only while holding a container user reference, whose
    /// atomic increment orders the read after the write.</summary>
    internal readonly ISharedCell ContainerCell;
    internal VfioContainer? Container;
    /// <summary>The id of <see cref="Container"/> (0: none), published with every write of it (WRITE_ONCE), for the
    /// readers that take no lock at all: GET_STATUS (CORE-22) and open (CORE-20).</summary>
    internal readonly IKAtomic ContainerId;

    internal VfioGroup(GroupConfig config, IommuTable table, ISyncLayer sync)
    {
        Id = config.Id;
        Viable = config.Viable;
        Table = table;
        Devices = new VfioDevice[config.Devices.Length];
        for (int i = 0; i < Devices.Length; i++) Devices[i] = new VfioDevice(Id, config.Devices[i], sync);
        Opened = sync.CreateAtomic($"group {Id} opened", 0);
        ContainerUsers = sync.CreateAtomic($"group {Id} container_users", 0);
        Lock = sync.CreateMutex(LockId.GroupLock(Id));
        ContainerCell = sync.CreateCell($"group {Id} container");
        ContainerId = sync.CreateAtomic($"group {Id} container id", 0);
    }

    /// <summary>The device whose name equals the bytes (each byte is one character), or null.</summary>
    internal VfioDevice? FindDevice(ReadOnlySpan<byte> name)
    {
        foreach (var d in Devices)
            if (d.NameIs(name)) return d;
        return null;
    }
}

/// <summary>A device of a group, by name, with its open count (STATE-7).</summary>
internal sealed class VfioDevice
{
    internal readonly string Name;
    internal readonly IKAtomic Opens;

    internal VfioDevice(int groupId, string name, ISyncLayer sync)
    {
        Name = name;
        Opens = sync.CreateAtomic($"group {groupId} device {name} opens", 0);
    }

    internal bool NameIs(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Name.Length) return false;
        for (int i = 0; i < bytes.Length; i++)
            if (bytes[i] != Name[i]) return false;
        return true;
    }
}
