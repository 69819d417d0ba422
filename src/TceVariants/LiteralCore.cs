using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Vfio;

namespace TceVerify.Variants;

/// <summary>The VFIO core with the literal 3.10 behaviours of GET_DEVICE_FD and the group release selected by
/// <paramref name="literal"/>; the locks the literal core does not take are omitted (<see cref="LiteralParts"/>).</summary>
internal sealed class LiteralCore(Literal literal, KernelContext ctx, IIommuDriverOps driver, IReadOnlyList<VfioGroup> groups)
    : VfioCore(ctx, driver, groups)
{
    bool Has(Literal l) => (literal & l) != 0;

    // FIND-12: check container_users, check the rest, open the device, and only then take the reference.
    // FIND-15, FIND-17: the reference first, dropped by a dissolve that takes the lock on its own.
    protected internal override long GetDeviceFdReferenced(VfioGroup group, in Current cur, ReadOnlySpan<byte> name)
    {
        if (Has(Literal.GetDeviceFdCheckThenInc))
        {
            if (group.ContainerUsers.Read() == 0) return -Errno.EINVAL;
            int ret = GetDeviceFdChecks(group, name, out var device);
            if (ret != 0 || device is null) return ret != 0 ? ret : -Errno.ENODEV;
            long fd = OpenDeviceFile(group, device, cur);
            group.ContainerUsers.Add(1);
            return fd;
        }
        if (Has(Literal.DeviceFdUnlocked))
        {
            if (!group.ContainerUsers.IncrementUnlessZero()) return -Errno.EINVAL;
            int ret = GetDeviceFdChecks(group, name, out var device);
            if (ret == 0 && device is not null) return OpenDeviceFile(group, device, cur);
            Dissolve(group, cur);
            return ret != 0 ? ret : -Errno.ENODEV;
        }
        return base.GetDeviceFdReferenced(group, cur, name);
    }

    // FIND-20: the release dissolves under the lock and clears opened after dropping it.
    protected internal override void GroupRelease(VfioGroup group, in Current cur)
    {
        if (!Has(Literal.OpenedUnlocked))
        {
            base.GroupRelease(group, cur);
            return;
        }
        Dissolve(group, cur);
        group.Opened.Set(0);
    }
}
