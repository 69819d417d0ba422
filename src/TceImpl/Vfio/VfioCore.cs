using System.Buffers.Binary;
using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Vfio;

/// <summary>
/// The VFIO core (core.md): the container file (CORE-1 .. CORE-8), the group file (CORE-20 .. CORE-28) and the
/// device file (CORE-30, CORE-31), one method per operation, each check in spec order. The driver is reached only
/// through its ops table (<see cref="IIommuDriverOps"/>). A catalog variant omits a step (<see cref="Omit"/>),
/// overrides a whole operation (<see cref="Passthrough"/>, <see cref="GetDeviceFdReferenced"/>,
/// <see cref="GroupRelease"/>) or the hook in VfioCore.Hooks.cs.
/// Lock order (LOCK-2): group.lock -> container group_lock -> driver mutex -> table inject lock -> mmap_sem -> pool locks.
/// </summary>
internal partial class VfioCore
{
    protected readonly KernelContext Ctx;
    readonly ISyncLayer _sync;
    /// <summary>STATE-8: the registered IOMMU drivers; exactly one, the SPAPR TCE driver.</summary>
    readonly IIommuDriverOps[] _drivers;
    /// <summary>Every container ever created, in id order, under <see cref="_containersLock"/> (a leaf).
    /// Not a kernel structure: it lets the snapshot find every live container (STATE-10).</summary>
    readonly List<VfioContainer> _containers = new();
    readonly IKMutex _containersLock;
    readonly IKAtomic _fileIds;
    readonly Dictionary<int, VfioGroup> _groups;

    internal VfioCore(KernelContext ctx, IIommuDriverOps driver, IReadOnlyList<VfioGroup> groups)
    {
        Ctx = ctx;
        _sync = ctx.Sync;
        _drivers = [driver];
        _containersLock = _sync.CreateMutex(LockId.Containers);
        _fileIds = _sync.CreateAtomic("file ids", 0);
        _groups = new Dictionary<int, VfioGroup>(groups.Count);
        foreach (var g in groups) _groups.Add(g.Id, g);
    }

    /// <summary>Raw read for the snapshot (quiescent): every container ever created, freed ones included.</summary>
    internal IReadOnlyList<VfioContainer> ContainersForDump => _containers;

    /// <summary>The group with that id, or null. The set of groups is fixed at boot.</summary>
    internal VfioGroup? FindGroup(int id) => _groups.GetValueOrDefault(id);

    int NextFileId() => (int)_fileIds.Add(1);

    // ================================================================ container file

    /// <summary>CORE-1 open("/dev/vfio/vfio"): a new container with count 1, no groups, no driver.</summary>
    internal long OpenContainer(in Current cur)
    {
        _containersLock.Lock();
        int id = _containers.Count + 1;                        // STATE-6: 1, 2, ... never reused
        var container = new VfioContainer(id, _sync);
        _containers.Add(container);
        _containersLock.Unlock();
        var file = new ContainerFile(this, container, _sync, NextFileId(), "container " + id);
        return cur.Task.Files.Install(file);                   // CORE-1, STATE-4
    }

    /// <summary>CORE-2 dispatch of a container ioctl.</summary>
    internal long ContainerIoctl(VfioContainer container, in Current cur, uint cmd, ulong arg)
    {
        switch (cmd)
        {
            case VfioIoctl.GetApiVersion:
                return Abi.ApiVersion;                         // CORE-2: no lock
            case VfioIoctl.CheckExtension:
                return CheckExtension(container, cur, arg);    // CORE-3
            case VfioIoctl.SetIommu:
                return SetIommu(container, cur, arg);          // CORE-4
            default:
                return Passthrough(container, cur, cmd, arg);  // CORE-6
        }
    }

    /// <summary>CORE-3 CHECK_EXTENSION: the set driver answers, else the first registered driver that says yes.</summary>
    long CheckExtension(VfioContainer container, in Current cur, ulong arg)
    {
        long ret = 0;
        container.GroupLock.DownRead();                        // CORE-3, LOCK-3
        container.Cell.Read();
        var driver = container.Driver;
        if (driver is not null)
        {
            ret = driver.Ioctl(container.Data, cur, VfioIoctl.CheckExtension, arg); // CORE-3 -> EXT-1
        }
        else
        {
            foreach (var d in _drivers)
            {
                ret = d.Ioctl(null, cur, VfioIoctl.CheckExtension, arg); // CORE-3: asked in turn
                // Stryker disable once all
                if (ret > 0) break;
            }
        }
        container.GroupLock.UpRead();
        return ret;
    }

    /// <summary>CORE-4 SET_IOMMU: open the driver's data and attach every group in list order; unwind on failure.</summary>
    long SetIommu(VfioContainer container, in Current cur, ulong arg)
    {
        container.GroupLock.DownWrite();           // CORE-4, LOCK-3
        container.Cell.Write();
        if (container.Groups.Count == 0 || container.Driver is not null)
        {
            container.GroupLock.UpWrite();
            return -Errno.EINVAL;                              // CORE-4: no group, or a driver already set
        }
        IIommuDriverOps? driver = null;
        foreach (var d in _drivers)
        {
            if (d.Ioctl(null, cur, VfioIoctl.CheckExtension, arg) <= 0) continue; // CORE-4: the driver must support arg
            driver = d;
            // Stryker disable once all
            break;
        }
        if (driver is null)
        {
            container.GroupLock.UpWrite();
            return -Errno.ENODEV;                              // CORE-4
        }
        if (container.Groups.Count > 1 && !Ctx.Omits(Omit.SetIommuGroupCountCheck))
        {
            container.GroupLock.UpWrite();
            return -Errno.EBUSY;                               // CORE-4 (adopted, FIND-19): one group per container (ATT-1)
        }
        int ret = driver.Open(arg, container.Id, out var data); // CORE-4 -> OPEN-1
        // Stryker disable all
        if (ret != 0 || data is null)
        {
            container.GroupLock.UpWrite();
            return ret != 0 ? ret : -Errno.EINVAL;
        }
        // Stryker restore all
        var groups = container.Groups;
        int attached = 0;
        for (; attached < groups.Count; attached++)
        {
            ret = driver.AttachGroup(data, groups[attached]);  // CORE-4 -> ATT-1, list order
            if (ret != 0) break;
        }
        if (ret != 0)
        {
            // Unwinding (reached with a group attached only by FIND-19's literal variant: the check above lets one
            // group through): the release (REL-1) detaches whatever is still attached, so each of the next
            // statements alone undoes the attach.
            // Stryker disable once Equality
            for (int j = attached - 1; j >= 0; j--)
                // Stryker disable once Statement
                driver.DetachGroup(data, groups[j], cur);      // CORE-4: unwind in reverse order (DET-1)
            driver.Release(data, cur);                         // CORE-4 -> REL-1
            container.GroupLock.UpWrite();
            return ret;
        }
        container.Driver = driver;                             // CORE-4: stored on success
        container.Data = data;
        container.GroupLock.UpWrite();
        return 0;
    }

    /// <summary>CORE-6 every other command: the driver's ioctl under group_lock (read), or -EINVAL without one.
    /// Catalog hook: where the driver data is used.</summary>
    protected internal virtual long Passthrough(VfioContainer container, in Current cur, uint cmd, ulong arg)
    {
        long ret;
        Ctx.DownRead(container.GroupLock, Omit.GroupLockOnPassthrough); // CORE-6, LOCK-3
        container.Cell.Read();
        var driver = container.Driver;
        var data = container.Data;
        // Stryker disable once Logical
        if (driver is not null && data is not null) ret = driver.Ioctl(data, cur, cmd, arg); // CORE-6 -> DRV-1
        else ret = -Errno.EINVAL;                              // CORE-6: no driver
        Ctx.UpRead(container.GroupLock, Omit.GroupLockOnPassthrough);
        return ret;
    }

    /// <summary>CORE-5 container file release: drops the file's reference.</summary>
    internal void ContainerRelease(VfioContainer container, in Current cur) => ContainerPut(container, cur);

    /// <summary>CORE-8 put: at 0 the driver data still set is released (in current's context) and the container freed.</summary>
    void ContainerPut(VfioContainer container, in Current cur)
    {
        if (container.Refs.Add(-1) != 0) return;              // CORE-8
        container.GroupLock.DownWrite();                       // LOCK-3: REL-1 under group_lock (write)
        container.Cell.Write();
        // Stryker disable once Block
        if (container.Driver is { } driver && container.Data is { } data)
        {
            driver.Release(data, cur);                         // CORE-8 -> REL-1
            container.Driver = null;
            container.Data = null;
        }
        container.GroupLock.UpWrite();
    }

    // ================================================================ group file

    /// <summary>CORE-20 open("/dev/vfio/GROUP").</summary>
    internal long OpenGroup(in Current cur, int groupId)
    {
        var group = FindGroup(groupId);
        if (group is null) return -Errno.ENOENT;               // CORE-20
        Ctx.Lock(group.Lock, Omit.GroupMutexOnOpen);          // CORE-20 (FIND-20)
        long ret;
        if (group.Opened.CompareExchange(0, 1) != 0) ret = -Errno.EBUSY; // CORE-20: already opened
        else if (group.ContainerId.Read() != 0)
        {
            group.Opened.Set(0);
            ret = -Errno.EBUSY;                                // CORE-20: container still set from an earlier open
        }
        else
        {
            var file = new GroupFile(this, group, _sync, NextFileId(), "group " + group.Id);
            ret = cur.Task.Files.Install(file);
        }
        Ctx.Unlock(group.Lock, Omit.GroupMutexOnOpen);
        return ret;
    }

    /// <summary>CORE-21 dispatch of a group ioctl.</summary>
    internal long GroupIoctl(VfioGroup group, in Current cur, uint cmd, ulong arg)
    {
        switch (cmd)
        {
            case VfioIoctl.GroupGetStatus:
                return GroupGetStatus(group, cur, arg);        // CORE-22
            case VfioIoctl.GroupSetContainer:
                return GroupSetContainer(group, cur, arg);     // CORE-23
            case VfioIoctl.GroupUnsetContainer:
                return GroupUnsetContainer(group, cur);        // CORE-24
            case VfioIoctl.GroupGetDeviceFd:
                return GroupGetDeviceFd(group, cur, arg);      // CORE-27
            default:
                return -Errno.ENOTTY;                          // CORE-21
        }
    }

    /// <summary>CORE-22 GET_STATUS.</summary>
    long GroupGetStatus(VfioGroup group, in Current cur, ulong arg)
    {
        Span<byte> status = stackalloc byte[Abi.GroupStatusMinsz];
        if (UserAccess.CopyFromUser(cur, arg, status) != 0) return -Errno.EFAULT;     // CORE-22, ABI-8
        if (BinaryPrimitives.ReadUInt32LittleEndian(status) < Abi.GroupStatusMinsz
            && !Ctx.Omits(Omit.StatusArgszCheck)) return -Errno.EINVAL;                // CORE-22, ABI-8
        uint flags = 0;
        // Stryker disable once Assignment
        if (group.Viable) flags |= Abi.GroupFlagViable;                                // CORE-22
        Ctx.Lock(group.Lock, Omit.GroupMutexOnStatus);        // CORE-22 (FIND-14)
        bool containerSet = group.ContainerId.Read() != 0;
        Ctx.Unlock(group.Lock, Omit.GroupMutexOnStatus);
        // Stryker disable once Assignment
        if (containerSet) flags |= Abi.GroupFlagContainerSet;                          // CORE-22
        BinaryPrimitives.WriteUInt32LittleEndian(status[4..], flags);
        if (UserAccess.CopyToUser(cur, arg, status) != 0) return -Errno.EFAULT;       // CORE-22, ABI-6
        return 0;
    }

    /// <summary>CORE-23 SET_CONTAINER.</summary>
    long GroupSetContainer(VfioGroup group, in Current cur, ulong arg)
    {
        if (UserAccess.GetUserInt32(cur, arg, out int fd) != 0) return -Errno.EFAULT; // CORE-23, ABI-9
        if (fd < 0 && !Ctx.Omits(Omit.SetContainerFdCheck)) return -Errno.EINVAL;    // CORE-23: before any lock
        Ctx.Lock(group.Lock, Omit.GroupMutexOnSetContainer);  // CORE-23 (FIND-11)
        long ret = SetContainer(group, cur, fd);
        Ctx.Unlock(group.Lock, Omit.GroupMutexOnSetContainer);
        return ret;
    }

    /// <summary>CORE-23 under the group's lock: vfio_group_set_container.</summary>
    long SetContainer(VfioGroup group, in Current cur, int fd)
    {
        int users = SetContainerUsersCheck(group, cur, fd);                            // CORE-23
        if (users != 0) return users;
        var f = cur.Task.Files.Lookup(fd);
        if (f is null) return -Errno.EBADF;                                            // CORE-23
        if (f is not ContainerFile cf) return -Errno.EINVAL;                           // CORE-23: not a container
        // Stryker disable once Unary
        if (!cf.TryGet()) return -Errno.EBADF;                                         // CORE-23, PROC-2: closed meanwhile
        var container = cf.Container;
        Ctx.DownWrite(container.GroupLock, Omit.GroupLockOnSetContainer); // CORE-23, LOCK-3
        container.Cell.Write();
        if (container.Driver is { } driver && container.Data is { } data)
        {
            int ret = driver.AttachGroup(data, group);                                 // CORE-23 -> ATT-1
            if (ret != 0)
            {
                Ctx.UpWrite(container.GroupLock, Omit.GroupLockOnSetContainer);
                cf.Put();
                return ret;                                                            // CORE-23: nothing added
            }
        }
        group.ContainerCell.Write();
        group.Container = container;                                                   // CORE-23
        group.ContainerId.Set(container.Id);
        container.Groups.Insert(0, group);                                             // CORE-23: head of the list
        container.Refs.Add(1);                                                         // CORE-23, CORE-7
        group.ContainerUsers.Add(1);                                                   // CORE-23
        Ctx.UpWrite(container.GroupLock, Omit.GroupLockOnSetContainer);
        cf.Put();
        return 0;
    }

    /// <summary>CORE-24 UNSET_CONTAINER.</summary>
    long GroupUnsetContainer(VfioGroup group, in Current cur)
    {
        long ret;
        Ctx.Lock(group.Lock, Omit.GroupMutexOnUnsetContainer); // CORE-24 (FIND-11)
        long users = group.ContainerUsers.CompareExchange(1, 0);
        if (users == 0) ret = -Errno.EINVAL;                                           // CORE-24: no container
        else if (users > 1) ret = -Errno.EBUSY;                                        // CORE-24: devices open
        else
        {
            UnsetContainer(group, cur);                                                // CORE-24 -> CORE-25
            ret = 0;
        }
        Ctx.Unlock(group.Lock, Omit.GroupMutexOnUnsetContainer);
        return ret;
    }

    /// <summary>CORE-25 __vfio_group_unset_container.</summary>
    void UnsetContainer(VfioGroup group, in Current cur)
    {
        group.ContainerCell.Read();
        var container = group.Container;
        if (container is null) return; // only a broken variant (FIND-12) gets here with no container
        Ctx.DownWrite(container.GroupLock, Omit.GroupLockOnUnsetContainer); // CORE-25, LOCK-3
        container.Cell.Write();
        if (container.Driver is { } driver && container.Data is { } data)
            driver.DetachGroup(data, group, cur);                                      // CORE-25 -> DET-1
        group.ContainerCell.Write();
        group.Container = null;                                                        // CORE-25
        group.ContainerId.Set(0);
        container.Groups.Remove(group);
        if (container.Groups.Count == 0 && container.Driver is { } d && container.Data is { } dd)
        {
            d.Release(dd, cur);                                                        // CORE-25 -> REL-1
            container.Driver = null;
            container.Data = null;
        }
        Ctx.UpWrite(container.GroupLock, Omit.GroupLockOnUnsetContainer);
        ContainerPut(container, cur);                                                  // CORE-25 -> CORE-8
    }

    /// <summary>CORE-27 GET_DEVICE_FD.</summary>
    long GroupGetDeviceFd(VfioGroup group, in Current cur, ulong arg)
    {
        int ret = UserAccess.StrndupUser(cur, arg, Ctx.PageSize, out var name);       // CORE-27, ABI-10
        // Stryker disable once Logical,Conditional,Unary
        if (ret != 0 || name is null) return ret != 0 ? ret : -Errno.EFAULT;
        Ctx.Lock(group.Lock, Omit.GroupMutexOnDeviceFd);      // CORE-27 (FIND-15, FIND-17)
        long fd = GetDeviceFdReferenced(group, cur, name);
        Ctx.Unlock(group.Lock, Omit.GroupMutexOnDeviceFd);
        return fd;
    }

    /// <summary>
    /// CORE-27 after the name, under the group's lock: the container user reference is taken first, with
    /// increment-unless-zero (adopted, FIND-12), and dropped again (CORE-28) when a check fails; on success it stays
    /// with the device file. Catalog hook: the reference order.
    /// </summary>
    protected internal virtual long GetDeviceFdReferenced(VfioGroup group, in Current cur, ReadOnlySpan<byte> name)
    {
        if (!group.ContainerUsers.IncrementUnlessZero()) return -Errno.EINVAL;        // CORE-27 (FIND-12)
        int ret = GetDeviceFdChecks(group, name, out var device);
        // Stryker disable once Logical
        if (ret != 0 || device is null)
        {
            DissolveLocked(group, cur);                                                // CORE-27 -> CORE-28
            // Stryker disable once Conditional,Unary
            return ret != 0 ? ret : -Errno.ENODEV;
        }
        return OpenDeviceFile(group, device, cur);
    }

    /// <summary>CORE-27 checks, in order: a driver on the group's container, a viable group, a device of that name.</summary>
    protected internal int GetDeviceFdChecks(VfioGroup group, ReadOnlySpan<byte> name, out VfioDevice? device)
    {
        device = null;
        group.ContainerCell.Read();
        var container = group.Container;
        // Stryker disable once all
        if (container is null) return -Errno.EINVAL;        // CORE-27 (a container can vanish only in a variant)
        Ctx.DownRead(container.GroupLock, Omit.GroupLockOnDeviceFdDriver); // CORE-27 (FIND-21): the driver under group_lock
        container.Cell.Read();
        bool driverSet = container.Driver is not null;
        Ctx.UpRead(container.GroupLock, Omit.GroupLockOnDeviceFdDriver);
        if (!driverSet) return -Errno.EINVAL;               // CORE-27: no driver set
        if (!group.Viable) return -Errno.EINVAL;            // CORE-27: not viable
        device = group.FindDevice(name);
        if (device is null) return -Errno.ENODEV;           // CORE-27: no such device
        return 0;
    }

    /// <summary>CORE-27 success: the device's open count + 1, a new device file and fd.</summary>
    protected internal long OpenDeviceFile(VfioGroup group, VfioDevice device, in Current cur)
    {
        device.Opens.Add(1);
        var file = new DeviceFile(this, group, device, _sync, NextFileId(), "device " + group.Id + ":" + device.Name);
        return cur.Task.Files.Install(file);
    }

    /// <summary>CORE-26 group file release, under the group's lock: dissolve, then <c>opened = 0</c>. Catalog hook
    /// (FIND-20's literal code drops the lock before <c>opened = 0</c>).</summary>
    protected internal virtual void GroupRelease(VfioGroup group, in Current cur)
    {
        Ctx.Lock(group.Lock, Omit.GroupMutexOnRelease);       // CORE-26 (FIND-20)
        DissolveLocked(group, cur);                            // CORE-26 -> CORE-28
        group.Opened.Set(0);                                   // CORE-26
        Ctx.Unlock(group.Lock, Omit.GroupMutexOnRelease);
    }

    /// <summary>CORE-28 vfio_group_try_dissolve_container, taking the group's lock.</summary>
    protected internal void Dissolve(VfioGroup group, in Current cur)
    {
        Ctx.Lock(group.Lock, Omit.GroupMutexOnDissolve);      // CORE-28 (FIND-11)
        DissolveLocked(group, cur);
        Ctx.Unlock(group.Lock, Omit.GroupMutexOnDissolve);
    }

    /// <summary>CORE-28 with the group's lock held by the caller (CORE-26, CORE-27).</summary>
    protected internal void DissolveLocked(VfioGroup group, in Current cur)
    {
        if (group.ContainerUsers.DecrementIfPositive() == 0)   // CORE-28: the last user
            UnsetContainer(group, cur);                        // CORE-28 -> CORE-25
    }

    // ================================================================ device file

    /// <summary>CORE-31: the device's own driver is out of scope.</summary>
    internal long DeviceIoctl(uint cmd) => -Errno.ENOTTY;

    /// <summary>CORE-30 device file release: open count - 1, then dissolve.</summary>
    internal void DeviceRelease(VfioGroup group, VfioDevice device, in Current cur)
    {
        device.Opens.Add(-1);                                  // CORE-30
        Dissolve(group, cur);                                  // CORE-30 -> CORE-28
    }
}
