using System.Buffers.Binary;
using System.Collections.Immutable;
using TceVerify.Contract;

namespace TceVerify.Model.Rules;

/// <summary>
/// The VFIO core (CORE): container, group and device files and their reference counts. The locks of LOCK-3
/// (group.lock, group_lock) only order concurrent calls; the model is sequential.
/// </summary>
public static class CoreRules
{
    // ---------------------------------------------------------------- container file

    /// <summary>CORE-1 open_container(pid): a new container with count 1, no groups, no driver; a new file and fd.</summary>
    public static Step OpenContainer(World w, int pid)
    {
        if (!ProcRules.IsLive(w, pid)) return Step.Fail(w, Errno.ESRCH);                      // PROC-1
        int id = w.NextContainerId;                                                            // STATE-6: ids in order
        var container = new Container(id, Refs: 1, ImmutableList<int>.Empty, Driver: null);    // CORE-1, CORE-7
        w = w.WithContainer(container) with { NextContainerId = id + 1 };
        var (w2, fd) = ProcRules.InstallFile(w, pid, new ContainerFile(id));                   // CORE-1, STATE-4
        return Step.Ok(w2, fd);
    }

    /// <summary>CORE-2 ioctl on a container fd.</summary>
    public static Step ContainerIoctl(World w, Caller c, int containerId, Command cmd, ulong arg) => cmd switch
    {
        Command.GetApiVersion => Step.Ok(w, Abi.ApiVersion),                                  // CORE-2: 0, no lock
        Command.CheckExtension => Step.Ok(w, CheckExtension(w, containerId, arg)),            // CORE-2 -> CORE-3
        Command.SetIommu => SetIommu(w, containerId, arg),                                     // CORE-2 -> CORE-4
        _ => Passthrough(w, c, containerId, cmd, arg),                                         // CORE-2 -> CORE-6
    };

    /// <summary>STATE-8: the registered IOMMU drivers' CHECK_EXTENSION callbacks, in registration order.</summary>
    static readonly Func<ulong, long>[] RegisteredDrivers = [DriverRules.CheckExtension];

    /// <summary>CORE-3 CHECK_EXTENSION under group_lock (read). Never fails.</summary>
    public static long CheckExtension(World w, int containerId, ulong arg)
    {
        if (w.Containers[containerId].Driver is not null)
            return DriverRules.CheckExtension(arg);                                            // CORE-3: the driver answers
        foreach (var ask in RegisteredDrivers)                                                 // CORE-3: asked in turn
        {
            long answer = ask(arg);
            if (answer > 0) return answer;                                                     // CORE-3: first positive
        }
        return 0;                                                                              // CORE-3: else 0
    }

    /// <summary>CORE-4 SET_IOMMU under group_lock (write).</summary>
    public static Step SetIommu(World w, int containerId, ulong arg)
    {
        var container = w.Containers[containerId];
        if (container.Groups.IsEmpty || container.Driver is not null)
            return Step.Fail(w, Errno.EINVAL);                                                 // CORE-4: no group, or a driver
        if (DriverRules.CheckExtension(arg) <= 0) return Step.Fail(w, Errno.ENODEV);           // CORE-4: EXT-1 not positive
        if (container.Groups.Count > 1) return Step.Fail(w, Errno.EBUSY);                      // CORE-4 (FIND-19): one group
        var data = DriverRules.Open(arg, out long opened);                                     // CORE-4 -> OPEN-1
        if (data is null) return new Step(w, opened);
        var a = DriverRules.Attach(w, containerId, data, container.Groups[0]);                 // CORE-4 -> ATT-1
        if (a.Failed) return new Step(w, a.Result);                                            // CORE-4, INV-5: REL-1 of fresh data changes nothing
        return Step.Ok(a.World.WithContainer(a.World.Containers[containerId] with { Driver = a.Data })); // CORE-4: driver stored
    }

    /// <summary>CORE-5 container file release: drops the file's reference (CORE-8).</summary>
    public static World ReleaseContainerFile(World w, Caller c, int containerId) => Put(w, c, containerId); // CORE-5

    /// <summary>CORE-6 passthrough under group_lock (read): the driver's ioctl (DRV-1), or -EINVAL without a driver.</summary>
    public static Step Passthrough(World w, Caller c, int containerId, Command cmd, ulong arg)
    {
        var container = w.Containers[containerId];
        if (container.Driver is not DriverData d) return Step.Fail(w, Errno.EINVAL);          // CORE-6: no driver
        var r = DriverRules.Ioctl(w, c, d, cmd, arg);                                          // CORE-6 -> DRV-1
        if (r.Data == d) return new Step(r.World, r.Result);
        return new Step(r.World.WithContainer(r.World.Containers[containerId] with { Driver = r.Data }), r.Result);
    }

    /// <summary>CORE-8 put: the count - 1; at 0 the driver data (if still set) is released (REL-1) in current's
    /// context and the container is freed.</summary>
    public static World Put(World w, Caller c, int containerId)
    {
        // CORE-8: runs in current's context (c); REL-1 -> DIS-2 charges back the payer, never current.
        var container = w.Containers[containerId];
        container = container with { Refs = container.Refs - 1 };                             // CORE-8: decrement
        if (container.Refs > 0) return w.WithContainer(container);
        if (container.Driver is DriverData d)
            w = DriverRules.Release(w, containerId, d);                                        // CORE-8 -> REL-1
        return w.WithoutContainer(containerId);                                                // CORE-8: freed
    }

    // ---------------------------------------------------------------- group file

    /// <summary>CORE-20 open_group(pid, g).</summary>
    public static Step OpenGroup(World w, int pid, int groupId)
    {
        if (!ProcRules.IsLive(w, pid)) return Step.Fail(w, Errno.ESRCH);                      // PROC-1
        if (!w.Groups.TryGetValue(groupId, out var g)) return Step.Fail(w, Errno.ENOENT);     // CORE-20: no such group
        if (g.Opened) return Step.Fail(w, Errno.EBUSY);                                        // CORE-20: already opened
        if (g.Container is not null) return Step.Fail(w, Errno.EBUSY);                         // CORE-20: container still set
        w = w.WithGroup(g with { Opened = true });                                             // CORE-20: opened = 1
        var (w2, fd) = ProcRules.InstallFile(w, pid, new GroupFile(groupId));                  // CORE-20: file and fd
        return Step.Ok(w2, fd);
    }

    /// <summary>CORE-21 ioctl on a group fd.</summary>
    public static Step GroupIoctl(World w, Caller c, int groupId, Command cmd, ulong arg) => cmd switch
    {
        Command.GroupGetStatus => GetStatus(w, c, groupId, arg),                               // CORE-21 -> CORE-22
        Command.GroupSetContainer => SetContainer(w, c, groupId, arg),                         // CORE-21 -> CORE-23
        Command.GroupUnsetContainer => UnsetContainer(w, c, groupId),                          // CORE-21 -> CORE-24
        Command.GroupGetDeviceFd => GetDeviceFd(w, c, groupId, arg),                           // CORE-21 -> CORE-27
        _ => Step.Fail(w, Errno.ENOTTY),                                                       // CORE-21: any other
    };

    /// <summary>CORE-22 GET_STATUS.</summary>
    public static Step GetStatus(World w, Caller c, int groupId, ulong arg)
    {
        var raw = UserMemory.CopyFromUser(w, c, arg, Abi.GroupStatusMinsz);
        if (raw is null) return Step.Fail(w, Errno.EFAULT);                                    // CORE-22 (ABI-8, ABI-5)
        uint argsz = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(0));
        if (argsz < Abi.GroupStatusMinsz) return Step.Fail(w, Errno.EINVAL);                  // CORE-22 (ABI-8)
        var g = w.Groups[groupId];
        uint flags = 0;
        if (g.Viable) flags |= Abi.GroupFlagViable;                                            // CORE-22: VIABLE
        if (g.Container is not null) flags |= Abi.GroupFlagContainerSet;                       // CORE-22: CONTAINER_SET
        var status = new byte[Abi.GroupStatusMinsz];                                         // ABI-7: {argsz; flags}
        BinaryPrimitives.WriteUInt32LittleEndian(status.AsSpan(0), argsz);                     // ABI-8: argsz as read
        BinaryPrimitives.WriteUInt32LittleEndian(status.AsSpan(4), flags);
        return UserMemory.CopyToUser(w, c, arg, status);                                       // CORE-22 (ABI-6)
    }

    /// <summary>CORE-23 SET_CONTAINER.</summary>
    public static Step SetContainer(World w, Caller c, int groupId, ulong arg)
    {
        if (UserMemory.ReadInt32(w, c, arg) is not int fd) return Step.Fail(w, Errno.EFAULT); // CORE-23 (ABI-9)
        if (fd < 0) return Step.Fail(w, Errno.EINVAL);                                         // CORE-23: fd < 0
        // CORE-23 (FIND-11): from here on, holding the group's lock.
        var g = w.Groups[groupId];
        if (g.ContainerUsers != 0) return Step.Fail(w, Errno.EINVAL);                          // CORE-23: users != 0
        if (!w.Processes[c.Pid].Fds.TryGetValue(fd, out var fileId))
            return Step.Fail(w, Errno.EBADF);                                                  // CORE-23: not in the table
        if (w.Files[fileId] is not ContainerFile cf) return Step.Fail(w, Errno.EINVAL);        // CORE-23: not a container
        int cid = cf.ContainerId;
        // CORE-23: under the container's group_lock for writing.
        if (w.Containers[cid].Driver is DriverData d)
        {
            var a = DriverRules.Attach(w, cid, d, groupId);                                    // CORE-23 -> ATT-1
            if (a.Failed) return Step.Fail(w, (int)-a.Result);                                 // CORE-23: nothing added
            w = a.World.WithContainer(a.World.Containers[cid] with { Driver = a.Data });
        }
        var container = w.Containers[cid];
        w = w.WithContainer(container with
        {
            Groups = container.Groups.Insert(0, groupId),                                      // CORE-23: head of the list
            Refs = container.Refs + 1,                                                         // CORE-23: count + 1
        });
        g = w.Groups[groupId];
        w = w.WithGroup(g with { Container = cid, ContainerUsers = g.ContainerUsers + 1 });    // CORE-23: users + 1
        return Step.Ok(w);
    }

    /// <summary>CORE-24 UNSET_CONTAINER, holding the group's lock (adopted, FIND-11).</summary>
    public static Step UnsetContainer(World w, Caller c, int groupId)
    {
        var g = w.Groups[groupId];
        if (g.ContainerUsers == 0) return Step.Fail(w, Errno.EINVAL);                          // CORE-24: it was 0
        if (g.ContainerUsers > 1) return Step.Fail(w, Errno.EBUSY);                            // CORE-24: device files open
        w = w.WithGroup(g with { ContainerUsers = 0 });                                        // CORE-24: 1 becomes 0
        return Step.Ok(Unset(w, c, groupId));                                                  // CORE-24 -> CORE-25
    }

    /// <summary>CORE-25 unset: under c.group_lock (write), detach, leave the list, release the data with the last
    /// group; then a put on c (CORE-8).</summary>
    public static World Unset(World w, Caller c, int groupId)
    {
        if (w.Groups[groupId].Container is not int cid)
            throw new InvalidOperationException("INV-7: CORE-25 runs only on a group that has a container");
        if (w.Containers[cid].Driver is DriverData d)
        {
            (w, d) = DriverRules.Detach(w, cid, d, groupId);                                   // CORE-25 -> DET-1
            w = w.WithContainer(w.Containers[cid] with { Driver = d });
        }
        w = w.WithGroup(w.Groups[groupId] with { Container = null });                          // CORE-25: container none
        var container = w.Containers[cid];
        container = container with { Groups = container.Groups.Remove(groupId) };              // CORE-25: leaves the list
        w = w.WithContainer(container);
        if (container.Groups.IsEmpty && container.Driver is DriverData last)
        {
            w = DriverRules.Release(w, cid, last);                                             // CORE-25 -> REL-1
            w = w.WithContainer(w.Containers[cid] with { Driver = null });                     // CORE-25: driver none
        }
        return Put(w, c, cid);                                                                 // CORE-25 -> CORE-8
    }

    /// <summary>CORE-26 group file release: dissolve (CORE-28), then opened = 0.</summary>
    public static World ReleaseGroupFile(World w, Caller c, int groupId)
    {
        w = Dissolve(w, c, groupId);                                                           // CORE-26 -> CORE-28
        return w.WithGroup(w.Groups[groupId] with { Opened = false });                         // CORE-26: opened = 0
    }

    /// <summary>CORE-27 GET_DEVICE_FD.</summary>
    public static Step GetDeviceFd(World w, Caller c, int groupId, ulong arg)
    {
        long read = UserMemory.ReadName(w, c, arg, out var name);
        if (read < 0) return new Step(w, read);                                                // CORE-27 (ABI-10)
        var g = w.Groups[groupId];
        if (g.ContainerUsers == 0) return Step.Fail(w, Errno.EINVAL);                          // CORE-27 (FIND-12): 0
        // CORE-27: container_users + 1 (increment-unless-zero). On each failure below, CORE-28 drops it again; as
        // the count was >= 1 before the increment the drop cannot reach 0, so the result is the original world.
        var driverSet = g.Container is int cid && w.Containers[cid].Driver is not null;
        if (!driverSet) return Step.Fail(w, Errno.EINVAL);                                     // CORE-27: no driver set
        if (!g.Viable) return Step.Fail(w, Errno.EINVAL);                                      // CORE-27: not viable
        if (!g.DeviceOpens.TryGetValue(name, out int opens))
            return Step.Fail(w, Errno.ENODEV);                                                 // CORE-27: no such device
        g = g with
        {
            ContainerUsers = g.ContainerUsers + 1,                                             // CORE-27: stays with the file
            DeviceOpens = g.DeviceOpens.SetItem(name, opens + 1),                              // CORE-27: open count + 1
        };
        var (w2, fd) = ProcRules.InstallFile(w.WithGroup(g), c.Pid, new DeviceFile(groupId, name)); // CORE-27: file, fd
        return Step.Ok(w2, fd);
    }

    /// <summary>CORE-28 dissolve, holding the group's lock (adopted, FIND-11): decrement-if-positive, and CORE-25 at 0.</summary>
    public static World Dissolve(World w, Caller c, int groupId)
    {
        var g = w.Groups[groupId];
        if (g.ContainerUsers <= 0) return w;                                                   // CORE-28: only if > 0
        g = g with { ContainerUsers = g.ContainerUsers - 1 };                                  // CORE-28: decremented
        w = w.WithGroup(g);
        return g.ContainerUsers == 0 ? Unset(w, c, groupId) : w;                               // CORE-28 -> CORE-25
    }

    // ---------------------------------------------------------------- device file

    /// <summary>CORE-30 device file release: the open count - 1, then dissolve (CORE-28).</summary>
    public static World ReleaseDeviceFile(World w, Caller c, int groupId, string device)
    {
        var g = w.Groups[groupId];
        w = w.WithGroup(g with { DeviceOpens = g.DeviceOpens.SetItem(device, g.DeviceOpens[device] - 1) }); // CORE-30
        return Dissolve(w, c, groupId);                                                        // CORE-30 -> CORE-28
    }

    /// <summary>CORE-31 every ioctl on a device fd returns -ENOTTY.</summary>
    public static Step DeviceIoctl(World w) => Step.Fail(w, Errno.ENOTTY);                     // CORE-31

    // ---------------------------------------------------------------- file release (PROC-6)

    /// <summary>PROC-6: the release of a file whose last fd entry was removed, in the caller's context.</summary>
    public static World ReleaseFile(World w, Caller c, OpenFile file) => file switch
    {
        ContainerFile f => ReleaseContainerFile(w, c, f.ContainerId),                          // PROC-6 -> CORE-5
        GroupFile f => ReleaseGroupFile(w, c, f.GroupId),                                      // PROC-6 -> CORE-26
        DeviceFile f => ReleaseDeviceFile(w, c, f.GroupId, f.Device),                          // PROC-6 -> CORE-30
        _ => throw new InvalidOperationException("STATE-4: a file is a container, group or device file"),
    };
}
