using TceVerify.Contract;

namespace TceVerify.Model.Rules;

/// <summary>ABI-3: the VFIO commands, by n in _IO(';', 100 + n).</summary>
public enum Command
{
    Unknown = -1,
    GetApiVersion = 0,
    CheckExtension = 1,
    SetIommu = 2,
    GroupGetStatus = 3,
    GroupSetContainer = 4,
    GroupUnsetContainer = 5,
    GroupGetDeviceFd = 6,
    SpaprTceGetInfo = 12,
    MapDma = 13,
    UnmapDma = 14,
    Enable = 15,
    Disable = 16,
}

/// <summary>ABI-1, ABI-3: decoding and dispatching ioctl(fd, cmd, arg) by the kind of file fd refers to.</summary>
public static class AbiRules
{
    /// <summary>ABI-3: the powerpc encoding 0x20000000 | 0x3B00 | (100 + n) of the known n; anything else is unknown.</summary>
    public static Command Decode(uint cmd)
    {
        if ((cmd & ~0xFFu) != (0x20000000u | 0x3B00u)) return Command.Unknown;             // ABI-3: not _IO(';', ...)
        int n = (int)(cmd & 0xFF) - 100;
        return n switch
        {
            0 or 1 or 2 or 3 or 4 or 5 or 6 or 12 or 13 or 14 or 15 or 16 => (Command)n,    // ABI-3: the named commands
            _ => Command.Unknown,                                                            // ABI-3: any other number
        };
    }

    /// <summary>ABI-1 ioctl(pid, fd, cmd, arg): PROC-1, PROC-2, then CORE-2 / CORE-21 / CORE-31 by the file's kind.</summary>
    public static Step Ioctl(World w, int pid, int fd, uint cmd, ulong arg)
    {
        if (!ProcRules.IsLive(w, pid)) return Step.Fail(w, Errno.ESRCH);                    // PROC-1
        if (!w.Processes[pid].Fds.TryGetValue(fd, out var fileId))
            return Step.Fail(w, Errno.EBADF);                                                // PROC-2
        var caller = Caller.Live(pid);
        var command = Decode(cmd);                                                           // ABI-3
        // ABI-4: arg is passed on as it came; each command reads it as a value (CHECK_EXTENSION, SET_IOMMU), as the
        // user address of a struct, an int32 or a name, or ignores it (GET_API_VERSION, UNSET, ENABLE, DISABLE).
        return w.Files[fileId] switch
        {
            ContainerFile f => CoreRules.ContainerIoctl(w, caller, f.ContainerId, command, arg), // CORE-2
            GroupFile f => CoreRules.GroupIoctl(w, caller, f.GroupId, command, arg),             // CORE-21
            DeviceFile => CoreRules.DeviceIoctl(w),                                              // CORE-31
            _ => throw new InvalidOperationException("STATE-4: a file is a container, group or device file"),
        };
    }
}
