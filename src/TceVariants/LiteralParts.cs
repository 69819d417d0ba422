using TceVerify.Impl;

namespace TceVerify.Variants;

/// <summary>The kernel parts of a set of literal behaviours: the steps their code omits, and the Literal* subclasses
/// of the components whose code differs otherwise; the rest pristine.</summary>
internal static class LiteralParts
{
    internal static KernelParts Of(Literal literal)
    {
        bool Has(Literal l) => (literal & l) != 0;
        var omits = Omit.None;
        void OmitIf(Literal l, Omit steps)
        {
            if (Has(l)) omits |= steps;
        }
        OmitIf(Literal.MapEndUnchecked, Omit.MapEndCheck);                      // FIND-1
        OmitIf(Literal.MapWithoutEnable, Omit.MapEnabledCheck);                 // FIND-2
        OmitIf(Literal.DisableKeepsMappings, Omit.DisableClearWindow);          // FIND-3
        OmitIf(Literal.UnchargeCurrent, Omit.UnchargePayer);                    // FIND-4, FIND-5
        OmitIf(Literal.TakeOwnershipDropsBit0, Omit.TakeOwnershipRestoreBit0);  // FIND-7
        OmitIf(Literal.TakeOwnershipPutsStale, Omit.TakeOwnershipClearWithoutPut); // FIND-8
        OmitIf(Literal.OwnershipWithoutPoolLocks, Omit.PoolLocksOnOwnership);   // FIND-9
        OmitIf(Literal.OwnershipWithoutFlush, Omit.OwnershipFlush);             // FIND-10
        // FIND-11: the container_users check and its increment are apart.
        OmitIf(Literal.SetContainerUnlocked, Omit.GroupMutexOnSetContainer | Omit.GroupMutexOnUnsetContainer
                                            | Omit.GroupMutexOnDissolve | Omit.GroupMutexOnRelease);
        // FIND-12, FIND-15, FIND-17: GET_DEVICE_FD's reference and checks with no lock.
        OmitIf(Literal.GetDeviceFdCheckThenInc | Literal.DeviceFdUnlocked, Omit.GroupMutexOnDeviceFd);
        OmitIf(Literal.StatusUnlocked, Omit.GroupMutexOnStatus);                // FIND-14
        OmitIf(Literal.SetIommuUnwinds, Omit.SetIommuGroupCountCheck);          // FIND-19
        OmitIf(Literal.OpenedUnlocked, Omit.GroupMutexOnOpen);                  // FIND-20
        OmitIf(Literal.DeviceFdDriverUnlocked, Omit.GroupLockOnDeviceFdDriver); // FIND-21
        OmitIf(Literal.OpenBesideCalls, Omit.InstallAlone);                     // FIND-22
        OmitIf(Literal.UnmapPutsBeforeFlush, Omit.FlushBeforePutOnUnmap);       // FIND-26
        OmitIf(Literal.RollbackPutsBeforeFlush, Omit.FlushBeforePutOnRollback); // FIND-27
        OmitIf(Literal.DisablePutsBeforeFlush, Omit.FlushBeforePutOnDisable);   // FIND-28
        OmitIf(Literal.ReleasePutsBeforeFlush, Omit.FlushBeforePutOnRelease);   // FIND-29

        var parts = new KernelParts { Omits = omits };
        if (Has(Literal.ChargeWindowBytes)) parts = parts with { Driver = ctx => new LiteralDriver(ctx) };
        if (Has(Literal.GetDeviceFdCheckThenInc | Literal.DeviceFdUnlocked | Literal.OpenedUnlocked))
            parts = parts with { Core = (ctx, driver, groups) => new LiteralCore(literal, ctx, driver, groups) };
        if (Has(Literal.CloseBesideCalls | Literal.ExitMarksFirst))
            parts = parts with { Lifetime = (tasks, o) => new LiteralLifetime(literal, tasks, o) };
        return parts;
    }
}
