namespace TceVerify.Harness.Generation;

/// <summary>The shape of a generated program.</summary>
public enum Workload
{
    /// <summary>Valid sequences (open, set container, set IOMMU, enable, map, unmap, disable, close) interleaved with invalid ones.</summary>
    Mixed,
    /// <summary>Shaped like QEMU: set up, clear the whole window, then 4 KiB maps and unmaps at guest-chosen IOVAs.</summary>
    Qemu,
    /// <summary>Boundary values: window edges, off-by-one, wrap-around, flag bits, argsz edges, straddling structs, RLIMIT edges.</summary>
    Adversarial,
    /// <summary>Set up, then MAP and UNMAP requests half of which are misaligned by one byte or more in iova, vaddr or size.</summary>
    Alignment,
    /// <summary>Set up, then MAP and UNMAP requests at and around the window edges, one past them, and wrapping 2^64.</summary>
    WindowEdges,
    /// <summary>Set up, then multi-page maps that fail part way: busy entries, unmapped or read-only pages, injected failures.</summary>
    PartialFailure,
    /// <summary>Table hand-overs: host allocations, stale host entries, attach, detach, release, several groups per container.</summary>
    Ownership,
    /// <summary>Release paths: each process sets up, maps, then closes, unsets or exits (no fork, no fd passing).</summary>
    Lifecycle,
}
