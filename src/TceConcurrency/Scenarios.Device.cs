using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Concurrency;

/// <summary>
/// Issue 15: the device as an adversary. In each scenario a device thread reads by DMA at an IOVA the user mapped while
/// another thread takes the mapping down (UNMAP, a failed MAP's rollback, DISABLE, the group's release) and a third
/// reuses the page once it is free (PAGE-3). The user's page is unmapped from its address space beforehand, so the
/// TCE's pin is all that keeps it, and the device has used the IOVA already, so the table's cache holds it (DEV-2).
/// Pristine, every page is put only after the flush (TBL-7): a DMA through the stale cached translation lands while
/// the page is still pinned, or faults. In the literal order (FIND-26 .. FIND-29) it can read the host's frame. The
/// device's DMAs are observers judged by INV-12 and INV-13, not linearized (DEV-6), so they are reads.
/// </summary>
public static partial class Scenarios
{
    /// <summary>The IOVA the device uses: entry 0 of table 1 (frame 0 through process 1's page 0x10).</summary>
    const ulong DeviceIova = 0;

    /// <summary>SETUP(1, 1), ENABLE, a MAP of frame 0 at IOVA 0, the page unmapped from process 1, and a DMA read that
    /// leaves the translation in the cache.</summary>
    static Script MappedAndCached(PlatformConfig cfg) =>
        Enabled(cfg).Map(1, C, Script.VaddrOf(cfg, 1, 0), DeviceIova, 0x1000)
            .Add(new UnmapPageCmd(1, Script.VaddrOf(cfg, 1, 0) >> cfg.PageShift))
            .Add(new DmaCmd(1, DeviceIova, 8, DmaDirection.Read, 0));

    static ThreadProgram Reuse(PlatformConfig cfg, int slot) => Thread(cfg, "reuse", slot, t => t.Add(new HostReuseCmd(0)));

    /// <summary>The device reads the IOVA (DEV-6: a device thread observes; reading the host's frame is the leak).</summary>
    static ThreadProgram DeviceReads(PlatformConfig cfg, int slot) =>
        Thread(cfg, "device", slot, t => t.Add(new DmaCmd(1, DeviceIova, 16, DmaDirection.Read, 0)));

    /// <summary>FIND-26: UNMAP of the cached IOVA, the host reusing the page, the device reading through the cache.</summary>
    public static ConcurrentScenario DmaVsUnmapAndReuse()
    {
        var cfg = PlatformConfig.Small();
        return new("dma-vs-unmap-and-reuse", cfg, MappedAndCached(cfg).Commands,
        [
            Thread(cfg, "unmap", 1, t => t.Unmap(1, C, DeviceIova, 0x1000)),
            Reuse(cfg, 2),
            DeviceReads(cfg, 3),
        ]) { Clauses = ["FIND-26", "TBL-7", "TBL-8", "UNMAP-8", "UNMAP-9", "DEV-2", "DEV-3", "PAGE-1", "PAGE-3", "INV-12", "INV-13"] };
    }

    /// <summary>FIND-27: a MAP of two pages whose second write fails (HOST-7) rolls back the first; the device uses the
    /// first entry while it is live, the user unmaps its page meanwhile, and the host reuses it after the rollback. The
    /// window between the rollback's put and its flush is a few steps wide, so the device and the host try twice more.</summary>
    public static ConcurrentScenario DmaVsRollbackAndReuse()
    {
        var cfg = PlatformConfig.Small();
        var prefix = Enabled(cfg).Add(new InjectCmd(1, 2));
        return new("dma-vs-rollback-and-reuse", cfg, prefix.Commands,
        [
            Thread(cfg, "map", 1, t => t.Map(1, C, Script.VaddrOf(cfg, 1, 0), DeviceIova, 0x2000)),
            Thread(cfg, "munmap-reuse", 2, t => t.Add(new UnmapPageCmd(1, Script.VaddrOf(cfg, 1, 0) >> cfg.PageShift)).Add(new HostReuseCmd(0)).Add(new HostReuseCmd(0))),
            Thread(cfg, "device", 3, t => t.Add(new DmaCmd(1, DeviceIova, 8, DmaDirection.Read, 0)).Add(new DmaCmd(1, DeviceIova, 16, DmaDirection.Read, 0)).Add(new DmaCmd(1, DeviceIova, 16, DmaDirection.Read, 0))),
        ]) { Clauses = ["FIND-27", "MAP-11", "MAP-12", "TBL-7", "HOST-7", "DEV-2", "PAGE-4", "INV-12"] };
    }

    /// <summary>FIND-28: DISABLE clears the window while the host waits for the page and the device reads through the cache.</summary>
    public static ConcurrentScenario DmaVsDisableAndReuse()
    {
        var cfg = PlatformConfig.Small();
        return new("dma-vs-disable-and-reuse", cfg, MappedAndCached(cfg).Commands,
        [
            Thread(cfg, "disable", 1, t => t.Disable(1, C)),
            Reuse(cfg, 2),
            DeviceReads(cfg, 3),
        ]) { Clauses = ["FIND-28", "DIS-2", "TBL-7", "DEV-2", "PAGE-3", "INV-12", "INV-13"] };
    }

    /// <summary>FIND-29: the group fd's release hands the table back (DET-1: disable, then TBL-10) while the host waits
    /// for the page and the device reads through the cache.</summary>
    public static ConcurrentScenario DmaVsReleaseAndReuse()
    {
        var cfg = PlatformConfig.Small();
        return new("dma-vs-release-and-reuse", cfg, MappedAndCached(cfg).Commands,
        [
            Thread(cfg, "release", 1, t => t.Close(1, G)),
            Reuse(cfg, 2),
            DeviceReads(cfg, 3),
        ]) { Clauses = ["FIND-29", "TBL-10", "DET-1", "CORE-26", "DEV-2", "DEV-3", "PAGE-3", "INV-12", "INV-13"] };
    }

    /// <summary>The group leaves the container (GROUP_UNSET_CONTAINER: DET-1, disable, then TBL-10) while the host waits
    /// for the page and the device reads through the cache.</summary>
    public static ConcurrentScenario DmaVsUnsetAndReuse()
    {
        var cfg = PlatformConfig.Small();
        return new("dma-vs-unset-and-reuse", cfg, MappedAndCached(cfg).Commands,
        [
            Thread(cfg, "unset", 1, t => t.UnsetContainer(1, G)),
            Reuse(cfg, 2),
            DeviceReads(cfg, 3),
        ]) { Clauses = ["CORE-24", "DET-1", "DIS-2", "TBL-7", "DEV-2", "PAGE-3", "INV-12", "INV-13"] };
    }

    /// <summary>The container fd is closed (REL-1: disable, then detach) while the host waits for the page and the device
    /// reads through the cache.</summary>
    public static ConcurrentScenario DmaVsContainerCloseAndReuse()
    {
        var cfg = PlatformConfig.Small();
        return new("dma-vs-container-close-and-reuse", cfg, MappedAndCached(cfg).Commands,
        [
            Thread(cfg, "close", 1, t => t.Close(1, C)),
            Reuse(cfg, 2),
            DeviceReads(cfg, 3),
        ]) { Clauses = ["REL-1", "CORE-5", "DIS-2", "TBL-7", "DEV-2", "PAGE-3", "INV-12", "INV-13"] };
    }

    /// <summary>The process exits while the device DMAs: exit closes the container and group fds (REL-1, DET-1).</summary>
    public static ConcurrentScenario DmaVsExit()
    {
        var cfg = PlatformConfig.Small();
        var prefix = Enabled(cfg).Map(1, C, Script.VaddrOf(cfg, 1, 1), DeviceIova, 0x1000).Add(new DmaCmd(1, DeviceIova, 8, DmaDirection.Read, 0));
        return new("dma-vs-exit", cfg, prefix.Commands,
        [
            Thread(cfg, "exit", 1, t => t.Exit(1)),
            Thread(cfg, "reuse", 2, t => t.Add(new HostReuseCmd(1))),
            Thread(cfg, "device", 3, t => t.Add(new DmaCmd(1, DeviceIova, 16, DmaDirection.Read, 0))),
        ]) { Clauses = ["PROC-5", "REL-1", "DEV-1", "PAGE-1", "INV-12", "INV-13"] };
    }

    /// <summary>FIND-31 without the device: a MAP of two pages whose second write fails (HOST-7), and a thread of the same
    /// process that unmaps the first page and then asks the host to reuse it. A failed MAP changes no count, so the host
    /// finds the page busy only if the munmap came before the MAP, which would then have failed with -EFAULT.</summary>
    public static ConcurrentScenario ReuseVsFailingMap()
    {
        var cfg = PlatformConfig.Small();
        var prefix = Enabled(cfg).Add(new InjectCmd(1, 2));
        return new("reuse-vs-failing-map", cfg, prefix.Commands,
        [
            Thread(cfg, "map", 1, t => t.Map(1, C, Script.VaddrOf(cfg, 1, 0), DeviceIova, 0x2000)),
            Thread(cfg, "munmap-reuse", 2, t => t.Add(new UnmapPageCmd(1, Script.VaddrOf(cfg, 1, 0) >> cfg.PageShift)).Add(new HostReuseCmd(0))),
        ]) { Clauses = ["FIND-31", "MAP-10", "MAP-11", "PAGE-1", "PAGE-3", "INV-11"] };
    }

    /// <summary>The scenarios above, registered with the hand-written ones.</summary>
    static IReadOnlyList<ConcurrentScenario> Device =>
        [DmaVsUnmapAndReuse(), DmaVsRollbackAndReuse(), DmaVsDisableAndReuse(), DmaVsReleaseAndReuse(), DmaVsExit(), ReuseVsFailingMap(),
         DmaVsUnsetAndReuse(), DmaVsContainerCloseAndReuse()];
}
