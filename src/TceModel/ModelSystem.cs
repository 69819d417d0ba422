using TceVerify.Contract;
using TceVerify.Model.Rules;

namespace TceVerify.Model;

/// <summary>
/// The reference model: holds the current World and applies the rules of the specification to it, one call at a
/// time (the model is sequential; LOCK clauses only document the implementation). Each call takes effect at once,
/// which is the sequential specification LOCK-7 / INV-11 linearize against. Deterministic (INV-10).
/// </summary>
public sealed class ModelSystem : ITceSystem
{
    public ModelSystem(PlatformConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Validate() is { } error) throw new ArgumentException(error, nameof(config)); // STATE-1
        Config = config;
        State = Boot.Create(config);
    }

    /// <summary>A model continuing from a given world (e.g. to explore several orders of calls from one state,
    /// LOCK-7). The world's config must be valid.</summary>
    public ModelSystem(World state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Config.Validate() is { } error) throw new ArgumentException(error, nameof(state)); // STATE-1
        Config = state.Config;
        State = state;
    }

    public PlatformConfig Config { get; }

    /// <summary>The current world (for tests).</summary>
    public World State { get; private set; }

    long Apply(Step step)
    {
        State = step.World;
        return step.Result;
    }

    public long OpenContainer(int pid) => Apply(CoreRules.OpenContainer(State, pid));

    public long OpenGroup(int pid, int groupId) => Apply(CoreRules.OpenGroup(State, pid, groupId));

    public long Ioctl(int pid, int fd, uint cmd, ulong arg) => Apply(AbiRules.Ioctl(State, pid, fd, cmd, arg));

    public long Close(int pid, int fd) => Apply(ProcRules.Close(State, pid, fd));

    public long Fork(int pid) => Apply(ProcRules.Fork(State, pid));

    public long PassFd(int fromPid, int fd, int toPid) => Apply(ProcRules.PassFd(State, fromPid, fd, toPid));

    public long Exit(int pid) => Apply(ProcRules.Exit(State, pid));

    public long MapUserPage(int pid, ulong vpage, long pfn, bool writable) =>
        Apply(ProcRules.MapUserPage(State, pid, vpage, pfn, writable));

    public long UnmapUserPage(int pid, ulong vpage) => Apply(ProcRules.UnmapUserPage(State, pid, vpage));

    public long PokeUser(int pid, ulong vaddr, ReadOnlySpan<byte> data) => Apply(ProcRules.Poke(State, pid, vaddr, data));

    public long PeekUser(int pid, ulong vaddr, Span<byte> data)
    {
        long result = ProcRules.Peek(State, pid, vaddr, data.Length, out var bytes);
        if (result == 0) bytes.CopyTo(data);
        return result;
    }

    public long HostAlloc(int groupId, long npages) => Apply(HostRules.Alloc(State, groupId, npages));

    public long HostFree(int groupId, long entry, long npages) => Apply(HostRules.Free(State, groupId, entry, npages));

    public long HostWriteStale(int groupId, long entry, ulong tce) => Apply(HostRules.WriteStale(State, groupId, entry, tce));

    public long InjectTceWriteFailure(int groupId, int nth) => Apply(HostRules.Inject(State, groupId, nth));

    public long HostReuse(long pfn) => Apply(HostRules.Reuse(State, pfn));

    public long DeviceDma(int groupId, ulong iova, DmaDirection direction, Span<byte> data)
    {
        var step = DeviceRules.Dma(State, groupId, iova, direction, data);
        return Apply(step);
    }

    /// <summary>The model has no translation cache (DEV-2) and its DMAs never break INV-12.</summary>
    public DeviceState DeviceState() => Contract.DeviceState.None;

    public Snapshot Snapshot() => SnapshotRenderer.Render(State);
}
