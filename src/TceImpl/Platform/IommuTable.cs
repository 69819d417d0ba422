using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Platform;

/// <summary>
/// One group's IOMMU table (STATE-5, struct iommu_table): the window <c>[ItOffset, ItOffset + ItSize)</c> of
/// 4 KiB entries, its storage with the guard band (TBL-2), <c>it_map</c>, the pools and their spinlocks
/// (TBL-3), <c>flush_pending</c>, the injection countdown (HOST-7) and the owner.
/// This file holds the state and its primitives; the helpers of table.md are in IommuTable.Helpers.cs and the
/// host DMA allocator in IommuTable.HostDma.cs.
/// </summary>
/// <remarks>
/// Storage: a flat <c>ulong[]</c> of TCEs indexed by <c>entry - StorageStart</c>, plus an occupancy bitmap
/// <see cref="_nonZero"/> (bit set iff the TCE is non-zero) kept exact by <see cref="StoreTce"/>,
/// so clears visit only live entries, 64 at a time. Each pool's occupancy bits start a word of their own, so no
/// occupancy word is shared by two pools and the pool lock alone guards every word its entries use (LOCK-9);
/// before issue 11 the bits were flat (bit i was storage entry i), and two host writes in different pools of one
/// word lost one another's bit. <c>it_map</c> is a bitmap of the window (bit i is entry <c>ItOffset + i</c>);
/// its words are shared by pools and only whole-table operations, holding every pool lock, touch it (LOCK-4).
/// Sync hooks: one cell per pool for its TCE range, one cell per word of each bitmap (a read-modify-write of a
/// word is a read and then a write, so a lost update is a schedule), one for the owner, and atomics for
/// flush_pending and the countdown, which any pool may touch.
/// </remarks>
internal partial class IommuTable
{
    internal readonly int GroupId;
    /// <summary>it_offset: first entry of the window (absolute bus address >> 12).</summary>
    internal readonly long ItOffset;
    /// <summary>it_size: number of entries in the window.</summary>
    internal readonly long ItSize;
    /// <summary>TBL-2: first storage entry, <c>max(0, it_offset - 4)</c>.</summary>
    internal readonly long StorageStart;
    /// <summary>TBL-2: one past the last storage entry, <c>it_offset + it_size + 4</c>.</summary>
    internal readonly long StorageEnd;
    /// <summary>PAGE_SHIFT of the system page (TBL-6, TBL-7).</summary>
    protected internal readonly int PageShift;

    readonly KernelContext _ctx;
    readonly PhysicalMemory _mem;
    readonly ulong[] _tce;
    readonly ulong[] _nonZero;
    readonly ulong[] _itMap;

    readonly long _poolSize;
    readonly IKMutex[] _poolLock;
    readonly ISharedCell[] _poolTces;
    /// <summary>The occupancy bit of pool k's first storage entry (<see cref="PoolFirst"/>).</summary>
    readonly long[] _occupancyBase;
    readonly ISharedWords? _itMapWords;
    readonly ISharedWords? _occupancyWords;
    readonly ISharedCell _ownerCell;
    readonly IKAtomic _flushPending;
    readonly IKAtomic _countdown;
    readonly IKMutex _injectLock;   // LOCK-10: a MAP's writes and an inject exclude each other
    int _owner; // 0: the host; else the id of the owning container
    TranslationCache? _iotlb;       // DEV-2: the hardware's cache, from the first DMA on (DEV-4)

    internal IommuTable(GroupConfig group, KernelContext ctx)
    {
        var sync = ctx.Sync;
        GroupId = group.Id;
        ItOffset = group.ItOffset;
        ItSize = group.ItSize;
        StorageStart = Memory.StorageStart(group);
        StorageEnd = Memory.StorageEnd(group);
        PageShift = ctx.PageShift;
        _ctx = ctx;
        _mem = ctx.Memory;

        // Stryker disable once Arithmetic
        long storage = StorageEnd - StorageStart;
        _tce = new ulong[storage];
        _itMap = new ulong[Bitmap.Words(ItSize)];

        // TBL-3: Pools contiguous pools of ceil(it_size / Pools) entries; only pools that hold an entry exist.
        _poolSize = (ItSize + group.Pools - 1) / group.Pools;
        int pools = (int)((ItSize - 1) / _poolSize) + 1;
        _poolLock = new IKMutex[pools];
        _poolTces = new ISharedCell[pools];
        for (int k = 0; k < pools; k++)
        {
            _poolLock[k] = sync.CreateSpinLock(LockId.Pool(GroupId, k));
            _poolTces[k] = sync.CreateCell($"table {GroupId} pool {k} tces");
        }
        // LOCK-9: each pool's occupancy bits start a word of their own (a catalog variant lays them out flat).
        _occupancyBase = new long[pools];
        bool perPool = !ctx.Omits(Omit.OccupancyWordsPerPool);
        long bits = 0;
        for (int k = 0; k < pools; k++)
        {
            long size = PoolEnd(k) - PoolFirst(k);
            _occupancyBase[k] = perPool ? bits : PoolFirst(k) - StorageStart;
            bits = perPool ? bits + ((size + 63) & ~63L) : PoolEnd(k) - StorageStart;
        }
        _nonZero = new ulong[Bitmap.Words(bits)];
        _itMapWords = sync.CreateWords($"table {GroupId} it_map", _itMap.Length,
            w => (ItOffset + 64 * w, Math.Min(WindowEnd, ItOffset + 64 * w + 64)));
        _occupancyWords = sync.CreateWords($"table {GroupId} occupancy", _nonZero.Length, OccupancyCovers);
        _ownerCell = sync.CreateCell($"table {GroupId} owner");
        _flushPending = sync.CreateAtomic($"table {GroupId} flush_pending", 0);
        _countdown = sync.CreateAtomic($"table {GroupId} countdown", 0);
        _injectLock = sync.CreateMutex(LockId.TableInject(GroupId));

        // STATE-5 / TBL-2: the guard entries below the window hold the host's mappings of the memory next to it;
        // the window and the guard band above are free. (No other thread sees the table yet: no hooks.)
        for (long e = StorageStart; e < ItOffset; e++)
        {
            _tce[e - StorageStart] = Memory.HostTce(e);
            Bitmap.Set(_nonZero, OccupancyBit(0, e));
        }
        // TBL-1: bus address 0 is never handed out by the host allocator.
        if (ItOffset == 0) Bitmap.Set(_itMap, 0);
    }

    /// <summary>The occupancy bit of storage entry <paramref name="entry"/> of pool <paramref name="k"/>.</summary>
    long OccupancyBit(int k, long entry) => _occupancyBase[k] + (entry - PoolFirst(k));

    /// <summary>The storage entries whose occupancy bits word <paramref name="w"/> holds (for the word's lock rule).</summary>
    (long First, long End) OccupancyCovers(long w)
    {
        long first = long.MaxValue, end = long.MinValue;
        for (int k = 0; k < _occupancyBase.Length; k++)
        {
            long lo = Math.Max(_occupancyBase[k], w << 6), hi = Math.Min(OccupancyBit(k, PoolEnd(k)), (w + 1) << 6);
            if (lo >= hi) continue;
            first = Math.Min(first, PoolFirst(k) + lo - _occupancyBase[k]);
            end = Math.Max(end, PoolFirst(k) + hi - _occupancyBase[k]);
        }
        return (first, end);
    }

    /// <summary>Whether this machine leaves <paramref name="step"/> out (only a catalog variant does).</summary>
    bool Omits(Omit step) => _ctx.Omits(step);

    /// <summary>One past the last entry of the window.</summary>
    internal long WindowEnd => ItOffset + ItSize;

    // ---------------------------------------------------------------- pools (TBL-3, LOCK-4)

    internal int PoolCount => _poolLock.Length;

    /// <summary>TBL-3: the pool guarding an entry; guard entries belong to the nearest pool.</summary>
    internal int PoolOf(long entry) => (int)(Math.Clamp(entry - ItOffset, 0, ItSize - 1) / _poolSize);

    /// <summary>First storage entry of pool <paramref name="k"/> (pool 0 also covers the lower guard band).</summary>
    internal long PoolFirst(int k) => k == 0 ? StorageStart : ItOffset + k * _poolSize;

    /// <summary>One past the last storage entry of pool <paramref name="k"/> (the last pool covers the upper band).</summary>
    internal long PoolEnd(int k) => k == _poolLock.Length - 1 ? StorageEnd : ItOffset + (k + 1) * _poolSize;

    /// <summary>LOCK-4: every pool lock, in ascending order.</summary>
    protected internal void LockAllPools()
    {
        for (int k = 0; k < _poolLock.Length; k++) _poolLock[k].Lock();
    }

    protected internal void UnlockAllPools()
    {
        for (int k = _poolLock.Length - 1; k >= 0; k--) _poolLock[k].Unlock();
    }

    /// <summary>One pool's lock.</summary>
    protected internal void LockPoolAt(int k) => _poolLock[k].Lock();

    /// <summary>Counterpart of <see cref="LockPoolAt"/>.</summary>
    protected internal void UnlockPoolAt(int k) => _poolLock[k].Unlock();

    /// <summary>The machine's frames (for the catalog hooks).</summary>
    protected internal PhysicalMemory Frames => _mem;

    // ---------------------------------------------------------------- storage primitives (callers hold the pool lock)

    /// <summary>Writes one storage entry of pool <paramref name="k"/> and keeps the occupancy bitmap exact.</summary>
    void StoreTce(int k, long entry, ulong value)
    {
        _tce[entry - StorageStart] = value;
        if (value != 0) Bitmap.Set(_nonZero, OccupancyBit(k, entry), _occupancyWords);
        else Bitmap.Clear(_nonZero, OccupancyBit(k, entry), _occupancyWords);
    }

    ulong LoadTce(long entry) => _tce[entry - StorageStart];

    /// <summary>
    /// Clears every in-use TCE of <c>[first, end)</c> (storage entries, the locks of their pools held) in
    /// ascending order, or with <paramref name="inUseOnly"/> false every non-zero one (TBL-9); with
    /// <paramref name="put"/>, each in-use old value's page gets its dirty bit if it had WRITE and is put (TBL-7).
    /// Skips empty 64-entry words. Returns how many entries were cleared.
    /// </summary>
    protected internal long ClearRangeLocked(long first, long end, bool put, bool inUseOnly = true)
    {
        var inline = default(DeferredPuts);
        return ClearRangeLocked(first, end, put, inUseOnly, ref inline);
    }

    /// <summary><see cref="ClearRangeLocked(long, long, bool, bool)"/>, keeping the pages to put in
    /// <paramref name="deferred"/> when it collects (TBL-7).</summary>
    protected internal long ClearRangeLocked(long first, long end, bool put, bool inUseOnly, ref DeferredPuts deferred)
    {
        long cleared = 0;
        for (long pos = first; pos < end;)
        {
            int k = PoolOf(pos);
            long segEnd = Math.Min(end, PoolEnd(k));
            cleared += ClearPoolRangeLocked(k, pos, segEnd, put, inUseOnly, ref deferred);
            pos = segEnd;
        }
        return cleared;
    }

    /// <summary>The entry one past the last entry of pool <paramref name="k"/> whose occupancy bit shares a word with
    /// <paramref name="entry"/>'s (for a catalog variant).</summary>
    protected internal long OccupancyWordEnd(int k, long entry) => Math.Min(PoolEnd(k), entry + 64 - (OccupancyBit(k, entry) & 63));

    /// <summary><see cref="ClearRangeLocked"/> within pool <paramref name="k"/>, whose occupancy bits are contiguous.
    /// With <paramref name="deferred"/> the pages are not put here but collected for after the flush (TBL-7).
    /// Catalog hook: the word-by-word scan.</summary>
    protected internal virtual long ClearPoolRangeLocked(int k, long first, long end, bool put, bool inUseOnly, ref DeferredPuts deferred)
    {
        long lo = OccupancyBit(k, first), hi = OccupancyBit(k, end);
        long toTce = PoolFirst(k) - StorageStart - _occupancyBase[k];   // occupancy bit -> index into _tce
        // Stryker disable once Equality
        if (lo >= hi) return 0;
        long cleared = 0;
        long wFirst = Bitmap.WordOf(lo), wLast = Bitmap.WordOf(hi - 1);
        var nonZero = _nonZero;
        var tces = _tce;
        var words = _occupancyWords;
        for (long w = wFirst; w <= wLast; w++)
        {
            ulong bits = Bitmap.Load(nonZero, w, words);
            // Stryker disable once Statement
            if (bits == 0) continue;
            if (w == wFirst) bits &= ~0UL << (int)(lo & 63);
            if (w == wLast && (hi & 63) != 0) bits &= (1UL << (int)(hi & 63)) - 1;
            ulong done = 0;
            while (bits != 0)
            {
                int bit = System.Numerics.BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                long idx = (w << 6) + bit + toTce;
                ulong old = tces[idx];
                bool inUse = Abi.InUse(old);
                if (inUseOnly && !inUse) continue; // a value without permissions is not a mapping (TBL-7)
                tces[idx] = 0;
                // Stryker disable once Assignment
                done |= 1UL << bit;
                if (put && inUse)
                {
                    if (!deferred.IsOn) PutTcePage(old);                       // the literal order: put inside the loop
                    else deferred.Add(old);                                    // TBL-7 (adopted): after the flush
                }
                // Stryker disable once Update
                cleared++;
            }
            // Stryker disable once Statement
            if (done != 0) Bitmap.Update(nonZero, w, 0, done, words);
        }
        return cleared;
    }

    /// <summary>Clears every in-use (or, for TBL-9, every non-zero) TCE of the window, all pool locks held (TBL-9, TBL-10).</summary>
    protected internal void ClearWindowLocked(bool put, bool inUseOnly = true)
    {
        var inline = default(DeferredPuts);
        ClearWindowLocked(put, inUseOnly, ref inline);
    }

    /// <summary><see cref="ClearWindowLocked(bool, bool)"/>, keeping the pages to put in <paramref name="deferred"/>.</summary>
    protected internal void ClearWindowLocked(bool put, bool inUseOnly, ref DeferredPuts deferred)
    {
        long cleared = 0;
        for (int k = 0; k < _poolLock.Length; k++)
        {
            _poolTces[k].Write();
            // Stryker disable once Assignment
            cleared += ClearRangeLocked(Math.Max(PoolFirst(k), ItOffset), Math.Min(PoolEnd(k), WindowEnd), put, inUseOnly, ref deferred);
        }
        if (cleared != 0) _flushPending.Set(1); // TBL-7: a cleared TCE leaves a flush pending
    }

    // ---------------------------------------------------------------- observation (quiescent, for the snapshot)

    // Stryker disable all
    /// <summary>For the white-box tests: the occupancy bitmap marks exactly the non-zero storage entries (and no
    /// padding bit is set).</summary>
    internal bool OccupancyIsExact()
    {
        long nonZero = 0, set = 0;
        for (long e = StorageStart; e < StorageEnd; e++)
        {
            bool used = _tce[e - StorageStart] != 0;
            if (Bitmap.Test(_nonZero, OccupancyBit(PoolOf(e), e)) != used) return false;
            if (used) nonZero++;
        }
        foreach (var word in _nonZero) set += System.Numerics.BitOperations.PopCount(word);
        return set == nonZero;
    }

    /// <summary>For the white-box tests: the storage entries each occupancy word covers.</summary>
    internal IReadOnlyList<(long First, long End)> OccupancyWordsForTests() =>
        Enumerable.Range(0, _nonZero.Length).Select(w => OccupancyCovers(w)).ToList();
    // Stryker restore all

    internal int OwnerForDump => _owner;

    /// <summary>The translations the table's cache holds (none before the first DMA).</summary>
    internal IEnumerable<CachedTranslation> CachedForDump() => _iotlb?.ForDump() ?? [];
    internal bool FlushPendingForDump => _flushPending.Read() != 0;
    internal int CountdownForDump => (int)_countdown.Read();
    internal List<(long First, long Last)> ItMapRangesForDump() => Bitmap.Ranges(_itMap, ItSize, ItOffset);

    /// <summary>Every non-zero storage TCE (window and guard band), ascending.</summary>
    internal IEnumerable<(long Entry, ulong Value)> NonZeroTcesForDump()
    {
        for (long i = 0; i < _tce.Length; i++)
            if (_tce[i] != 0) yield return (StorageStart + i, _tce[i]);
    }
}
