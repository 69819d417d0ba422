using System.Buffers.Binary;
using TceVerify.Contract;
using TceVerify.Impl;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Vfio;

namespace TceVerify.Variants.Catalog;

// Issue 11: what the harness could not see before its coverage grew. Each entry is caught only by that coverage:
// bitmap words as shared cells (a read-modify-write of a word is a read and then a write), the wide platform, host
// writes and fault injection in threads, same-object pairs, and the step checks and edge-aiming generators added then.

/// <summary>HOST-5 holds only the pool locks of the range it frees, not every pool lock (LOCK-4): it clears it_map bits
/// in a word that other pools share (LOCK-9).</summary>
internal sealed class HostFreeOwnPoolsOnly(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override void LockPools(Omit site, long first, long end)
    {
        if (site != Omit.PoolLocksOnHostFree) base.LockPools(site, first, end);
        else for (int k = PoolOf(first); k <= PoolOf(end - 1); k++) LockPoolAt(k);
    }

    protected internal override void UnlockPools(Omit site, long first, long end)
    {
        if (site != Omit.PoolLocksOnHostFree) base.UnlockPools(site, first, end);
        else for (int k = PoolOf(end - 1); k >= PoolOf(first); k--) UnlockPoolAt(k);
    }
}

/// <summary>The clear of one pool's range scans only the first occupancy word of the range, as if a pool's bits always
/// fitted one word: entries past it keep their TCEs and pins. Only pools wider than 64 entries show it.</summary>
internal sealed class ClearStopsAtWordEnd(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override long ClearPoolRangeLocked(int k, long first, long end, bool put, bool inUseOnly, ref DeferredPuts deferred) =>
        base.ClearPoolRangeLocked(k, first, Math.Min(end, OccupancyWordEnd(k, first)), put, inUseOnly, ref deferred);
}

/// <summary>A MAP takes the HOST-7 countdown and gives back what its writes left with a plain store, without the
/// table's inject lock (LOCK-10): an inject made meanwhile is lost although it returned 0 (FIND-24).</summary>
internal sealed class MapStoresCountdownOverInject(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override long TakeCountdown() => Countdown.Read();
    protected internal override void ReturnCountdown(long left) => Countdown.Set(left);
}

/// <summary>TceImpl's LOCK-10 fix before FIND-25: a MAP claims the countdown at its start (compare-and-swap to 0) and
/// gives back the rest with a compare-and-swap from 0, with no lock, so an inject made during the MAP counts as coming
/// after it, although the MAP went on to see calls that started after the inject returned.</summary>
internal sealed class MapClaimsCountdownWithoutLock(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override long TakeCountdown()
    {
        while (true)
        {
            long c = Countdown.Read();
            if (c == 0 || Countdown.CompareExchange(c, 0) == c) return c;
        }
    }

    protected internal override void ReturnCountdown(long left)
    {
        if (left != 0) Countdown.CompareExchange(0, left);
    }
}

/// <summary>EN-5 rounds RLIMIT_MEMLOCK up to whole pages: a limit one byte short of the charge still admits it, and
/// locked_vm ends above the limit. Only an ENABLE at exactly the limit's edge shows it.</summary>
internal sealed class EnableLimitRoundsUp(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override long ChargeLimitPages(MmStruct mm) =>
        (long)(mm.RlimitMemlock >> Ctx.PageShift) + ((mm.RlimitMemlock & ((1UL << Ctx.PageShift) - 1)) != 0 ? 1 : 0);
}

/// <summary>TBL-7 dirties the page of a cleared entry that had READ, not WRITE: a page only the device wrote (a
/// WRITE-only mapping) is put clean.</summary>
internal sealed class ClearDirtyTestsReadBit(GroupConfig g, KernelContext ctx) : IommuTable(g, ctx)
{
    protected internal override void PutTcePage(ulong old)
    {
        long pfn = (long)((old & Abi.IommuPageMask) >> PageShift);
        if ((old & Abi.TcePciRead) != 0) Frames.SetDirty(pfn);
        Frames.Put(pfn);
    }
}

/// <summary>GET_INFO writes back argsz bytes (up to 64) instead of minsz, zeros past the struct: it overwrites the
/// caller's memory after a struct it was told is larger (ABI-8).</summary>
internal sealed class InfoWritesBackArgsz(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override int InfoWriteBack(in Current cur, ulong arg, ReadOnlySpan<byte> info, uint argsz)
    {
        var all = new byte[Math.Clamp(argsz, (uint)info.Length, 64u)];
        info.CopyTo(all);
        return UserAccess.CopyToUser(cur, arg, all);
    }
}

/// <summary>MAP_DMA reads argsz alone and rejects a small one (-EINVAL) before copying the whole struct (ABI-8: minsz
/// bytes first, -EFAULT on a fault). Only a small argsz in a struct that straddles an unmapped page shows it.</summary>
internal sealed class MapArgszReadFirst(KernelContext ctx) : SpaprTceDriver(ctx)
{
    protected internal override long MapDma(TceContainer data, in Current cur, ulong arg)
    {
        Ctx.Lock(data.Mutex, Omit.MutexOnMap);
        int ret = ArgszFirst(data, cur, arg);
        if (ret == 0) ret = MapDmaLocked(data, cur, arg);
        Ctx.Unlock(data.Mutex, Omit.MutexOnMap);
        return ret;
    }

    /// <summary>After MAP-2 and MAP-3 (which MapDmaLocked repeats), the 4 bytes of argsz alone.</summary>
    int ArgszFirst(TceContainer data, in Current cur, ulong arg)
    {
        data.TblCell.Read();
        if (data.Tbl is null) return 0;
        data.StateCell.Read();
        if (!data.Enabled) return 0;
        Span<byte> argsz = stackalloc byte[4];
        if (UserAccess.CopyFromUser(cur, arg, argsz) != 0) return 0;
        return BinaryPrimitives.ReadUInt32LittleEndian(argsz) < Abi.DmaMapMinsz ? -Errno.EINVAL : 0;
    }
}

/// <summary>GET_DEVICE_FD matches a name that is a proper prefix of a device's name (a compare bounded by the length
/// the caller gave): "0000:01:00" opens "0000:01:00.0" (CORE-27: -ENODEV).</summary>
internal sealed class DeviceNamePrefixMatch(KernelContext ctx, IIommuDriverOps driver, IReadOnlyList<VfioGroup> groups)
    : VfioCore(ctx, driver, groups)
{
    protected internal override long GetDeviceFdReferenced(VfioGroup group, in Current cur, ReadOnlySpan<byte> name)
    {
        if (name.Length > 0 && group.FindDevice(name) is null)
        {
            foreach (var d in group.Devices)
            {
                if (d.Name.Length <= name.Length) continue;
                bool prefix = true;
                for (int i = 0; i < name.Length && prefix; i++) prefix = name[i] == d.Name[i];
                if (prefix) return base.GetDeviceFdReferenced(group, cur, System.Text.Encoding.ASCII.GetBytes(d.Name));
            }
        }
        return base.GetDeviceFdReferenced(group, cur, name);
    }
}
