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

    /// <summary>Whether the literal code takes the group's lock for <paramref name="op"/> (3.10 has no group lock).</summary>
    bool Locks(GroupOp op) => op switch
    {
        // FIND-11: the container_users check and its increment are apart.
        GroupOp.SetContainer or GroupOp.UnsetContainer or GroupOp.Dissolve or GroupOp.Release => !Has(Literal.SetContainerUnlocked),
        // FIND-12, FIND-15, FIND-17: GET_DEVICE_FD's reference and checks with no lock.
        GroupOp.DeviceFd => !Has(Literal.GetDeviceFdCheckThenInc | Literal.DeviceFdUnlocked),
        GroupOp.Status => !Has(Literal.StatusUnlocked),          // FIND-14
        GroupOp.Open => !Has(Literal.OpenedUnlocked),            // FIND-20
        _ => true,
    };

    // FIND-21: GET_DEVICE_FD looks for the container's driver without its group_lock.
    protected internal override void GroupLockRead(VfioContainer container, CoreOp op)
    {
        if (op != CoreOp.DeviceFd || !Has(Literal.DeviceFdDriverUnlocked)) base.GroupLockRead(container, op);
    }

    protected internal override void GroupUnlockRead(VfioContainer container, CoreOp op)
    {
        if (op != CoreOp.DeviceFd || !Has(Literal.DeviceFdDriverUnlocked)) base.GroupUnlockRead(container, op);
    }

    protected internal override void GroupLock(VfioGroup group, GroupOp op)
    {
        if (Locks(op)) base.GroupLock(group, op);
    }

    protected internal override void GroupUnlock(VfioGroup group, GroupOp op)
    {
        if (Locks(op)) base.GroupUnlock(group, op);
    }

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

    // FIND-19: every group is attached in turn, and the first unwound when the second fails.
    protected internal override int SetIommuGroupCountCheck(VfioContainer container) =>
        Has(Literal.SetIommuUnwinds) ? 0 : base.SetIommuGroupCountCheck(container);
}
