using TceVerify.Impl.Mm;
using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Vfio;

/// <summary>/dev/vfio/vfio: the container file (CORE-1 .. CORE-8).</summary>
internal sealed class ContainerFile(VfioCore core, VfioContainer container, ISyncLayer sync, int id, string what)
    : KFile(sync, id, what)
{
    internal readonly VfioContainer Container = container;

    internal override long Ioctl(in Current cur, uint cmd, ulong arg) => core.ContainerIoctl(Container, cur, cmd, arg);

    protected override void Release(in Current cur) => core.ContainerRelease(Container, cur);
}

/// <summary>/dev/vfio/GROUP: the group file (CORE-20 .. CORE-28).</summary>
internal sealed class GroupFile(VfioCore core, VfioGroup group, ISyncLayer sync, int id, string what)
    : KFile(sync, id, what)
{
    internal readonly VfioGroup Group = group;

    internal override long Ioctl(in Current cur, uint cmd, ulong arg) => core.GroupIoctl(Group, cur, cmd, arg);

    protected override void Release(in Current cur) => core.GroupRelease(Group, cur);
}

/// <summary>A device file from GET_DEVICE_FD (CORE-27, CORE-30, CORE-31).</summary>
internal sealed class DeviceFile(VfioCore core, VfioGroup group, VfioDevice device, ISyncLayer sync, int id, string what)
    : KFile(sync, id, what)
{
    internal readonly VfioGroup Group = group;
    internal readonly VfioDevice Device = device;

    internal override long Ioctl(in Current cur, uint cmd, ulong arg) => core.DeviceIoctl(cmd);

    protected override void Release(in Current cur) => core.DeviceRelease(Group, Device, cur);
}
