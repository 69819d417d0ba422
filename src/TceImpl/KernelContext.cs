using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Sync;

namespace TceVerify.Impl;

/// <summary>What every kernel component of one machine shares: its config, its sync layer, its frames, the steps it omits.</summary>
internal sealed class KernelContext(PlatformConfig config, ISyncLayer sync, PhysicalMemory memory, Omit omits = Omit.None)
{
    internal readonly PlatformConfig Config = config;
    internal readonly ISyncLayer Sync = sync;
    internal readonly PhysicalMemory Memory = memory;
    /// <summary>PAGE_SHIFT of the system page (STATE-1).</summary>
    internal readonly int PageShift = config.PageShift;
    internal readonly int PageSize = 1 << config.PageShift;
    readonly Omit _omits = omits;

    /// <summary>Whether this machine leaves <paramref name="step"/> out (only a catalog variant does).</summary>
    internal bool Omits(Omit step) => (_omits & step) != 0;

    // A lock taken at a site a catalog variant may omit (spec/locking.md): taken unless this machine omits the site.

    internal void Lock(IKMutex m, Omit site)
    {
        if (!Omits(site)) m.Lock();
    }

    internal void Unlock(IKMutex m, Omit site)
    {
        if (!Omits(site)) m.Unlock();
    }

    internal void DownRead(IKRwSemaphore s, Omit site)
    {
        if (!Omits(site)) s.DownRead();
    }

    internal void UpRead(IKRwSemaphore s, Omit site)
    {
        if (!Omits(site)) s.UpRead();
    }

    internal void DownWrite(IKRwSemaphore s, Omit site)
    {
        if (!Omits(site)) s.DownWrite();
    }

    internal void UpWrite(IKRwSemaphore s, Omit site)
    {
        if (!Omits(site)) s.UpWrite();
    }
}
