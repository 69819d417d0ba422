using TceVerify.Impl.Spapr;
using TceVerify.Impl.Sync;

namespace TceVerify.Impl.Vfio;

/// <summary>
/// A VFIO container (STATE-6): id, reference count (CORE-7), group list (most recently added first), and the
/// IOMMU driver with its data. The list, the driver and the data are guarded by <see cref="GroupLock"/>.
/// </summary>
internal sealed class VfioContainer
{
    internal readonly int Id;
    /// <summary>CORE-7: 1 for the open file + 1 per group in the list; an atomic (LOCK-1).</summary>
    internal readonly IKAtomic Refs;
    /// <summary>The core's group_lock (LOCK-1), a read/write semaphore.</summary>
    internal readonly IKRwSemaphore GroupLock;
    /// <summary><see cref="Groups"/>, <see cref="Driver"/> and <see cref="Data"/>: written under GroupLock held for
    /// writing, read under it held either way.</summary>
    internal readonly ISharedCell Cell;
    internal readonly List<VfioGroup> Groups = new(2);
    internal IIommuDriverOps? Driver;
    internal TceContainer? Data;

    internal VfioContainer(int id, ISyncLayer sync)
    {
        Id = id;
        Refs = sync.CreateAtomic($"container {id} refs", 1);
        GroupLock = sync.CreateRwSemaphore(LockId.ContainerGroupLock(id));
        Cell = sync.CreateCell($"container {id} groups");
    }
}
