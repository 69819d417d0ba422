using System.Diagnostics.CodeAnalysis;

namespace TceVerify.Impl.Platform;

/// <summary>What the device (<see cref="Device"/>) sees of a table: its TCEs, read as the hardware reads them
/// (one atomic 64-bit load, no kernel lock), and its translation cache (DEV-2).</summary>
internal partial class IommuTable
{
    /// <summary>DEV-2, DEV-4: the table's cache, made at the first DMA (the fence of the exchange pairs with the one in
    /// <see cref="InvalidateTranslations"/>).</summary>
    internal TranslationCache Iotlb()
    {
        var cache = Volatile.Read(ref _iotlb);
        if (cache is not null) return cache;
        var fresh = new TranslationCache(GroupId, _ctx.Sync);
        return Interlocked.CompareExchange(ref _iotlb, fresh, null) ?? fresh;
    }

    /// <summary>DEV-2: the TCE of a window entry as the device reads it.</summary>
    internal ulong TceForDevice(long entry) => Volatile.Read(ref _tce[entry - StorageStart]);

    /// <summary>INV-12(b)'s bookkeeping, not the hardware's: whether a container owns the table at this instant.</summary>
    internal bool OwnedByContainerForDevice => Volatile.Read(ref _owner) != 0;

    /// <summary>The cache when a DMA has made one (for the catalog variant that invalidates part of it).</summary>
    protected internal bool TryGetIotlb([NotNullWhen(true)] out TranslationCache? cache)
    {
        cache = Volatile.Read(ref _iotlb);
        return cache is not null;
    }
}

/// <summary>
/// TBL-7 step 3: the old values of the cleared TCEs whose pages are put after the flush, in clearing order. A struct
/// passed by reference, its buffer rented from the shared pool, so the map and unmap paths allocate nothing. Off (the
/// default) means the literal order: the clear puts each page itself.
/// </summary>
internal struct DeferredPuts
{
    ulong[]? _olds;
    int _count;

    /// <summary>Collecting: the clear keeps old values here instead of putting their pages.</summary>
    internal static DeferredPuts Collecting() => new() { IsOn = true };

    internal bool IsOn { get; private init; }

    internal void Add(ulong old)
    {
        // Stryker disable once Equality
        if (_olds is null || _count == _olds.Length)
        {
            var bigger = System.Buffers.ArrayPool<ulong>.Shared.Rent(Math.Max(16, _count * 2));
            if (_olds is not null)
            {
                _olds.AsSpan(0, _count).CopyTo(bigger);
                // Stryker disable once Statement
                System.Buffers.ArrayPool<ulong>.Shared.Return(_olds);
            }
            _olds = bigger;
        }
        _olds[_count++] = old;
    }

    /// <summary>Puts every kept page (TBL-7 step 3) and gives the buffer back.</summary>
    internal void PutAll(IommuTable table)
    {
        if (_olds is null) return;
        for (int i = 0; i < _count; i++) table.PutTcePage(_olds[i]);
        // Stryker disable once Statement
        System.Buffers.ArrayPool<ulong>.Shared.Return(_olds);
        _olds = null;
        _count = 0;
    }
}
