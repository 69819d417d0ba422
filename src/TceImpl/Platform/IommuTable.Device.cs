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

/// <summary>TBL-7 step 3: the old values of the cleared TCEs whose pages are put after the flush, in clearing order.</summary>
internal sealed class DeferredPuts
{
    List<ulong>? _olds;

    internal void Add(ulong old) => (_olds ??= []).Add(old);

    internal void PutAll(IommuTable table)
    {
        if (_olds is null) return;
        foreach (var old in _olds) table.PutTcePage(old);
    }
}
