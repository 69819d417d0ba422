using TceVerify.Impl.Platform;
using TceVerify.Impl.Sync;
using Proc = TceVerify.Impl.Mm.Process;

namespace TceVerify.Impl.Spapr;

/// <summary>
/// The driver's data for one container (driver.md, STATE-6): <c>{mutex; tbl; enabled; payer}</c>.
/// <see cref="Tbl"/> changes only with the core's group_lock held for writing and the mutex held, so either
/// lock suffices to read it (INFO-1 reads it under group_lock alone, LOCK-6); <see cref="Enabled"/> and
/// <see cref="Payer"/> are guarded by the mutex.
/// </summary>
internal sealed class TceContainer
{
    /// <summary>The VFIO container served (table owner id, names).</summary>
    internal readonly int Id;
    internal readonly IKMutex Mutex;
    internal readonly ISharedCell TblCell;
    internal readonly ISharedCell StateCell;
    internal IommuTable? Tbl;
    internal bool Enabled;
    /// <summary>Adopted (FIND-4): the process whose mm holds the charge.</summary>
    internal Proc? Payer;

    internal TceContainer(int id, ISyncLayer sync)
    {
        Id = id;
        Mutex = sync.CreateMutex(LockId.ContainerMutex(id));
        TblCell = sync.CreateCell($"container {id} tbl");
        StateCell = sync.CreateCell($"container {id} enabled");
    }
}
