using TceVerify.Contract;
using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Platform;

/// <summary>
/// One table's IOTLB (DEV-2, DEV-3): the translations the device used since the last invalidation. It is the
/// hardware's, not the driver's: a DMA fills it, and the platform's flush (TBL-8) is the only thing that empties it.
/// It keeps every translation it is given (the largest cache the hardware may have: any smaller one holds a subset
/// of these, so it can show no stale translation this one cannot). Its lock stands for the hardware's guarantee that
/// an invalidation completes only after the accesses in flight (DEV-3): a DMA holds it from its lookup to its last
/// byte, a flush while it empties the cache. Callers hold <see cref="Lock"/> for every other member.
/// </summary>
internal sealed class TranslationCache(int groupId, ISyncLayer sync)
{
    /// <summary>One cached translation, with what INV-12(b) needs to judge the accesses made through it: whether the
    /// table belonged to a container when it was filled.</summary>
    internal readonly record struct Entry(ulong Tce, bool OwnedAtFill);

    readonly IKMutex _lock = sync.CreateSpinLock(LockId.Iotlb(groupId));
    readonly Dictionary<long, Entry> _entries = new();

    internal void Lock() => _lock.Lock();

    internal void Unlock() => _lock.Unlock();

    internal bool TryGet(long entry, out Entry cached) => _entries.TryGetValue(entry, out cached);

    internal void Fill(long entry, Entry cached) => _entries[entry] = cached;

    /// <summary>DEV-3: drops every translation.</summary>
    internal void InvalidateAll() => _entries.Clear();

    /// <summary>Drops the translations of <c>[first, end)</c> only (a catalog variant's partial invalidation).</summary>
    internal void InvalidateRange(long first, long end)
    {
        foreach (var e in _entries.Keys.Where(e => e >= first && e < end).ToList()) _entries.Remove(e);
    }

    /// <summary>Every cached translation, by entry (for <see cref="ImplSystem.DeviceState"/>; quiescent).</summary>
    internal IEnumerable<CachedTranslation> ForDump() =>
        _entries.OrderBy(kv => kv.Key).Select(kv => new CachedTranslation(groupId, kv.Key, kv.Value.Tce));
}
