using TceVerify.Contract;
using TceVerify.Harness.Observation;
using TceVerify.Harness.Programs;

namespace TceVerify.Harness.Generation;

/// <summary>
/// Generates programs that reach interesting states: each next command is chosen from the observed state of a
/// guiding system (normally the model) after the previous one (which fds exist, which container holds which
/// table, what is mapped), so valid sequences are likely and invalid ones are deliberate. Deterministic for a
/// given seed: the same seed and the same observed states give the same commands.
/// </summary>
public sealed class ProgramGenerator(PlatformConfig config, Func<PlatformConfig, ITceSystem> model)
{
    /// <summary>Generates a whole program by running it on a fresh guiding system.</summary>
    public List<Command> Generate(int seed, int length, Workload workload)
    {
        var system = model(config);
        var stream = Start(seed, workload);
        var program = new List<Command>(length);
        var obs = Observed.Parse(system.Snapshot());
        while (program.Count < length)
        {
            var cmd = stream.Next(obs);
            cmd.Prepare(system);
            cmd.Invoke(system);
            program.Add(cmd);
            if (program.Count < length) obs = Observed.Parse(system.Snapshot());
        }
        return program;
    }

    /// <summary>A stream of commands: the caller runs each one and hands back the observed state it produced.
    /// The property campaign uses this to generate and check in one pass (the reference model run that checks a
    /// step is also the one that guides the next).</summary>
    public ProgramStream Start(int seed, Workload workload) => new(config, seed, workload);
}

/// <summary>The kinds of call a generated program draws from (each workload weighs them, see ProgramStream).</summary>
public enum CallKind
{
    /// <summary>The next step towards an enabled container (open, set, SET_IOMMU, ENABLE), then a map.</summary>
    Progress,
    OpenContainer, OpenGroup, SetContainer, SetIommu, Enable, Disable, Map, Unmap, GetInfo, GetStatus,
    GetDeviceFd, Unset, Close, Fork, PassFd, Exit, HostAlloc, HostFree, HostStale, Inject, Mmap, Munmap,
    CheckExtension,
    /// <summary>Any ioctl number, random argument bytes.</summary>
    Raw,
    /// <summary>A device's DMA (DEV-1). Not in the weight tables: a program draws device actions from its own stream
    /// (see ProgramStream.Device); a concurrency thread may ask for one.</summary>
    Dma,
    /// <summary>The host's reuse of a frame (PAGE-3), drawn like <see cref="Dma"/>.</summary>
    HostReuse,
}

/// <summary>An incremental <see cref="ProgramGenerator"/>: <see cref="Next"/> gives the command to run next, given the
/// guiding system's observed state after the previous ones.</summary>
public sealed class ProgramStream
{
    const int MaxProcesses = 5;
    readonly PlatformConfig _config;
    readonly Random _rng;
    readonly Workload _w;
    readonly Queue<Command> _pending = new();
    readonly bool _adv;
    /// <summary>The device's own random stream (issue 15). Device actions (DMA, host reuse, the mmap and munmap that
    /// free and reuse frames) are drawn from it alone, so a seed's other commands are drawn exactly as before the device
    /// existed: they differ only where a device action changed what they observe (a frame the host took, say).</summary>
    readonly Random _dev;

    /// <summary>The one thing an adversarial command gets wrong (the rest of it is valid, so the wrong thing is what
    /// decides the result).</summary>
    /// <summary>AbiEdge (issue 11) aims at edges no single wrong thing reaches: an ENABLE whose charge lands at the
    /// caller's RLIMIT_MEMLOCK, a small argsz in a struct straddling an unmapped page, a larger argsz whose bytes past
    /// minsz a write-back must leave alone, device names that are proper prefixes or near misses of real ones.</summary>
    enum Attack { None, Argsz, Addr, Flags, Edge, Misalign, Vaddr, Value, AbiEdge }
    Attack _attack;

    internal ProgramStream(PlatformConfig config, int seed, Workload workload)
    {
        _config = config;
        _rng = new Random(seed);
        _w = workload;
        _adv = workload is Workload.Adversarial or Workload.WindowEdges;
        _dev = new Random(DeviceSeed(seed, workload));
        if (workload == Workload.Qemu)
            foreach (var c in QemuBoot()) _pending.Enqueue(c);
    }

    public Workload Workload => _w;

    /// <summary>The device stream's seed: the program's seed and workload through SplitMix64's finalizer, because
    /// System.Random's first draws for nearby seeds are alike (seeds 0, 1, 2 ... would give alike device actions).</summary>
    static int DeviceSeed(int seed, Workload workload)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)workload + 0x15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    /// <summary>SETUP(1, g), ENABLE, GET_INFO, clear the whole window (the guest's put_tce(0) at boot).</summary>
    IEnumerable<Command> QemuBoot()
    {
        var g = _config.Groups[_rng.Next(_config.Groups.Length)];
        var s = new Script(_config).Setup(1, g.Id, 3, 4).Enable(1, 3).GetInfo(1, 3)
            .Unmap(1, 3, (ulong)g.ItOffset << 12, (ulong)g.ItSize << 12);
        return s.Commands;
    }

    // The weights of each kind of call, per workload. Order of the columns: see CallKind.
    static readonly Dictionary<Workload, int[]> Weights = new()
    {
        //                              Prg OpC OpG SetC SetI En Dis Map Unm Inf Sta Dev Uns Cls Frk Pas Ext HAl HFr HSt Inj Mmp Mun Chk Raw
        [Workload.Mixed] =            [ 16,  2,  3,  5,   4,  5,  4, 18, 10,  3,  2,  3,  3,  4,  2,  3,  1,  2,  2,  2,  2,  2,  1,  2,  3],
        [Workload.Adversarial] =      [ 12,  2,  3,  4,   4,  4,  3, 20, 10,  4,  3,  3,  3,  4,  2,  3,  1,  2,  2,  3,  3,  2,  2,  2,  5],
        [Workload.Qemu] =             [  0,  0,  0,  0,   0,  0,  0, 55, 35,  8,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0],
        [Workload.Alignment] =        [ 14,  1,  1,  1,   1,  2,  1, 38, 30,  2,  0,  0,  1,  1,  0,  1,  0,  1,  1,  1,  1,  1,  0,  0,  1],
        [Workload.WindowEdges] =      [ 14,  1,  1,  1,   1,  2,  1, 36, 28,  3,  0,  0,  1,  1,  0,  1,  0,  2,  1,  1,  1,  1,  0,  0,  1],
        [Workload.PartialFailure] =   [ 14,  1,  1,  1,   1,  3,  2, 36, 10,  1,  0,  0,  1,  1,  1,  1,  0,  2,  1,  2, 10,  3,  3,  0,  0],
        [Workload.Ownership] =        [ 16,  4,  6,  9,   7,  4,  2,  8,  3,  1,  1,  4,  6,  7,  2,  3,  2,  8,  6, 10,  1,  0,  0,  0,  0],
        [Workload.Lifecycle] =        [ 22,  3,  3,  3,   3,  6,  4, 15,  6,  1,  1,  2,  5, 10,  0,  0,  6,  2,  2,  2,  1,  1,  1,  0,  0],
    };

    /// <summary>Percent of a program's commands that are device actions, per workload (issue 15): DMA everywhere a
    /// device may run, more where mappings come and go (INV-13) or pages are released (INV-12).</summary>
    static readonly Dictionary<Workload, int> DevicePercent = new()
    {
        [Workload.Mixed] = 10, [Workload.Qemu] = 12, [Workload.Adversarial] = 10, [Workload.Alignment] = 4,
        [Workload.WindowEdges] = 8, [Workload.PartialFailure] = 8, [Workload.Ownership] = 10, [Workload.Lifecycle] = 10,
    };

    /// <summary>The next command, chosen from the guiding system's observed state.</summary>
    public Command Next(Observed o)
    {
        if (_pending.Count > 0) return _pending.Dequeue();
        if (_dev.Next(100) < DevicePercent[_w] && Live(o) is { Count: > 0 } devLive) return Device(o, devLive);
        var rng = _rng;
        DrawAttack();
        var live = Live(o);
        if (live.Count == 0) return new OpenContainerCmd(1); // every process exited: calls now give -ESRCH
        // Mostly the first live process, so sequences in one process get deep; sometimes any. QEMU is one process.
        // The main process is the first one holding an enabled container (the first live one while none does).
        int main = live.FirstOrDefault(p => new Ctx(o, p, live).Attached(enabled: true).Count > 0, live[0]);
        int focus = _w is Workload.Qemu ? 100 : _w is Workload.Alignment or Workload.WindowEdges or Workload.PartialFailure ? 9 : 7;
        int pid = rng.Next(10) < focus ? main : Pick(live);
        var ctx = new Ctx(o, pid, live);

        if (_w == Workload.Qemu)
        {
            if (ctx.Attached(enabled: true).Count == 0) return Progress(ctx);
            int r = rng.Next(100);
            if (r < 2) return UnmapWholeWindow(ctx);          // the guest reboots: clear everything
            return r < 55 ? QemuMap(ctx) : r < 92 ? QemuUnmap(ctx) : GetInfo(ctx);
        }

        var weights = Weights[_w];
        int total = weights.Sum(), roll = rng.Next(total), cat = 0;
        while (roll >= weights[cat]) roll -= weights[cat++];
        return Draw(ctx, (CallKind)cat);
    }

    /// <summary>
    /// A call of one kind by <paramref name="pid"/>, with this stream's argument shapes (the workload's attacks and edges):
    /// the concurrency suite's generated threads draw their calls here, so every operation and every argument shape
    /// of the sequential programs can run in a thread. The kind may give way to another when the state offers no
    /// object for it (a map with no enabled container makes progress towards one, as in a program).
    /// </summary>
    public Command Next(Observed o, int pid, CallKind kind)
    {
        if (!o.Processes.ContainsKey(pid)) throw new ArgumentException($"no process {pid} in the observed state", nameof(pid));
        DrawAttack();
        var live = Live(o);
        return Draw(new Ctx(o, pid, live), kind);
    }

    void DrawAttack() => _attack = _w switch
    {
        Workload.Adversarial => _rng.Next(9) is var a && a < 7 ? (Attack)(a + 1) : a == 7 ? Attack.AbiEdge : Attack.None,
        Workload.WindowEdges => _rng.Next(5) == 0 ? Attack.None : Attack.Edge,
        _ => Attack.None,
    };

    static List<int> Live(Observed o) => o.Processes.Where(p => !p.Value.Exited).Select(p => p.Key).OrderBy(x => x).ToList();

    Command Draw(Ctx ctx, CallKind kind)
    {
        var rng = _rng;
        var o = ctx.O;
        var live = ctx.Live;
        int pid = ctx.Pid;
        return kind switch
        {
            CallKind.Progress => _attack == Attack.AbiEdge ? EnableAtLimit(ctx) : Progress(ctx),
            CallKind.OpenContainer => ctx.ContainerFds.Count < 2 ? new OpenContainerCmd(pid) : Close(ctx),
            CallKind.OpenGroup => new OpenGroupCmd(pid, rng.Next(10) == 0 ? 9 : GroupId()),
            CallKind.SetContainer => SetContainer(ctx),
            CallKind.SetIommu => SetIommu(ctx),
            CallKind.Enable when _attack == Attack.AbiEdge => EnableAtLimit(ctx),
            CallKind.Enable => new IoctlCmd(pid, PickFd(Prefer(ctx.Attached(false), ctx.ContainerFds), ctx.AllFds), Ioctls.Enable, _attack == Attack.Value ? (ulong)rng.NextInt64() : 0),
            CallKind.Disable => new IoctlCmd(pid, PickFd(Prefer(ctx.Attached(true), ctx.ContainerFds), ctx.AllFds), Ioctls.Disable, 0),
            CallKind.Map => _w == Workload.PartialFailure ? PartialMap(ctx) : Map(ctx),
            CallKind.Unmap => Unmap(ctx),
            CallKind.GetInfo => GetInfo(ctx),
            CallKind.GetStatus when _attack == Attack.AbiEdge =>
                EdgeStruct(ctx, PickFd(ctx.GroupFds, ctx.AllFds), Ioctls.GroupGetStatus, Abi.GroupStatusMinsz, Abi.GroupStatus, writesBack: true),
            CallKind.GetStatus => new IoctlArgCmd(pid, PickFd(ctx.GroupFds, ctx.AllFds), Ioctls.GroupGetStatus,
                ArgAddr(ctx, Abi.GroupStatusMinsz), Abi.GroupStatus(Argsz(Abi.GroupStatusMinsz))),
            CallKind.GetDeviceFd => GetDeviceFd(ctx),
            CallKind.Unset => new IoctlCmd(pid, PickFd(ctx.GroupFds, ctx.AllFds), Ioctls.GroupUnsetContainer, 0),
            CallKind.Close => Close(ctx),
            CallKind.Fork => live.Count < MaxProcesses && o.Processes.Count < 8 ? new ForkCmd(pid) : Close(ctx),
            CallKind.PassFd => ctx.AllFds.Count > 0 ? new PassFdCmd(pid, Pick(ctx.AllFds), Pick(live)) : new OpenContainerCmd(pid),
            CallKind.Exit => live.Count > 1 ? new ExitCmd(pid) : _w == Workload.Lifecycle ? Close(ctx) : new ForkCmd(pid),
            CallKind.HostAlloc => new HostAllocCmd(GroupId(), rng.Next(5) == 0 ? rng.Next(-1, 80) : rng.Next(1, 4)),
            CallKind.HostFree => HostFree(o),
            CallKind.HostStale => HostStale(),
            CallKind.Inject => Inject(ctx),
            CallKind.Mmap => Mmap(ctx),
            CallKind.Munmap => new UnmapPageCmd(pid, (ulong)rng.Next(0x10, 0x1a)),
            CallKind.CheckExtension => new IoctlCmd(pid, PickFd(ctx.ContainerFds, ctx.AllFds), Ioctls.CheckExtension, (ulong)rng.Next(4)),
            CallKind.Dma => DeviceDma(o),
            CallKind.HostReuse => HostReuse(o),
            _ => Raw(ctx),
        };
    }

    // ------------------------------------------------------------------ what the observed state offers

    /// <summary>The chosen process's view: its fds by kind, and its ready (enabled) containers.</summary>
    sealed class Ctx
    {
        public readonly Observed O;
        public readonly int Pid;
        public readonly List<int> Live;
        public readonly List<int> ContainerFds = new(), GroupFds = new(), AllFds = new();
        public readonly Observed.ProcessObs Proc;

        public Ctx(Observed o, int pid, List<int> live)
        {
            O = o; Pid = pid; Live = live; Proc = o.Processes[pid];
            foreach (var (fd, f) in Proc.Fds)
            {
                AllFds.Add(fd);
                if (f.Kind == "container") ContainerFds.Add(fd);
                else if (f.Kind == "group") GroupFds.Add(fd);
            }
        }

        public Observed.ContainerObs? ContainerOf(int fd) =>
            Proc.Fds.TryGetValue(fd, out var f) && f.Kind == "container" && O.Containers.TryGetValue(f.Id, out var c) ? c : null;

        /// <summary>Container fds whose container holds a table (and is enabled, when asked).</summary>
        public List<int> Attached(bool enabled) =>
            ContainerFds.Where(fd => ContainerOf(fd) is { Tbl: not null } c && (!enabled || c.Enabled)).ToList();
    }

    /// <summary>The next step towards an enabled container in this process: open a container, open a group, set the
    /// container, SET_IOMMU, ENABLE. When one is ready, a map.</summary>
    Command Progress(Ctx c)
    {
        if (c.Attached(enabled: true).Count > 0 && _rng.Next(3) != 0)
            return _w == Workload.PartialFailure ? PartialMap(c) : Map(c);
        if (c.ContainerFds.Count == 0) return new OpenContainerCmd(c.Pid);
        foreach (var cfd in c.ContainerFds)
        {
            var cont = c.ContainerOf(cfd);
            if (cont is null) continue;
            if (cont.Driver)
            {
                if (cont.Tbl is not null && !cont.Enabled) return new IoctlCmd(c.Pid, cfd, Ioctls.Enable, 0);
                continue;
            }
            if (cont.Groups.Count > 0) return new IoctlCmd(c.Pid, cfd, Ioctls.SetIommu, Abi.SpaprTceIommu);
            // a group fd of this process whose group has no container yet
            foreach (var gfd in c.GroupFds)
            {
                var gid = c.Proc.Fds[gfd].Id;
                if (c.O.Groups.TryGetValue(gid, out var g) && g.Container is null)
                    return new IoctlArgCmd(c.Pid, gfd, Ioctls.GroupSetContainer, Script.ScratchOf(_config, c.Pid), Abi.Int32(cfd));
            }
            var free = _config.Groups.Where(g => c.O.Groups.TryGetValue(g.Id, out var go) && !go.Opened && go.Container is null).ToList();
            if (free.Count > 0) return new OpenGroupCmd(c.Pid, free[_rng.Next(free.Count)].Id);
        }
        return c.ContainerFds.Count < 3 ? new OpenContainerCmd(c.Pid) : Map(c);
    }

    Command SetContainer(Ctx c)
    {
        int target = _rng.Next(10) switch
        {
            0 => -1,
            1 => c.AllFds.Count > 0 ? Pick(c.AllFds) : 3,
            2 => 99,
            _ => c.ContainerFds.Count > 0 ? Pick(c.ContainerFds) : 3,
        };
        ulong at = _attack == Attack.Addr ? OddAddr(c, 4) : Script.ScratchOf(_config, c.Pid);
        return new IoctlArgCmd(c.Pid, PickFd(c.GroupFds, c.AllFds), Ioctls.GroupSetContainer, at, Abi.Int32(target));
    }

    Command SetIommu(Ctx c)
    {
        ulong arg = _attack == Attack.Value ? (ulong)_rng.NextInt64() : _rng.Next(6) == 0 ? (ulong)_rng.Next(4) : Abi.SpaprTceIommu;
        return new IoctlCmd(c.Pid, PickFd(c.ContainerFds, c.AllFds), Ioctls.SetIommu, arg);
    }

    Command GetInfo(Ctx c)
    {
        int fd = PickFd(Prefer(c.Attached(false), c.ContainerFds), c.AllFds);
        if (_attack == Attack.AbiEdge) return EdgeStruct(c, fd, Ioctls.SpaprTceGetInfo, Abi.TceInfoMinsz, Abi.TceInfo, writesBack: true);
        return new IoctlArgCmd(c.Pid, fd, Ioctls.SpaprTceGetInfo, ArgAddr(c, Abi.TceInfoMinsz), Abi.TceInfo(Argsz(Abi.TceInfoMinsz)));
    }

    /// <summary>A struct ioctl at the ABI's edges (ABI-5, ABI-8): a small argsz in a struct whose argsz field is mapped
    /// and whose rest lies in the unmapped page after the last mapping (the minsz copy faults first: -EFAULT); or, for
    /// an ioctl that writes back, a larger argsz whose bytes past minsz hold a pattern the write-back must leave alone.</summary>
    IoctlArgCmd EdgeStruct(Ctx c, int fd, uint cmd, int minsz, Func<uint, byte[]> build, bool writesBack)
    {
        if (writesBack && _rng.Next(2) == 0)
        {
            uint argsz = (uint)(minsz + _rng.Next(1, 17));
            var bytes = new byte[argsz];
            build(argsz).CopyTo(bytes, 0);
            bytes.AsSpan(minsz).Fill(0xa5);
            return new IoctlArgCmd(c.Pid, fd, cmd, Script.ScratchOf(_config, c.Pid), bytes);
        }
        uint small = (uint)_rng.Next(0, minsz);
        ulong at = LastMappedEnd(c) - (ulong)_rng.Next(4, minsz);
        return new IoctlArgCmd(c.Pid, fd, cmd, at, build(small));
    }

    /// <summary>
    /// An ENABLE at the edge of RLIMIT_MEMLOCK (EN-5): of the live processes' attached, disabled containers, the one
    /// whose charge (it_size pages) lands closest to its process's limit, exactly at it or one page past it at best;
    /// with none, the next step towards one in the process with the tightest non-zero limit. (Limits are the boot
    /// processes'; CAP_IPC_LOCK holders have none.)
    /// </summary>
    Command EnableAtLimit(Ctx c)
    {
        (int Pid, int Fd, long Slack)? best = null;
        foreach (int pid in c.Live)
        {
            if (_config.Processes.FirstOrDefault(p => p.Pid == pid) is not { CapIpcLock: false } limits) continue;
            var ctx = pid == c.Pid ? c : new Ctx(c.O, pid, c.Live);
            long room = (long)(limits.RlimitMemlock >> _config.PageShift) - ctx.Proc.LockedVm;
            foreach (int fd in ctx.Attached(enabled: false))
            {
                if (ctx.ContainerOf(fd) is not { Tbl: { } g, Enabled: false }) continue;
                long slack = room - _config.FindGroup(g)!.ItSize;
                if (best is null || Math.Abs(slack) < Math.Abs(best.Value.Slack)) best = (pid, fd, slack);
            }
        }
        if (best is { } b) return new IoctlCmd(b.Pid, b.Fd, Ioctls.Enable, 0);
        var tight = _config.Processes.Where(p => c.Live.Contains(p.Pid) && !p.CapIpcLock && p.RlimitMemlock > 0).MinBy(p => p.RlimitMemlock);
        return Progress(tight is null || tight.Pid == c.Pid ? c : new Ctx(c.O, tight.Pid, c.Live));
    }

    Command GetDeviceFd(Ctx c)
    {
        var names = _config.Groups.SelectMany(g => g.Devices).ToList();
        int gfd = PickFd(c.GroupFds, c.AllFds);
        // mostly a device of the fd's own group
        if (c.Proc.Fds.TryGetValue(gfd, out var f) && f.Kind == "group" && _rng.Next(4) != 0 && _config.FindGroup(f.Id) is { } gc)
            names = gc.Devices.ToList();
        // sometimes no such device: an unknown name, or one next to a real one (a proper prefix, a near miss)
        string name = _rng.Next(6) == 0 ? _rng.Next(2) == 0 ? "0000:ff:00.0" : NearMiss(Pick(names)) : Pick(names);
        if (_attack == Attack.AbiEdge) name = NearMiss(name);
        byte[] bytes = Abi.CString(name);
        ulong at = Script.ScratchOf(_config, c.Pid);
        if (_attack is Attack.Addr or Attack.Value)
        {
            // no NUL within a page, or the name straddling into an unmapped page
            if (_rng.Next(2) == 0) bytes = Enumerable.Repeat((byte)'a', (int)Math.Min(_config.PageSize + 8, 0x500)).ToArray();
            else at = LastMappedEnd(c) - (ulong)_rng.Next(1, bytes.Length);
        }
        return new IoctlArgCmd(c.Pid, gfd, Ioctls.GroupGetDeviceFd, at, bytes);
    }

    /// <summary>A device name next to a real one (CORE-27 wants an exact match): a proper prefix, the name with a
    /// character more, or with its last character changed.</summary>
    string NearMiss(string name) => _rng.Next(3) switch
    {
        0 => name[..(name.Length - _rng.Next(1, Math.Max(2, name.Length)))],
        1 => name + (char)('0' + _rng.Next(10)),
        _ => name[..^1] + (char)(name[^1] == '0' ? '1' : name[^1] - 1),
    };

    // ------------------------------------------------------------------ MAP and UNMAP

    Command Map(Ctx c)
    {
        if (c.Attached(enabled: true).Count == 0 && _rng.Next(3) != 0) return Progress(c);
        int fd = PickFd(Prefer(c.Attached(enabled: true), Prefer(c.Attached(false), c.ContainerFds)), c.AllFds);
        var g = WindowOf(c, fd) ?? _config.Groups[_rng.Next(_config.Groups.Length)];
        ulong pages = (ulong)(_rng.Next(8) == 0 ? _rng.Next(0, 9) : _rng.Next(1, 3));
        ulong iova = Iova(g, pages);
        ulong vaddr = Vaddr(c);
        ulong size = pages << 12;
        uint flags = Flags();
        if (_attack == Attack.Edge) EdgeRange(g, ref iova, ref size);
        if (_w == Workload.Alignment ? _rng.Next(2) == 0 : _attack == Attack.Misalign) Misalign(ref vaddr, ref iova, ref size, map: true);
        if (_attack == Attack.AbiEdge) return EdgeStruct(c, fd, Ioctls.MapDma, Abi.DmaMapMinsz, a => Abi.DmaMap(a, flags, vaddr, iova, size), writesBack: false);
        return new IoctlArgCmd(c.Pid, fd, Ioctls.MapDma, ArgAddr(c, Abi.DmaMapMinsz), Abi.DmaMap(Argsz(Abi.DmaMapMinsz), flags, vaddr, iova, size));
    }

    /// <summary>A multi-page map that is likely to fail part way: over a busy entry, into an unmapped or read-only
    /// page, or after an injected failure.</summary>
    Command PartialMap(Ctx c)
    {
        var fds = c.Attached(enabled: true);
        if (fds.Count == 0) return Map(c);
        int fd = Pick(fds);
        var g = WindowOf(c, fd)!;
        var t = c.O.Tables[g.Id];
        var inUse = t.Tces.Where(kv => kv.Key >= g.ItOffset && kv.Key < g.ItOffset + g.ItSize && Abi.InUse(kv.Value)).Select(kv => kv.Key).ToList();
        int pages = _rng.Next(2, 7);
        long entry;
        if (inUse.Count > 0 && _rng.Next(3) == 0)
            entry = Math.Max(g.ItOffset, Pick(inUse) - _rng.Next(1, pages));      // runs into a busy entry at k > 0
        else
            entry = g.ItOffset + _rng.Next((int)Math.Max(1, g.ItSize - pages));
        entry = Math.Min(entry, g.ItOffset + g.ItSize - pages);
        ulong vaddr;
        uint flags = _rng.Next(4) == 0 ? Abi.MapFlagRead : Script.RW;
        var vm = c.Proc.Vm;
        int perPage = _config.IommuPagesPerPage;
        int pick = _rng.Next(3);
        if (pick == 0 && vm.Count > 0)
        {
            // end inside (or just past) a read-only or unmapped page: the pin fails at page k
            var bad = Enumerable.Range(0x10, 10).Select(v => (ulong)v).Where(v => !vm.TryGetValue(v, out var m) || !m.Writable).ToList();
            ulong badPage = bad.Count > 0 ? Pick(bad) : 0x18;
            ulong badAddr = badPage << _config.PageShift;
            int k = _rng.Next(1, pages);
            vaddr = badAddr - ((ulong)k << 12);
            flags = Script.RW;
        }
        else vaddr = Vaddr(c);
        return new IoctlArgCmd(c.Pid, fd, Ioctls.MapDma, Script.ScratchOf(_config, c.Pid),
            Abi.DmaMap(Abi.DmaMapMinsz, flags, vaddr, (ulong)entry << 12, (ulong)pages << 12));
    }

    Command Unmap(Ctx c)
    {
        int fd = PickFd(Prefer(c.Attached(enabled: false), c.ContainerFds), c.AllFds);
        var g = WindowOf(c, fd) ?? _config.Groups[_rng.Next(_config.Groups.Length)];
        ulong pages = (ulong)(_rng.Next(6) == 0 ? _rng.Next(0, (int)g.ItSize + 2) : _rng.Next(1, 4));
        ulong iova = Iova(g, pages);
        // often exactly what is mapped
        if (_rng.Next(3) == 0 && c.O.Tables.TryGetValue(g.Id, out var t))
        {
            var inUse = t.Tces.Where(kv => kv.Key >= g.ItOffset && kv.Key < g.ItOffset + g.ItSize && Abi.InUse(kv.Value)).Select(kv => kv.Key).ToList();
            if (inUse.Count > 0) iova = (ulong)Pick(inUse) << 12;
        }
        ulong size = pages << 12, vaddr = 0;
        if (_attack == Attack.Edge) EdgeRange(g, ref iova, ref size);
        if (_w == Workload.Alignment ? _rng.Next(2) == 0 : _attack == Attack.Misalign) Misalign(ref vaddr, ref iova, ref size, map: false);
        uint flags = _attack == Attack.Flags ? AnyFlagBits() : 0;
        if (_attack == Attack.AbiEdge) return EdgeStruct(c, fd, Ioctls.UnmapDma, Abi.DmaUnmapMinsz, a => Abi.DmaUnmap(a, flags, iova, size), writesBack: false);
        return new IoctlArgCmd(c.Pid, fd, Ioctls.UnmapDma, ArgAddr(c, Abi.DmaUnmapMinsz), Abi.DmaUnmap(Argsz(Abi.DmaUnmapMinsz), flags, iova, size));
    }

    /// <summary>A guest-chosen 4 KiB map: one entry of the window, one 4 KiB piece of guest RAM (a writable page,
    /// rarely the read-only one or a hole).</summary>
    Command QemuMap(Ctx c)
    {
        int fd = c.Attached(enabled: true)[0];
        var g = WindowOf(c, fd) ?? _config.Groups[0];
        ulong iova = (ulong)(g.ItOffset + _rng.Next((int)g.ItSize)) << 12;
        uint flags = _rng.Next(8) == 0 ? Abi.MapFlagRead : Script.RW;
        var ram = c.Proc.Vm.Where(m => m.Value.Writable).Select(m => m.Key).ToList();
        ulong vaddr = ram.Count > 0 && _rng.Next(20) != 0
            ? (Pick(ram) << _config.PageShift) + ((ulong)_rng.Next(_config.IommuPagesPerPage) << 12)
            : Vaddr(c);
        return new IoctlArgCmd(c.Pid, fd, Ioctls.MapDma, Script.ScratchOf(_config, c.Pid), Abi.DmaMap(Abi.DmaMapMinsz, flags, vaddr, iova, 0x1000));
    }

    /// <summary>A guest unmap of one entry, mostly one it mapped.</summary>
    Command QemuUnmap(Ctx c)
    {
        int fd = c.Attached(enabled: true)[0];
        var g = WindowOf(c, fd) ?? _config.Groups[0];
        long entry = g.ItOffset + _rng.Next((int)g.ItSize);
        if (c.O.Tables.TryGetValue(g.Id, out var t) && _rng.Next(10) < 7)
        {
            var inUse = t.Tces.Where(kv => kv.Key >= g.ItOffset && kv.Key < g.ItOffset + g.ItSize && Abi.InUse(kv.Value)).Select(kv => kv.Key).ToList();
            if (inUse.Count > 0) entry = Pick(inUse);
        }
        return new IoctlArgCmd(c.Pid, fd, Ioctls.UnmapDma, Script.ScratchOf(_config, c.Pid), Abi.DmaUnmap(Abi.DmaUnmapMinsz, 0, (ulong)entry << 12, 0x1000));
    }

    Command UnmapWholeWindow(Ctx c)
    {
        int fd = c.Attached(enabled: true)[0];
        var g = WindowOf(c, fd) ?? _config.Groups[0];
        return new IoctlArgCmd(c.Pid, fd, Ioctls.UnmapDma, Script.ScratchOf(_config, c.Pid),
            Abi.DmaUnmap(Abi.DmaUnmapMinsz, 0, (ulong)g.ItOffset << 12, (ulong)g.ItSize << 12));
    }

    uint Flags() => _attack == Attack.Flags
        ? _rng.Next(3) switch { 0 => AnyFlagBits(), 1 => 0, _ => Script.RW | (1u << _rng.Next(2, 32)) }
        : _rng.Next(10) switch { 0 => Abi.MapFlagRead, 1 => Abi.MapFlagWrite, _ => Script.RW };

    /// <summary>Every flag bit, one at a time, or a random word.</summary>
    uint AnyFlagBits() => _rng.Next(3) == 0 ? (uint)_rng.Next() : 1u << _rng.Next(32);

    /// <summary>An IOVA in the window mostly, at its edges often, outside it sometimes.</summary>
    ulong Iova(GroupConfig g, ulong pages)
    {
        long first = g.ItOffset, end = g.ItOffset + g.ItSize;
        long entry = _rng.Next(_attack == Attack.Edge ? 9 : 16) switch
        {
            0 => first,
            1 => end - 1,
            2 => Math.Max(first, end - (long)Math.Min(pages, (ulong)g.ItSize)),
            3 when _attack == Attack.Edge || _rng.Next(2) == 0 => end,
            4 when _attack == Attack.Edge || _rng.Next(2) == 0 => first - 1,
            5 when _attack == Attack.Edge => (long)(ulong.MaxValue >> 12),
            6 when _attack == Attack.Edge => first - (long)pages,
            _ => first + _rng.Next((int)g.ItSize),
        };
        return (ulong)entry << 12;
    }

    /// <summary>Requests at the window's edges: the last entry and one past it, the first and one before, a size that
    /// ends exactly at the window's end or one entry past it, and iova + size wrapping 2^64.</summary>
    void EdgeRange(GroupConfig g, ref ulong iova, ref ulong size)
    {
        ulong first = (ulong)g.ItOffset << 12, end = (ulong)(g.ItOffset + g.ItSize) << 12;
        switch (_rng.Next(9))
        {
            case 0: iova = end - 0x1000; size = 0x1000; break;                       // last entry
            case 1: iova = end - 0x1000; size = 0x2000; break;                       // last entry and one past (FIND-1)
            case 2: iova = end; size = 0x1000; break;                                // one past
            case 3: iova = first; size = end - first; break;                         // the whole window
            case 4: iova = first; size = end - first + 0x1000; break;                // one entry too many
            case 5: iova = first - 0x1000; size = 0x2000; break;                     // one before, and the first (or wraps at 0)
            case 6: iova = end - 0x1000; size = 0UL - iova; break;                   // iova + size wraps to exactly 0
            case 7: iova = first + (ulong)_rng.Next((int)g.ItSize) * 0x1000; size = ~0xfffUL; break; // huge: wraps 2^64
            default: iova = ulong.MaxValue & ~0xfffUL; size = 0x1000 * (ulong)_rng.Next(1, 3); break; // the last page of 2^64
        }
    }

    /// <summary>A user address: mostly a mapped page of the caller (and a 4 KiB piece of it with 64 KiB pages), sometimes
    /// the read-only page, a hole, an unmapped page, or the top of the address space.</summary>
    ulong Vaddr(Ctx c)
    {
        ulong inPage = (ulong)_rng.Next(_config.IommuPagesPerPage) << 12;
        var vm = c.Proc.Vm;
        if (_attack == Attack.Vaddr && _rng.Next(3) == 0) return ulong.MaxValue & Abi.IommuPageMask;
        ulong vpage;
        int r = _attack == Attack.Vaddr ? _rng.Next(2) : _adv ? 9 : _rng.Next(12);
        if (r == 0 || vm.Count == 0) vpage = 0x18 + (ulong)_rng.Next(4);             // unmapped
        else if (r == 1 && vm.Any(m => !m.Value.Writable)) vpage = vm.First(m => !m.Value.Writable).Key; // read-only
        else vpage = vm.Keys.ElementAt(_rng.Next(vm.Count));
        return (vpage << _config.PageShift) + inPage;
    }

    /// <summary>Off by one byte (or more) in one of vaddr, iova, size.</summary>
    void Misalign(ref ulong vaddr, ref ulong iova, ref ulong size, bool map)
    {
        ulong delta = _rng.Next(3) switch { 0 => 1UL, 1 => 0xfffUL, _ => (ulong)_rng.Next(1, 4096) };
        bool minus = _rng.Next(2) == 0;
        switch (_rng.Next(map ? 3 : 2))
        {
            case 0: iova = minus && iova >= delta ? iova - delta : iova + delta; break;
            case 1: size = minus && size >= delta ? size - delta : size + delta; break;
            default: vaddr = minus && vaddr >= delta ? vaddr - delta : vaddr + delta; break;
        }
    }

    /// <summary>Where a struct is staged: the scratch address mostly; adversarially also straddling the unmapped page
    /// after the last mapping, inside the read-only page (readable, not writable), unmapped, or at the top of 2^64.</summary>
    ulong ArgAddr(Ctx c, int size)
    {
        return _attack == Attack.Addr ? OddAddr(c, size) : Script.ScratchOf(_config, c.Pid);
    }

    ulong OddAddr(Ctx c, int size)
    {
        ulong scratch = Script.ScratchOf(_config, c.Pid);
        ulong lastEnd = LastMappedEnd(c);
        var ro = c.Proc.Vm.Where(m => !m.Value.Writable).Select(m => m.Key).ToList();
        return _rng.Next(6) switch
        {
            0 => lastEnd - (ulong)_rng.Next(1, size),                                  // straddles into the hole
            1 => ro.Count > 0 ? (ro[0] << _config.PageShift) + 0x100 : scratch,          // read-only: write-back faults
            2 => ro.Count > 0 ? (ro[0] << _config.PageShift) - (ulong)_rng.Next(1, size) : scratch, // straddles rw -> ro
            3 => 0,
            4 => ulong.MaxValue - (ulong)_rng.Next(0, size),                              // wraps 2^64
            _ => lastEnd + 0x100,
        };
    }

    ulong LastMappedEnd(Ctx c)
    {
        var p = _config.Processes.FirstOrDefault(x => x.Pid == c.Pid) ?? _config.Processes[0];
        ulong last = c.Proc.Vm.Count > 0 ? c.Proc.Vm.Keys.Max() : p.Mappings.Max(m => m.Vpage);
        return (last + 1) << _config.PageShift;
    }

    /// <summary>argsz: minsz mostly; at the edges 0, minsz - 1, minsz, minsz + 8, 2^31, 2^32 - 1.</summary>
    uint Argsz(int minsz)
    {
        if (_attack != Attack.Argsz && (_adv || _rng.Next(16) != 0)) return (uint)minsz;
        return _rng.Next(7) switch
        {
            0 => 0,
            1 => (uint)minsz - 1,
            2 => (uint)minsz + 8,
            3 => uint.MaxValue,
            4 => 0x80000000u,
            _ => (uint)minsz,
        };
    }

    // ------------------------------------------------------------------ host and memory

    Command HostFree(Observed o)
    {
        int g = GroupId();
        var gc = _config.FindGroup(g)!;
        var host = o.Tables[g].Tces.Where(kv => kv.Key >= gc.ItOffset && kv.Key < gc.ItOffset + gc.ItSize && kv.Value == Memory.HostTce(kv.Key))
            .Select(kv => kv.Key).ToList();
        long entry = host.Count > 0 ? Pick(host) : gc.ItOffset + 1;
        return new HostFreeCmd(g, _rng.Next(5) == 0 ? entry + _rng.Next(-1, 2) : entry, _rng.Next(5) == 0 ? _rng.Next(0, 3) : 1);
    }

    Command HostStale()
    {
        int g = GroupId();
        var gc = _config.FindGroup(g)!;
        long entry = gc.ItOffset + _rng.Next((int)gc.ItSize + (_rng.Next(6) == 0 ? 2 : 0));
        if (_rng.Next(12) == 0) entry = gc.ItOffset - 1;
        ulong tce = _rng.Next(4) switch
        {
            0 => Memory.HostTce(entry),
            1 => ((ulong)(uint)_rng.Next((int)_config.PhysicalPages) << _config.PageShift) | (uint)_rng.Next(1, 4),
            2 => ((ulong)(uint)_rng.Next((int)_config.PhysicalPages) << _config.PageShift) | 0x800,   // not in use (no permission)
            _ => (ulong)_rng.NextInt64(),
        };
        return new HostStaleCmd(g, entry, tce);
    }

    Command Inject(Ctx c)
    {
        int g = GroupId();
        foreach (var fd in c.Attached(enabled: true))
            if (c.ContainerOf(fd)?.Tbl is { } tg) { g = tg; break; }
        int nth = _rng.Next(5) == 0 ? _rng.Next(-1, 2) : _rng.Next(1, 5);
        return new InjectCmd(g, nth);
    }

    Command Mmap(Ctx c)
    {
        long pfn = _rng.Next(6) == 0 ? _config.PhysicalPages + _rng.Next(3) : _rng.Next((int)_config.PhysicalPages);
        return new MapPageCmd(c.Pid, (ulong)_rng.Next(0x10, 0x1a), pfn, _rng.Next(3) != 0);
    }

    // ------------------------------------------------------------------ the device and the life of a page (issue 15)

    /// <summary>A device action, from the device's stream: mostly a DMA; a host reuse; an mmap of a frame the host holds
    /// (PAGE-4: -EBUSY) or of a free one (reused by the caller); a munmap of a page a TCE pins, so that the UNMAP that
    /// follows frees the frame (FIND-26's ground).</summary>
    Command Device(Observed o, List<int> live)
    {
        int r = _dev.Next(100);
        if (r < 62) return DeviceDma(o, followUp: true);
        if (r < 84) return HostReuse(o);
        int pid = _dev.Next(4) == 0 ? DevPick(live) : live[0];
        var vm = o.Processes[pid].Vm;
        if (r < 92)
        {
            var host = Frames(o, pfn => o.Frame(pfn).Owner == FrameOwner.Host);
            var free = Frames(o, o.IsFree);
            long pfn = host.Count > 0 && _dev.Next(2) == 0 ? DevPick(host) : free.Count > 0 ? DevPick(free) : _dev.Next((int)_config.PhysicalPages);
            return new MapPageCmd(pid, (ulong)_dev.Next(0x10, 0x1a), pfn, _dev.Next(3) != 0);
        }
        var pinned = vm.Where(m => o.Pages.TryGetValue(m.Value.Pfn, out var p) && p.Ref > Memory.BaseRefCount(m.Value.Pfn)).Select(m => m.Key).ToList();
        return new UnmapPageCmd(pid, pinned.Count > 0 ? DevPick(pinned) : (ulong)_dev.Next(0x10, 0x1a));
    }

    /// <summary>A DMA (DEV-1, DEV-5): mostly through a table with in-use entries at an IOVA it maps (either direction,
    /// within one page, crossing pages, ending at a page end), else at the window's edges, outside it, near 2^64, at
    /// random; sometimes on a group that does not exist; lengths 0, DmaMaxBytes and DmaMaxBytes + 1 among them.</summary>
    Command DeviceDma(Observed o, bool followUp = false)
    {
        var d = _dev;
        var mapped = _config.Groups.Where(g => InUse(o, g).Count > 0).ToList();
        int roll = d.Next(20);
        GroupConfig? gc = roll == 0 ? null : roll < 15 && mapped.Count > 0 ? DevPick(mapped) : DevPick(_config.Groups);
        int group = gc?.Id ?? d.Next(3) switch { 0 => 0, 1 => -1, _ => 9 };
        gc ??= _config.Groups[0];
        int len = d.Next(16) switch
        {
            0 => 0,
            1 => Memory.DmaMaxBytes,
            2 => Memory.DmaMaxBytes + 1,
            3 => 0x1000,
            4 => d.Next(0x1001, 0x3000),                                     // crosses at least one page
            _ => d.Next(1, 65),
        };
        var inUse = InUse(o, gc);
        long first = gc.ItOffset, end = gc.ItOffset + gc.ItSize;
        long entry = inUse.Count > 0 ? DevPick(inUse) : first + d.Next((int)gc.ItSize);
        ulong span = (ulong)Math.Clamp(len, 1, 0x1000);
        ulong iova = d.Next(16) switch
        {
            < 6 => (ulong)entry << 12,
            6 => ((ulong)entry << 12) + (ulong)d.Next(0x1000),
            7 => ((ulong)entry << 12) + 0x1000 - span,                                   // ends at the page end
            8 => ((ulong)entry << 12) + 0x1000 - (ulong)d.Next(1, (int)Math.Max(2, span)), // crosses into the next entry
            9 => (ulong)first << 12,                                                     // the window's first entry
            10 => ((ulong)end << 12) - (d.Next(2) == 0 ? span : 1),                      // at the window's end, or one byte over
            11 => d.Next(2) == 0 ? (ulong)end << 12 : (ulong)(first - 1) << 12,          // just outside (below 0: near 2^64)
            12 => ulong.MaxValue - (ulong)d.Next(0, 2 * (int)span + 2),                   // near 2^64: may wrap
            13 => (ulong)d.NextInt64() << d.Next(13),
            _ => (ulong)(first + d.Next((int)gc.ItSize)) << 12,
        };
        var direction = d.Next(2) == 0 ? DmaDirection.Read : DmaDirection.Write;
        byte fill = d.Next(16) == 0 ? (byte)0 : (byte)d.Next(1, 256);
        var dma = new DmaCmd(group, iova, len, direction, fill);
        // The device in flight while its user unmaps: a DMA into a mapped entry, then (next) the UNMAP_DMA of that entry
        // by a process holding the container, then the same DMA again, which must fault (INV-13); the entry is cached
        // by the first DMA, so a clear that outlives its flush shows (INV-12).
        if (followUp && inUse.Contains(entry) && iova >> 12 == (ulong)entry && d.Next(3) == 0 && Holder(o, gc.Id) is { } h)
        {
            _pending.Enqueue(new IoctlArgCmd(h.Pid, h.Fd, Ioctls.UnmapDma, Script.ScratchOf(_config, h.Pid),
                Abi.DmaUnmap(Abi.DmaUnmapMinsz, 0, (ulong)entry << 12, 0x1000)));
            _pending.Enqueue(dma with { Direction = DmaDirection.Write });
        }
        return dma;
    }

    /// <summary>A live process and its fd of the container that owns the group's table, if any.</summary>
    static (int Pid, int Fd)? Holder(Observed o, int group)
    {
        if (!o.Tables.TryGetValue(group, out var t) || t.Owner is not { } owner) return null;
        foreach (var (pid, p) in o.Processes)
            if (!p.Exited)
                foreach (var (fd, f) in p.Fds)
                    if (f.Kind == "container" && f.Id == owner) return (pid, fd);
        return null;
    }

    /// <summary>A host reuse (PAGE-3): mostly of a free frame (never mapped, or unmapped once its pins went), else of a
    /// pinned, mapped or host-held frame (-EBUSY), of no frame at all (-EINVAL), or of any frame.</summary>
    Command HostReuse(Observed o)
    {
        var d = _dev;
        List<long> Or(List<long> xs) => xs.Count > 0 ? xs : Frames(o, _ => true);
        long pfn = d.Next(20) switch
        {
            < 8 => DevPick(Or(Frames(o, o.IsFree))),
            < 11 => DevPick(Or(Frames(o, p => o.Pages.TryGetValue(p, out var page) && page.Ref > Memory.BaseRefCount(p)))),
            < 14 => DevPick(Or(Frames(o, o.IsMapped))),
            < 16 => DevPick(Or(Frames(o, p => o.Frame(p).Owner == FrameOwner.Host))),
            < 18 => d.Next(3) switch { 0 => -1, 1 => long.MaxValue, _ => _config.PhysicalPages + d.Next(3) },
            _ => d.Next((int)_config.PhysicalPages),
        };
        return new HostReuseCmd(pfn);
    }

    List<long> Frames(Observed o, Func<long, bool> which)
    {
        var list = new List<long>();
        for (long pfn = 0; pfn < _config.PhysicalPages; pfn++) if (which(pfn)) list.Add(pfn);
        return list;
    }

    /// <summary>The window entries of a group's table that hold an in-use TCE.</summary>
    static List<long> InUse(Observed o, GroupConfig g) =>
        o.Tables.TryGetValue(g.Id, out var t)
            ? t.Tces.Where(kv => kv.Key >= g.ItOffset && kv.Key < g.ItOffset + g.ItSize && Abi.InUse(kv.Value)).Select(kv => kv.Key).ToList()
            : [];

    T DevPick<T>(IReadOnlyList<T> xs) => xs[_dev.Next(xs.Count)];

    Command Raw(Ctx c)
    {
        uint cmd = _rng.Next(3) switch
        {
            0 => Ioctls.All[_rng.Next(Ioctls.All.Count)].Cmd,
            1 => Ioctls.Io(Ioctls.VfioType, Ioctls.VfioBase + _rng.Next(0, 24)),
            _ => (uint)_rng.Next(),
        };
        var bytes = new byte[_rng.Next(0, 40)];
        _rng.NextBytes(bytes);
        return new IoctlArgCmd(c.Pid, PickFd(c.AllFds, c.AllFds), cmd, ArgAddr(c, bytes.Length + 1), bytes);
    }

    Command Close(Ctx c) => new CloseCmd(c.Pid, c.AllFds.Count > 0 && _rng.Next(8) != 0 ? Pick(c.AllFds) : _rng.Next(0, 12));

    GroupConfig? WindowOf(Ctx c, int fd) => c.ContainerOf(fd) is { Tbl: { } g } ? _config.FindGroup(g) : null;

    int GroupId() => _config.Groups[_rng.Next(_config.Groups.Length)].Id;

    static List<int> Prefer(List<int> first, List<int> then) => first.Count > 0 ? first : then;

    /// <summary>Mostly one of the preferred fds, sometimes any fd, sometimes a bad one.</summary>
    int PickFd(List<int> preferred, List<int> any)
    {
        int r = _rng.Next(12);
        if (r == 0) return _rng.Next(-1, 12);
        if (r == 1 && any.Count > 0) return Pick(any);
        return preferred.Count > 0 ? Pick(preferred) : any.Count > 0 ? Pick(any) : 3;
    }

    T Pick<T>(IReadOnlyList<T> xs) => xs[_rng.Next(xs.Count)];
}
