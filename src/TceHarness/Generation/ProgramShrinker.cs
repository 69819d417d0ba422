using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Harness.Generation;

/// <summary>
/// Shrinks a failing program: whole commands and chunks of commands are dropped, and arguments are simplified (MAP size
/// toward one page, iova toward the window start, vaddr toward the caller's first page, flags toward READ|WRITE, argsz
/// toward minsz, struct addresses toward the scratch address, raw bytes toward zero, counts toward one).
/// <para>
/// Fds and pids are linked, not literal: every fd or pid a command names is tied to the command that created it
/// (open, GET_DEVICE_FD, fd passing, fork; fork children inherit their parent's links), found by running the program on
/// the model. When a candidate drops commands, the later fds and pids are renumbered to what their creators return
/// in the shorter program (STATE-3, STATE-4: lowest free fd, next pid), so dropping an unrelated open keeps the
/// program meaningful instead of turning every later call into -EBADF. Every candidate is a valid program (errors
/// are specified), so no precondition can break.
/// </para>
/// </summary>
public sealed class ProgramShrinker(Func<PlatformConfig, ITceSystem> model)
{
    /// <summary>Candidates, most aggressive first: the prefix ending at the failing step, chunks dropped (halves,
    /// quarters, ... single commands), then simpler arguments, one command at a time.</summary>
    public IEnumerable<IReadOnlyList<Command>> Shrink(PlatformConfig config, IReadOnlyList<Command> program, int? failedStep = null)
    {
        int n = program.Count;
        if (failedStep is { } f && f >= 0 && f < n - 1)
        {
            yield return program.Take(f + 1).ToList();
            yield break; // the prefix always fails the same way (programs are deterministic); shrink from there
        }
        var (links, aliases) = Analyze(config, program);
        var indexed = program.Select((c, i) => (Index: i, Command: c)).ToList();

        for (int k = n / 2; k >= 1; k /= 2)
            for (int start = 0; start + k <= n; start += k)
            {
                var kept = indexed.Where(x => x.Index < start || x.Index >= start + k).ToList();
                if (kept.Count == 0) continue;
                yield return Relink(config, kept, links, aliases);
            }

        for (int i = n - 1; i >= 0; i--)
            foreach (var simpler in ArgShrinks(config, program[i]))
            {
                if (simpler.Equals(program[i])) continue;   // never offer the same program: shrinking must progress
                var changed = indexed.ToList();
                changed[i] = (i, simpler);
                yield return Relink(config, changed, links, aliases);
            }
    }

    /// <summary>
    /// The greedy minimiser of every campaign (the CLI's property campaign and the self-test; the FsCheck suite shrinks
    /// through FsCheck with the same candidates, CampaignProperty.Shrink): starting from a program that fails at its
    /// last command, take the first candidate of <see cref="Shrink"/> that still fails, cut after its failing command,
    /// and start again, until no candidate fails, <paramref name="maxSteps"/> candidates were taken, or
    /// <paramref name="maxRuns"/> candidates were tried. <paramref name="failingStep"/> runs a program and returns the
    /// index of its failing command when it fails the same way (the same check), else null; it catches what its system
    /// throws. <paramref name="steps"/>: the candidates taken.
    /// </summary>
    public IReadOnlyList<Command> Minimize(PlatformConfig config, IReadOnlyList<Command> program, Func<IReadOnlyList<Command>, int?> failingStep,
        out int steps, int maxSteps = 300, int maxRuns = int.MaxValue, CancellationToken cancel = default)
    {
        var current = program;
        int runs = 0;
        steps = 0;
        bool progressed = true;
        while (progressed && steps < maxSteps && runs < maxRuns && !cancel.IsCancellationRequested)
        {
            progressed = false;
            List<IReadOnlyList<Command>> candidates;
            try { candidates = Shrink(config, current, current.Count - 1).ToList(); }
            catch (Exception) { break; } // the model cannot analyse the program: keep what we have
            foreach (var candidate in candidates)
            {
                if (++runs > maxRuns || cancel.IsCancellationRequested) break;
                if (candidate.Count > current.Count || failingStep(candidate) is not { } failed) continue;
                current = candidate.Take(failed + 1).ToList();
                steps++;
                progressed = true;
                break;
            }
        }
        return current;
    }

    /// <inheritdoc cref="Minimize(PlatformConfig, IReadOnlyList{Command}, Func{IReadOnlyList{Command}, int?}, out int, int, int, CancellationToken)"/>
    public IReadOnlyList<Command> Minimize(PlatformConfig config, IReadOnlyList<Command> program, Func<IReadOnlyList<Command>, int?> failingStep, int maxSteps = 300) =>
        Minimize(config, program, failingStep, out _, maxSteps);

    // ------------------------------------------------------------------ links

    /// <summary>The creators of the pids and fds one command names (indices into the program; null: not created by it).</summary>
    readonly record struct Links(int? Pid, int? Fd, int? Pid2, int? ArgFd);

    /// <summary>What a dropped creator's dependents fall back to: an fd passed within one process stands for the fd it
    /// was passed from; a forked child stands for its parent. (literal value, its own creator)</summary>
    sealed record Aliases(Dictionary<int, (int Value, int? Creator)> Fd, Dictionary<int, (int Value, int? Creator)> Pid);

    (Links[], Aliases) Analyze(PlatformConfig config, IReadOnlyList<Command> program)
    {
        var aliases = new Aliases(new(), new());
        var sys = model(config);
        var fdCreator = new Dictionary<(int Pid, int Fd), int>();
        var pidCreator = new Dictionary<int, int>();
        var links = new Links[program.Count];
        for (int i = 0; i < program.Count; i++)
        {
            var c = program[i];
            links[i] = LinksOf(c, fdCreator, pidCreator);
            if (c is PassFdCmd pf && pf.From == pf.To) aliases.Fd[i] = (pf.Fd, links[i].Fd);
            if (c is ForkCmd fk) aliases.Pid[i] = (fk.Pid, links[i].Pid);
            c.Prepare(sys);
            long r;
            try { r = c.Invoke(sys); }
            catch { r = -1; }
            Record(c, i, r, fdCreator, pidCreator);
        }
        return (links, aliases);
    }

    static Links LinksOf(Command c, Dictionary<(int, int), int> fdCreator, Dictionary<int, int> pidCreator)
    {
        int? P(int pid) => pidCreator.TryGetValue(pid, out var x) ? x : null;
        int? F(int pid, int fd) => fdCreator.TryGetValue((pid, fd), out var x) ? x : null;
        return c switch
        {
            IoctlArgCmd a when a.Cmd == Ioctls.GroupSetContainer && a.Bytes.Length == 4 =>
                new(P(a.Pid), F(a.Pid, a.Fd), null, F(a.Pid, BitConverter.ToInt32(a.Bytes))),
            IoctlArgCmd a => new(P(a.Pid), F(a.Pid, a.Fd), null, null),
            IoctlCmd a => new(P(a.Pid), F(a.Pid, a.Fd), null, null),
            CloseCmd a => new(P(a.Pid), F(a.Pid, a.Fd), null, null),
            PassFdCmd a => new(P(a.From), F(a.From, a.Fd), P(a.To), null),
            OpenContainerCmd a => new(P(a.Pid), null, null, null),
            OpenGroupCmd a => new(P(a.Pid), null, null, null),
            ForkCmd a => new(P(a.Pid), null, null, null),
            ExitCmd a => new(P(a.Pid), null, null, null),
            MapPageCmd a => new(P(a.Pid), null, null, null),
            UnmapPageCmd a => new(P(a.Pid), null, null, null),
            _ => default,
        };
    }

    static void Record(Command c, int i, long r, Dictionary<(int Pid, int Fd), int> fdCreator, Dictionary<int, int> pidCreator)
    {
        if (r < 0) return;
        switch (c)
        {
            case OpenContainerCmd a: fdCreator[(a.Pid, (int)r)] = i; break;
            case OpenGroupCmd a: fdCreator[(a.Pid, (int)r)] = i; break;
            case IoctlArgCmd a when a.Cmd == Ioctls.GroupGetDeviceFd: fdCreator[(a.Pid, (int)r)] = i; break;
            case PassFdCmd a: fdCreator[(a.To, (int)r)] = i; break;
            case CloseCmd a: fdCreator.Remove((a.Pid, a.Fd)); break;
            case ExitCmd a:
                foreach (var key in fdCreator.Keys.Where(k => k.Pid == a.Pid).ToList()) fdCreator.Remove(key);
                break;
            case ForkCmd a:
                pidCreator[(int)r] = i;
                foreach (var (key, creator) in fdCreator.Where(k => k.Key.Pid == a.Pid).ToList()) fdCreator[((int)r, key.Fd)] = creator;
                break;
        }
    }

    /// <summary>Runs the kept commands on a fresh model, renumbering each linked pid and fd to what its creator
    /// returned in this shorter program.</summary>
    List<Command> Relink(PlatformConfig config, List<(int Index, Command Command)> kept, Links[] links, Aliases aliases)
    {
        var sys = model(config);
        var now = new Dictionary<int, long>();   // original creator index -> what it returns now
        var keptSet = kept.Select(k => k.Index).ToHashSet();
        var result = new List<Command>(kept.Count);

        int Resolve(int value, int? creator, Dictionary<int, (int Value, int? Creator)> alias)
        {
            while (creator is { } k)
            {
                if (now.TryGetValue(k, out var v)) return (int)v;
                if (keptSet.Contains(k) || !alias.TryGetValue(k, out var a)) return value;
                (value, creator) = a;      // the creator was dropped: stand in with what it came from
            }
            return value;
        }

        foreach (var (index, original) in kept)
        {
            var l = links[index];
            var c = Rewrite(original, l, (v, k) => Resolve(v, k, aliases.Fd), (v, k) => Resolve(v, k, aliases.Pid));
            result.Add(c);
            c.Prepare(sys);
            long r;
            try { r = c.Invoke(sys); }
            catch { r = -1; }
            if (r >= 0 && IsCreator(c)) now[index] = r;
        }
        return result;
    }

    static bool IsCreator(Command c) => c is OpenContainerCmd or OpenGroupCmd or PassFdCmd or ForkCmd
        || (c is IoctlArgCmd a && a.Cmd == Ioctls.GroupGetDeviceFd);

    static Command Rewrite(Command c, Links l, Func<int, int?, int> fd, Func<int, int?, int> pid) => c switch
    {
        IoctlArgCmd a when a.Cmd == Ioctls.GroupSetContainer && a.Bytes.Length == 4 =>
            a with { Pid = pid(a.Pid, l.Pid), Fd = fd(a.Fd, l.Fd), Bytes = Abi.Int32(fd(BitConverter.ToInt32(a.Bytes), l.ArgFd)) },
        IoctlArgCmd a => a with { Pid = pid(a.Pid, l.Pid), Fd = fd(a.Fd, l.Fd) },
        IoctlCmd a => a with { Pid = pid(a.Pid, l.Pid), Fd = fd(a.Fd, l.Fd) },
        CloseCmd a => a with { Pid = pid(a.Pid, l.Pid), Fd = fd(a.Fd, l.Fd) },
        PassFdCmd a => a with { From = pid(a.From, l.Pid), Fd = fd(a.Fd, l.Fd), To = pid(a.To, l.Pid2) },
        OpenContainerCmd a => a with { Pid = pid(a.Pid, l.Pid) },
        OpenGroupCmd a => a with { Pid = pid(a.Pid, l.Pid) },
        ForkCmd a => a with { Pid = pid(a.Pid, l.Pid) },
        ExitCmd a => a with { Pid = pid(a.Pid, l.Pid) },
        MapPageCmd a => a with { Pid = pid(a.Pid, l.Pid) },
        UnmapPageCmd a => a with { Pid = pid(a.Pid, l.Pid) },
        _ => c,
    };

    // ------------------------------------------------------------------ arguments

    /// <summary>Simpler forms of one command, each strictly closer to a fixed target, so shrinking terminates.</summary>
    public static IEnumerable<Command> ArgShrinks(PlatformConfig config, Command c)
    {
        switch (c)
        {
            case IoctlArgCmd a when DmaRequest.From(a) is { } r:
                foreach (var x in DmaShrinks(config, a, r)) yield return x;
                break;
            case IoctlArgCmd a when a.Cmd == Ioctls.SpaprTceGetInfo || a.Cmd == Ioctls.GroupGetStatus:
            {
                int minsz = a.Cmd == Ioctls.SpaprTceGetInfo ? Abi.TceInfoMinsz : Abi.GroupStatusMinsz;
                ulong scratch = Script.ScratchOf(config, a.Pid);
                if (a.Addr != scratch) yield return a with { Addr = scratch };
                if (a.Bytes.Length >= 4 && BitConverter.ToUInt32(a.Bytes) != (uint)minsz)
                    yield return a with { Bytes = a.Cmd == Ioctls.SpaprTceGetInfo ? Abi.TceInfo((uint)minsz) : Abi.GroupStatus((uint)minsz) };
                break;
            }
            case IoctlArgCmd a when a.Cmd == Ioctls.GroupSetContainer || a.Cmd == Ioctls.GroupGetDeviceFd:
            {
                ulong scratch = Script.ScratchOf(config, a.Pid);
                if (a.Addr != scratch) yield return a with { Addr = scratch };
                break;
            }
            case IoctlArgCmd a:
            {
                ulong scratch = Script.ScratchOf(config, a.Pid);
                if (a.Addr != scratch) yield return a with { Addr = scratch };
                if (a.Bytes.Length > 0) yield return a with { Bytes = a.Bytes[..(a.Bytes.Length / 2)] };
                if (a.Bytes.Any(b => b != 0)) yield return a with { Bytes = new byte[a.Bytes.Length] };
                break;
            }
            case IoctlCmd a when a.Arg != 0:
                if (a.Cmd == Ioctls.SetIommu || a.Cmd == Ioctls.CheckExtension)
                {
                    if (a.Arg > Abi.SpaprTceIommu) yield return a with { Arg = Abi.SpaprTceIommu };
                }
                else yield return a with { Arg = 0 };
                break;
            case HostAllocCmd a when a.Pages > 1:
                yield return a with { Pages = 1 };
                yield return a with { Pages = a.Pages - 1 };
                break;
            case HostFreeCmd a when a.Pages > 1:
                yield return a with { Pages = 1 };
                break;
            case InjectCmd a when a.Nth > 1:
                yield return a with { Nth = 1 };
                yield return a with { Nth = a.Nth - 1 };
                break;
            case DmaCmd a:
                // toward one byte at the start of its entry (a length past DmaMaxBytes stays: it is the point)
                if (a.Length > 1 && a.Length <= Memory.DmaMaxBytes)
                {
                    yield return a with { Length = 1 };
                    if (a.Length / 2 > 1) yield return a with { Length = a.Length / 2 };
                }
                if ((a.Iova & 0xfff) != 0) yield return a with { Iova = a.Iova & ~0xfffUL };
                break;
        }
    }

    static IEnumerable<Command> DmaShrinks(PlatformConfig config, IoctlArgCmd a, DmaRequest r)
    {
        Command With(uint argsz, uint flags, ulong vaddr, ulong iova, ulong size) =>
            a with { Bytes = r.IsMap ? Abi.DmaMap(argsz, flags, vaddr, iova, size) : Abi.DmaUnmap(argsz, flags, iova, size) };

        ulong scratch = Script.ScratchOf(config, a.Pid);
        if (a.Addr != scratch) yield return a with { Addr = scratch };
        if (r.Argsz != (uint)r.Minsz) yield return With((uint)r.Minsz, r.Flags, r.Vaddr, r.Iova, r.Size);
        uint targetFlags = r.IsMap ? Script.RW : 0;
        if (r.Flags != targetFlags) yield return With(r.Argsz, targetFlags, r.Vaddr, r.Iova, r.Size);

        // size: toward one page (from above), or aligned (from a misaligned value)
        if (r.Size > 0x1000)
        {
            if ((0x1000 | (r.Size & 0xfff)) < r.Size) yield return With(r.Argsz, r.Flags, r.Vaddr, r.Iova, 0x1000 | (r.Size & 0xfff));
            ulong half = (r.Size / 2) & ~0xfffUL | (r.Size & 0xfff);
            if (half > 0x1000 && half < r.Size) yield return With(r.Argsz, r.Flags, r.Vaddr, r.Iova, half);
            if (r.Size - 0x1000 > 0x1000) yield return With(r.Argsz, r.Flags, r.Vaddr, r.Iova, r.Size - 0x1000);
        }
        if ((r.Size & 0xfff) != 0 && r.Size > 0xfff) yield return With(r.Argsz, r.Flags, r.Vaddr, r.Iova, r.Size & ~0xfffUL);

        // iova: toward the start of the nearest window, 4 KiB at a time, then aligned
        ulong target = NearestWindowStart(config, r.Iova);
        if (r.Iova != target)
        {
            yield return With(r.Argsz, r.Flags, r.Vaddr, target | (r.Iova & 0xfff), r.Size);
            ulong step = r.Iova > target ? r.Iova - 0x1000 : r.Iova + 0x1000;
            if (r.Iova > target ? step > target && step < r.Iova : step < target && step > r.Iova)
                yield return With(r.Argsz, r.Flags, r.Vaddr, step, r.Size);
        }
        if ((r.Iova & 0xfff) != 0) yield return With(r.Argsz, r.Flags, r.Vaddr, r.Iova & ~0xfffUL, r.Size);

        // vaddr: toward the caller's first boot page, then aligned
        if (r.IsMap)
        {
            var p = config.Processes.FirstOrDefault(x => x.Pid == a.Pid) ?? config.Processes[0];
            ulong first = p.Mappings.Count() > 0 ? p.Mappings[0].Vpage << config.PageShift : 0;
            if ((r.Vaddr & ~0xfffUL) > first)
            {
                yield return With(r.Argsz, r.Flags, first | (r.Vaddr & 0xfff), r.Iova, r.Size);
                ulong down = r.Vaddr - config.PageSize;
                if (down >= first && down < r.Vaddr) yield return With(r.Argsz, r.Flags, down, r.Iova, r.Size);
            }
            if ((r.Vaddr & 0xfff) != 0) yield return With(r.Argsz, r.Flags, r.Vaddr & ~0xfffUL, r.Iova, r.Size);
        }
    }

    static ulong NearestWindowStart(PlatformConfig config, ulong iova)
    {
        ulong best = 0, bestDistance = ulong.MaxValue;
        foreach (var g in config.Groups)
        {
            ulong start = (ulong)g.ItOffset << 12, end = (ulong)(g.ItOffset + g.ItSize) << 12;
            ulong d = iova < start ? start - iova : iova >= end ? iova - end + 1 : 0;
            if (d < bestDistance) { bestDistance = d; best = start; }
        }
        return best;
    }
}
