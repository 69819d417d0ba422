using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Vfio;

namespace TceVerify.Variants;

/// <summary>The VFIO core with the literal 3.10 behaviours selected by <paramref name="literal"/>.</summary>
internal sealed class LiteralCore(Literal literal, KernelContext ctx, SpaprTceDriver driver, IReadOnlyList<VfioGroup> groups)
    : VfioCore(ctx, driver, groups)
{
    bool Has(Literal l) => (literal & l) != 0;

    // FIND-11: no group lock; the container_users check and its increment are apart.
    protected internal override void GroupLock(VfioGroup group)
    {
        if (!Has(Literal.SetContainerUnlocked)) base.GroupLock(group);
    }

    protected internal override void GroupUnlock(VfioGroup group)
    {
        if (!Has(Literal.SetContainerUnlocked)) base.GroupUnlock(group);
    }

    // FIND-12: check container_users, check the rest, open the device, and only then take the reference.
    protected internal override long GetDeviceFdReferenced(VfioGroup group, in Current cur, ReadOnlySpan<byte> name)
    {
        if (!Has(Literal.GetDeviceFdCheckThenInc)) return base.GetDeviceFdReferenced(group, cur, name);
        if (group.ContainerUsers.Read() == 0) return -Errno.EINVAL;
        int ret = GetDeviceFdChecks(group, name, out var device);
        if (ret != 0 || device is null) return ret != 0 ? ret : -Errno.ENODEV;
        long fd = OpenDeviceFile(group, device, cur);
        group.ContainerUsers.Add(1);
        return fd;
    }
}
