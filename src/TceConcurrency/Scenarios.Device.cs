using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Concurrency;

/// <summary>
/// Issue 15: the device as an adversary. In each scenario a device thread DMAs at an IOVA the user mapped while
/// another thread takes the mapping down (UNMAP, a failed MAP's rollback, DISABLE, the group's release) and a third
/// reuses the page once it is free (PAGE-3). The user's page is unmapped from its address space beforehand, so the
/// TCE's pin is all that keeps it, and the device has used the IOVA already, so the table's cache holds it (DEV-2).
/// Pristine, every page is put only after the flush (TBL-7): a DMA through the stale cached translation lands while
/// the page is still pinned, or faults. In the literal order (FIND-26 .. FIND-29) it can land in the host's frame.
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

    static ThreadProgram DeviceWrites(PlatformConfig cfg, int slot) =>
        Thread(cfg, "device", slot, t => t.Add(new DmaCmd(1, DeviceIova, 16, DmaDirection.Write, 0xD1)));

    /// <summary>FIND-26: UNMAP of the cached IOVA, the host reusing the page, the device writing through the cache.</summary>
    public static ConcurrentScenario DmaVsUnmapAndReuse()
    {
        var cfg = PlatformConfig.Small();
        return new("dma-vs-unmap-and-reuse", cfg, MappedAndCached(cfg).Commands,
        [
            Thread(cfg, "unmap", 1, t => t.Unmap(1, C, DeviceIova, 0x1000)),
            Reuse(cfg, 2),
            DeviceWrites(cfg, 3),
        ]) { Clauses = ["FIND-26", "TBL-7", "TBL-8", "UNMAP-8", "UNMAP-9", "DEV-2", "DEV-3", "PAGE-1", "PAGE-3", "INV-12", "INV-13"] };
    }

    /// <summary>FIND-27: a MAP of two pages whose second write fails (HOST-7) rolls back the first; the device uses the
    /// first entry while it is live, the user unmaps its page meanwhile, and the host reuses it after the rollback.</summary>
    public static ConcurrentScenario DmaVsRollbackAndReuse()
    {
        var cfg = PlatformConfig.Small();
        var prefix = Enabled(cfg).Add(new InjectCmd(1, 2));
        return new("dma-vs-rollback-and-reuse", cfg, prefix.Commands,
        [
            Thread(cfg, "map", 1, t => t.Map(1, C, Script.VaddrOf(cfg, 1, 0), DeviceIova, 0x2000)),
            Thread(cfg, "munmap-reuse", 2, t => t.Add(new UnmapPageCmd(1, Script.VaddrOf(cfg, 1, 0) >> cfg.PageShift)).Add(new HostReuseCmd(0))),
            Thread(cfg, "device", 3, t => t.Add(new DmaCmd(1, DeviceIova, 8, DmaDirection.Read, 0)).Add(new DmaCmd(1, DeviceIova, 16, DmaDirection.Write, 0xD2))),
        ]) { Clauses = ["FIND-27", "MAP-11", "MAP-12", "TBL-7", "HOST-7", "DEV-2", "PAGE-4", "INV-12"] };
    }

    /// <summary>FIND-28: DISABLE clears the window while the host waits for the page and the device writes through the cache.</summary>
    public static ConcurrentScenario DmaVsDisableAndReuse()
    {
        var cfg = PlatformConfig.Small();
        return new("dma-vs-disable-and-reuse", cfg, MappedAndCached(cfg).Commands,
        [
            Thread(cfg, "disable", 1, t => t.Disable(1, C)),
            Reuse(cfg, 2),
            DeviceWrites(cfg, 3),
        ]) { Clauses = ["FIND-28", "DIS-2", "TBL-7", "DEV-2", "PAGE-3", "INV-12", "INV-13"] };
    }

    /// <summary>FIND-29: the group fd's release hands the table back (DET-1: disable, then TBL-10) while the host waits
    /// for the page and the device writes through the cache.</summary>
    public static ConcurrentScenario DmaVsReleaseAndReuse()
    {
        var cfg = PlatformConfig.Small();
        return new("dma-vs-release-and-reuse", cfg, MappedAndCached(cfg).Commands,
        [
            Thread(cfg, "release", 1, t => t.Close(1, G)),
            Reuse(cfg, 2),
            DeviceWrites(cfg, 3),
        ]) { Clauses = ["FIND-29", "TBL-10", "DET-1", "CORE-26", "DEV-2", "DEV-3", "PAGE-3", "INV-12", "INV-13"] };
    }

    /// <summary>A second process maps the page the moment it is free (PAGE-4) while the device reads and writes the IOVA
    /// and the user unmaps it: reuse by mmap rather than by the host.</summary>
    public static ConcurrentScenario DmaVsUnmapAndMmapReuse()
    {
        var cfg = PlatformConfig.Small();
        return new("dma-vs-unmap-and-mmap-reuse", cfg, MappedAndCached(cfg).Commands,
        [
            Thread(cfg, "unmap", 1, t => t.Unmap(1, C, DeviceIova, 0x1000)),
            Thread(cfg, "mmap", 2, t => t.Add(new MapPageCmd(2, 0x30, 0, true))),
            Thread(cfg, "device", 3, t => t.Add(new DmaCmd(1, DeviceIova, 16, DmaDirection.Write, 0xD3)).Add(new DmaCmd(1, DeviceIova, 8, DmaDirection.Read, 0))),
        ]) { Clauses = ["TBL-7", "PAGE-4", "DEV-1", "DEV-2", "INV-12", "INV-13"] };
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
            Thread(cfg, "device", 3, t => t.Add(new DmaCmd(1, DeviceIova, 16, DmaDirection.Write, 0xD4))),
        ]) { Clauses = ["PROC-5", "REL-1", "DEV-1", "PAGE-1", "INV-12", "INV-13"] };
    }

    /// <summary>The scenarios above, registered with the hand-written ones.</summary>
    static IReadOnlyList<ConcurrentScenario> Device =>
        [DmaVsUnmapAndReuse(), DmaVsRollbackAndReuse(), DmaVsDisableAndReuse(), DmaVsReleaseAndReuse(), DmaVsUnmapAndMmapReuse(), DmaVsExit()];
}
