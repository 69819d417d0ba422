namespace TceVerify.Impl.Sync;

/// <summary>The locks of TceImpl, by what they guard (spec/locking.md).</summary>
public enum LockKind
{
    /// <summary>A process's exit lock (LOCK-8), by pid.</summary>
    ProcessExit,
    /// <summary>fork's lock (LOCK-8).</summary>
    Fork,
    /// <summary>A file's in-flight users (LOCK-8), by file id.</summary>
    FileUsers,
    /// <summary>A group's lock, <c>group.lock</c> (LOCK-2), by group id.</summary>
    GroupLock,
    /// <summary>A container's <c>group_lock</c> (LOCK-2, LOCK-3), by container id.</summary>
    ContainerGroupLock,
    /// <summary>A container's driver mutex (LOCK-2, LOCK-3), by container id.</summary>
    ContainerMutex,
    /// <summary>A table's <c>inject</c> mutex (LOCK-2, LOCK-10), by table (group) id.</summary>
    TableInject,
    /// <summary>An mm's <c>mmap_sem</c> (LOCK-2, LOCK-5), by pid.</summary>
    MmapSem,
    /// <summary>A table's pool lock (LOCK-2, LOCK-4), by table (group) id and pool.</summary>
    Pool,
    /// <summary>A table's translation cache, <c>iotlb</c> (the hardware's, DEV-3; last in LOCK-2), by table (group) id.</summary>
    Iotlb,
    /// <summary>A process's fd table, <c>files</c> (a leaf of LOCK-2), by pid.</summary>
    Files,
    /// <summary>The pid table (a leaf, LOCK-8).</summary>
    TaskList,
    /// <summary>The container registry (a leaf, LOCK-8).</summary>
    Containers,
    /// <summary>The host's page allocator (a leaf, PAGE-3).</summary>
    PageAllocator,
}

/// <summary>
/// Which lock a primitive of <see cref="ISyncLayer"/> is: its kind and the ids of the object it belongs to, as data.
/// The lock-order checker ranks locks by it; <see cref="Name"/> is for traces only.
/// </summary>
/// <param name="Detail">Only for <see cref="LockKind.FileUsers"/>: what the file is ("container 1", "group 2"), for the name.</param>
public readonly record struct LockId(LockKind Kind, int Id = 0, int Sub = 0, string? Detail = null)
{
    public static LockId ProcessExit(int pid) => new(LockKind.ProcessExit, pid);
    public static LockId Fork => new(LockKind.Fork);
    public static LockId FileUsers(int file, string what) => new(LockKind.FileUsers, file, 0, what);
    public static LockId GroupLock(int group) => new(LockKind.GroupLock, group);
    public static LockId ContainerGroupLock(int container) => new(LockKind.ContainerGroupLock, container);
    public static LockId ContainerMutex(int container) => new(LockKind.ContainerMutex, container);
    public static LockId TableInject(int table) => new(LockKind.TableInject, table);
    public static LockId MmapSem(int pid) => new(LockKind.MmapSem, pid);
    public static LockId Pool(int table, int pool) => new(LockKind.Pool, table, pool);
    public static LockId Iotlb(int table) => new(LockKind.Iotlb, table);
    public static LockId Files(int pid) => new(LockKind.Files, pid);
    public static LockId TaskList => new(LockKind.TaskList);
    public static LockId Containers => new(LockKind.Containers);
    public static LockId PageAllocator => new(LockKind.PageAllocator);

    /// <summary>The name traces print, e.g. "container 1 mutex", "table 1 pool 0".</summary>
    public string Name => Kind switch
    {
        LockKind.ProcessExit => $"proc {Id} exit",
        LockKind.Fork => "fork",
        LockKind.FileUsers => $"file {Id} ({Detail}) users",
        LockKind.GroupLock => $"group {Id} lock",
        LockKind.ContainerGroupLock => $"container {Id} group_lock",
        LockKind.ContainerMutex => $"container {Id} mutex",
        LockKind.TableInject => $"table {Id} inject",
        LockKind.MmapSem => $"proc {Id} mmap_sem",
        LockKind.Pool => $"table {Id} pool {Sub}",
        LockKind.Iotlb => $"table {Id} iotlb",
        LockKind.Files => $"proc {Id} files",
        LockKind.TaskList => "tasklist",
        LockKind.Containers => "containers",
        LockKind.PageAllocator => "page allocator",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    public override string ToString() => Name;
}
