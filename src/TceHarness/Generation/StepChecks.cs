using TceVerify.Contract;
using TceVerify.Harness.Invariants;
using TceVerify.Harness.Observation;
using TceVerify.Harness.Programs;

namespace TceVerify.Harness.Generation;

/// <summary>What a check sees of one executed step: the command, its result (and the model's, in a differential run),
/// the system's state before the call (after staging its struct) and after it.</summary>
public sealed class StepFacts
{
    public required PlatformConfig Config { get; init; }
    public required int Index { get; init; }
    public required Command Command { get; init; }
    public required long Result { get; init; }
    /// <summary>The reference model's result, in a differential run.</summary>
    public long? Expected { get; init; }
    public required Observed Before { get; init; }

    Observed? _beforeWithSource;

    /// <summary><see cref="Before"/> with its snapshot (<see cref="Observed.Source"/>), which the line-by-line INV-5
    /// comparison needs; rendered on first use only (the campaign computes the pre-call state instead of taking a
    /// snapshot, see <see cref="Staging"/>).</summary>
    public Observed BeforeWithSource => _beforeWithSource ??= Staging.WithSource(Before);
    public required Observed After { get; init; }
    /// <summary>The reference model's state after the call, in a differential run.</summary>
    public Observed? ModelAfter { get; init; }
    /// <summary>The run so far wrote stale host TCEs (HOST-6): host-owned windows may then hold any value (INV-1).</summary>
    public bool HostWroteStale { get; init; }

    /// <summary>What the system under test's hardware holds after the call beyond its snapshot (DEV-2: the translation
    /// caches; INV-12(b): the DMA breaches so far). The model's is empty.</summary>
    public DeviceState Device { get; init; } = DeviceState.None;

    /// <summary>Each process's RLIMIT_MEMLOCK and CAP_IPC_LOCK, boot processes and the children forked so far (PROC-3:
    /// a child inherits its parent's); null: the boot processes of <see cref="Config"/> only.</summary>
    public IReadOnlyDictionary<int, (ulong Rlimit, bool CapIpcLock)>? Limits { get; init; }

    /// <summary>A process's limits (<see cref="Limits"/>), or null when unknown.</summary>
    public (ulong Rlimit, bool CapIpcLock)? LimitsOf(int pid) =>
        Limits is { } l ? l.TryGetValue(pid, out var x) ? x : null
        : Config.Processes.FirstOrDefault(p => p.Pid == pid) is { } b ? (b.RlimitMemlock, b.CapIpcLock) : null;
}

/// <summary>A property of one step, judged from what the system shows (never from its internals), so the same check
/// runs on the model, the implementation and every variant.</summary>
public abstract class StepCheck
{
    /// <summary>A short name for reports ("alignment", "INV-3 pin balance").</summary>
    public abstract string Name { get; }

    /// <summary>Adds one <see cref="Violation"/> per broken rule.</summary>
    public abstract void Check(StepFacts f, List<Violation> v);

    public override string ToString() => Name;
}

/// <summary>The checks of the property suite, one per property of issue 3 (see tests/properties).</summary>
public static class StepChecks
{
    /// <summary>Every state invariant (INV-1..4, 7, 9, 12, 13) on the system under test; in a differential run a violation
    /// the model shares too is reported as a spec or model bug.</summary>
    public static StepCheck StateInvariants { get; } = new Lambda("state invariants", (f, v) =>
    {
        var found = InvariantChecker.CheckState(f.Config, f.After, f.Device, hostWroteStale: f.HostWroteStale);
        if (found.Count == 0) return;
        bool modelToo = f.ModelAfter is not null && InvariantChecker.CheckState(f.Config, f.ModelAfter, hostWroteStale: f.HostWroteStale).Count > 0;
        foreach (var x in found) v.Add(modelToo ? x with { Detail = x.Detail + " (the model too: spec or model bug)" } : x);
    });

    /// <summary>INV-5 and INV-6 across the call.</summary>
    public static StepCheck Transitions { get; } = new Lambda("transitions (INV-5, INV-6)", (f, v) =>
    {
        InvariantChecker.CheckHandOver(f.Config, f.Before, f.After, v);
        if (f.Result < 0) Atomicity(f, f.Command.Allowance, v);
    });

    public static StepCheck Isolation { get; } = new IsolationCheck();
    public static StepCheck PinBalance { get; } = new Lambda("INV-3 pin balance", (f, v) => InvariantChecker.PinBalance(f.Config, f.After, v));
    public static StepCheck Accounting { get; } = new Lambda("INV-4 accounting", (f, v) => InvariantChecker.Accounting(f.Config, f.After, v));
    public static StepCheck CleanHandOver { get; } = new Lambda("INV-6 clean hand-over", (f, v) => InvariantChecker.CheckHandOver(f.Config, f.Before, f.After, v));
    public static StepCheck CoreConsistency { get; } = new Lambda("INV-7 core consistency", (f, v) => InvariantChecker.CoreConsistency(f.Config, f.After, v));
    public static StepCheck Flushed { get; } = new Lambda("INV-9 flushed", (f, v) => InvariantChecker.Flushed(f.After, v));
    /// <summary>INV-12 after every call: what the device can reach is pinned (a), and no DMA reached a frame it must
    /// not (b).</summary>
    public static StepCheck DmaIsolation { get; } = new Lambda("INV-12 DMA isolation", (f, v) => InvariantChecker.DmaIsolation(f.Config, f.After, f.Device, v));
    public static StepCheck NoDmaAfterUnmap { get; } = new NoDmaAfterUnmapCheck();
    public static StepCheck FailureAtomicity { get; } = new Lambda("INV-5 failure atomicity", (f, v) =>
    {
        if (f.Result < 0) Atomicity(f, f.Command.Allowance, v);
    });

    /// <summary>INV-5 on one step's facts.</summary>
    public static void Atomicity(StepFacts f, FailureAllowance allow, List<Violation> v) =>
        InvariantChecker.CheckFailureAtomicity(f.BeforeWithSource, f.After, allow, v);

    public static StepCheck Alignment { get; } = new AlignmentCheck();
    public static StepCheck MemlockLimit { get; } = new MemlockLimitCheck();
    public static StepCheck DirtyOnClear { get; } = new DirtyOnClearCheck();
    public static StepCheck WriteBack { get; } = new WriteBackCheck();
    public static StepCheck WindowBounds { get; } = new WindowBoundsCheck();
    public static StepCheck Rollback { get; } = new RollbackCheck();
    public static StepCheck Attach { get; } = new AttachCheck();

    sealed class Lambda(string name, Action<StepFacts, List<Violation>> check) : StepCheck
    {
        public override string Name => name;
        public override void Check(StepFacts f, List<Violation> v) => check(f, v);
    }

    /// <summary>The table (group id) a DMA request's container holds, from the state before the call.</summary>
    static GroupConfig? WindowOf(StepFacts f, DmaRequest r) =>
        f.Before.Processes.TryGetValue(r.Pid, out var p) && p.Fds.TryGetValue(r.Fd, out var file) && file.Kind == "container"
        && f.Before.Containers.TryGetValue(file.Id, out var c) && c.Tbl is { } g ? f.Config.FindGroup(g) : null;

    static bool InWindow(GroupConfig g, long e) => e >= g.ItOffset && e < g.ItOffset + g.ItSize;

    /// <summary>Nothing changed at all (INV-5 with no allowance), reported under the property's clause.</summary>
    static void Unchanged(StepFacts f, List<Violation> v, string clause, string what)
    {
        var w = new List<Violation>();
        InvariantChecker.CheckFailureAtomicity(f.BeforeWithSource, f.After, FailureAllowance.None, w);
        foreach (var x in w) v.Add(new(clause, $"{what} changed state: {x.Detail}"));
    }

    /// <summary>Property 2 (MAP-7, MAP-8/TBL-4, UNMAP-6, UNMAP-7): a MAP or UNMAP with a misaligned iova, vaddr or size
    /// returns -EINVAL once the checks before alignment pass (and their error before), and changes nothing.</summary>
    sealed class AlignmentCheck : StepCheck
    {
        public override string Name => "alignment";

        public override void Check(StepFacts f, List<Violation> v)
        {
            var r = DmaRequest.From(f.Command);
            if (r is null || !r.Misaligned) return;
            long expected = r.ExpectedValidation(f.Config, f.Before) ?? 0;
            string clause = r.IsMap ? "MAP-7" : "UNMAP-6";
            if (f.Result != expected)
                v.Add(new(clause, $"misaligned {(r.IsMap ? "MAP" : "UNMAP")} (iova 0x{r.Iova:x} size 0x{r.Size:x}{(r.IsMap ? $" vaddr 0x{r.Vaddr:x}" : "")}) returned {Errno.Describe(f.Result)}, the spec says {Errno.Describe(expected)}"));
            Unchanged(f, v, clause, "a misaligned request");
        }
    }

    /// <summary>Property 3 (MAP-8, MAP-9, UNMAP-7, TBL-2, INV-2): no TCE outside a window ever changes, it_map has no bit
    /// outside the window, and a request naming an entry outside its container's window is rejected (-EINVAL once
    /// the earlier checks pass) without changing anything.</summary>
    sealed class WindowBoundsCheck : StepCheck
    {
        public override string Name => "window bounds";

        public override void Check(StepFacts f, List<Violation> v)
        {
            foreach (var gc in f.Config.Groups)
            {
                if (!f.Before.Tables.TryGetValue(gc.Id, out var t0) || !f.After.Tables.TryGetValue(gc.Id, out var t1)) continue;
                foreach (var (e, val) in t1.Tces)
                    if (!InWindow(gc, e) && (!t0.Tces.TryGetValue(e, out var old) || old != val))
                        v.Add(new("INV-2", $"{Describe(f)} wrote table {gc.Id} entry 0x{e:x} outside the window [0x{gc.ItOffset:x}, 0x{gc.ItOffset + gc.ItSize:x}): 0x{val:x}"));
                foreach (var (e, val) in t0.Tces)
                    if (!InWindow(gc, e) && !t1.Tces.ContainsKey(e))
                        v.Add(new("INV-2", $"{Describe(f)} cleared table {gc.Id} entry 0x{e:x} outside the window (was 0x{val:x})"));
            }
            InvariantChecker.WindowConfinement(f.Config, f.After, v);

            var r = DmaRequest.From(f.Command);
            if (r is null || WindowOf(f, r) is not { } g) return;
            if (!r.OutOfWindow(g.ItOffset, g.ItOffset + g.ItSize) && !r.TouchesOutside(g.ItOffset, g.ItOffset + g.ItSize)) return;
            long expected = r.ExpectedValidation(f.Config, f.Before) ?? 0;
            string clause = r.IsMap ? "MAP-9" : "UNMAP-7";
            if (f.Result != expected)
                v.Add(new(clause, $"{(r.IsMap ? "MAP" : "UNMAP")} of entries [0x{r.FirstEntry:x}, +0x{r.Entries:x}) outside window [0x{g.ItOffset:x}, 0x{g.ItOffset + g.ItSize:x}) returned {Errno.Describe(f.Result)}, the spec says {Errno.Describe(expected)}"));
            Unchanged(f, v, clause, "a request outside the window");
        }
    }

    /// <summary>Property 4 (MAP-10, MAP-11, MAP-12, TBL-6, TBL-7, HOST-7, INV-5): a MAP that fails, at page k for any
    /// reason, leaves the state as it was, except dirty bits on frames its WRITE entries pointed at and the injection
    /// countdown it consumed; no page count changes (no leaked or lost pin).</summary>
    sealed class RollbackCheck : StepCheck
    {
        public override string Name => "rollback";

        public override void Check(StepFacts f, List<Violation> v)
        {
            var r = DmaRequest.From(f.Command);
            if (r is null || !r.IsMap || f.Result >= 0) return;
            var validation = r.ExpectedValidation(f.Config, f.Before);
            if (validation is null && f.Result != -Errno.EFAULT && f.Result != -Errno.EBUSY && f.Result != -Errno.EIO)
                v.Add(new("MAP-13", $"a valid MAP failed with {Errno.Describe(f.Result)}; the builds (MAP-10) fail only with -EFAULT, -EBUSY or -EIO"));
            string why = f.Result switch { -Errno.EFAULT => "unpinnable page", -Errno.EBUSY => "busy entry", -Errno.EIO => "injected failure", _ => "rejected" };

            // Which frames may have become dirty: those its WRITE entries could have pointed at (MAP-11).
            var mayDirty = new HashSet<long>();
            var g = WindowOf(f, r);
            if (validation is null && (r.Flags & Abi.MapFlagWrite) != 0 && f.Before.Processes.TryGetValue(r.Pid, out var p))
                for (ulong i = 0; i < Math.Min(r.Entries, 1UL << 20); i++)
                    if (p.Vm.TryGetValue((r.Vaddr + (i << 12)) >> f.Config.PageShift, out var m)) mayDirty.Add(m.Pfn);

            foreach (var (pfn, (refs, dirty)) in f.After.Pages)
            {
                var (r0, d0) = f.Before.Pages[pfn];
                if (refs != r0) v.Add(new("MAP-11", $"failed MAP ({why}, {Errno.Describe(f.Result)}) changed frame 0x{pfn:x} count {r0} -> {refs}: a pin {(refs > r0 ? "leaked" : "was put twice")}"));
                if (dirty != d0 && !(dirty && mayDirty.Contains(pfn)))
                    v.Add(new("MAP-11", $"failed MAP ({why}) changed frame 0x{pfn:x} dirty {(d0 ? 1 : 0)} -> {(dirty ? 1 : 0)}, which none of its WRITE entries pointed at"));
            }
            foreach (var (gid, t1) in f.After.Tables)
            {
                var t0 = f.Before.Tables[gid];
                if (t1.Inject != t0.Inject && (g is null || gid != g.Id || t1.Inject > t0.Inject))
                    v.Add(new("HOST-7", $"failed MAP changed table {gid} countdown {t0.Inject} -> {t1.Inject}"));
                if (!t1.Tces.SequenceEqual(t0.Tces))
                    v.Add(new("MAP-11", $"failed MAP ({why}, {Errno.Describe(f.Result)}) left table {gid} changed: {TceDiff(t0, t1)}"));
                if (t1.FlushPending) v.Add(new("MAP-12", $"failed MAP left table {gid} unflushed"));
            }
            var w = new List<Violation>();
            Atomicity(f, new FailureAllowance(false, DirtyBits: true, InjectCountdown: true), w);
            foreach (var x in w)
                if (!x.Detail.Contains("frame") && !x.Detail.Contains("entry")) v.Add(new("INV-5", $"failed MAP ({why}): {x.Detail}"));
        }
    }

    /// <summary>Property 5 (ATT-1, TBL-9, CORE-4, CORE-23, INV-6): a table taken over by a container holds no non-zero TCE,
    /// has every window bit of it_map set, and no page count moved (leftovers are cleared without a put); a call
    /// that fails leaves every table's it_map exactly as it was, and its TCEs too, except that CORE-4's unwind may
    /// have cleared stale TCEs of a table it attached and handed back (never of a table the host still used).</summary>
    sealed class AttachCheck : StepCheck
    {
        public override string Name => "attach";

        public override void Check(StepFacts f, List<Violation> v)
        {
            bool anyTakeOver = false;
            foreach (var gc in f.Config.Groups)
            {
                var t0 = f.Before.Tables[gc.Id];
                var t1 = f.After.Tables[gc.Id];
                if (t0.Owner is null && t1.Owner is { } c)
                {
                    anyTakeOver = true;
                    foreach (var (e, tce) in t1.Tces)
                        if (InWindow(gc, e) && tce != 0)
                            v.Add(new("TBL-9", $"table {gc.Id} taken over by container {c} with a stale TCE left: entry 0x{e:x} = 0x{tce:x}"));
                    if (t1.ItMapCount() != gc.ItSize || t1.ItMap.Count != 1 || t1.ItMap[0] != (gc.ItOffset, gc.ItOffset + gc.ItSize - 1))
                        v.Add(new("TBL-9", $"table {gc.Id} taken over with it_map {Ranges(t1)}, not the whole window"));
                    if (t1.FlushPending) v.Add(new("TBL-9", $"table {gc.Id} taken over without a flush"));
                }
                if (f.Result < 0)
                {
                    if (!t1.ItMap.SequenceEqual(t0.ItMap))
                        v.Add(new("TBL-9", $"{Describe(f)} failed ({Errno.Describe(f.Result)}) and changed table {gc.Id}'s it_map {Ranges(t0)} -> {Ranges(t1)}"));
                    bool hostBusy = t0.ItMap.Any(r => r.First != 0 || r.Last != 0) || t0.Owner is not null;
                    foreach (var e in t0.Tces.Keys.Union(t1.Tces.Keys))
                    {
                        ulong a = t0.Tces.GetValueOrDefault(e), b = t1.Tces.GetValueOrDefault(e);
                        if (a == b) continue;
                        bool unwindClear = b == 0 && InWindow(gc, e) && !hostBusy && IsSetIommu(f.Command);
                        if (!unwindClear)
                            v.Add(new("CORE-4", $"{Describe(f)} failed ({Errno.Describe(f.Result)}) and changed table {gc.Id} entry 0x{e:x}: 0x{a:x} -> 0x{b:x}"));
                    }
                }
            }
            if (anyTakeOver || (f.Result < 0 && IsAttachCall(f.Command)))
                foreach (var (pfn, (refs, _)) in f.After.Pages)
                    if (refs != f.Before.Pages[pfn].Ref)
                        v.Add(new("TBL-9", $"{Describe(f)} {(f.Result < 0 ? "failed and" : "took a table over and")} changed frame 0x{pfn:x} count {f.Before.Pages[pfn].Ref} -> {refs}: leftovers hold no pin of ours"));
        }

        static bool IsSetIommu(Command c) => c is IoctlCmd { Cmd: var x } && x == Ioctls.SetIommu;

        static bool IsAttachCall(Command c) =>
            c is IoctlCmd { Cmd: var x } && x == Ioctls.SetIommu || c is IoctlArgCmd { Cmd: var y } && y == Ioctls.GroupSetContainer;
    }

    /// <summary>Property 6, INV-1: every in-use window TCE of a container's table points into a user frame and was built
    /// by a successful MAP through that container, at the frame its vaddr mapped then; a table handed back to the host
    /// holds no TCE into user memory.</summary>
    sealed class IsolationCheck : StepCheck
    {
        public override string Name => "INV-1 isolation";

        public override void Check(StepFacts f, List<Violation> v)
        {
            InvariantChecker.Isolation(f.Config, f.After, v, f.HostWroteStale);
            var r = DmaRequest.From(f.Command);
            foreach (var gc in f.Config.Groups)
            {
                var t0 = f.Before.Tables[gc.Id];
                var t1 = f.After.Tables[gc.Id];
                if (t1.Owner is { } c)
                {
                    foreach (var (e, tce) in t1.Tces)
                    {
                        if (!InWindow(gc, e) || !Abi.InUse(tce)) continue;
                        if (t0.Owner == c && t0.Tces.TryGetValue(e, out var old) && old == tce) continue;   // there before
                        ulong? made = r is { IsMap: true } && f.Result == 0 && WindowOf(f, r) is { } wg && wg.Id == gc.Id
                            && ContainerOfFd(f.Before, r.Pid, r.Fd) == c ? ExpectedTce(f, r, e) : null;
                        if (made != tce)
                            v.Add(new("INV-1", $"table {gc.Id} (container {c}) entry 0x{e:x} = 0x{tce:x} appeared after {Describe(f)}, " +
                                               (made is { } m ? $"which should have built 0x{m:x}" : "which is no MAP through that container")));
                    }
                }
                else if (t0.Owner is not null)
                {
                    foreach (var (e, tce) in t1.Tces)
                    {
                        long pfn = InvariantChecker.Frame(f.Config, tce);
                        if (InWindow(gc, e) && Abi.InUse(tce) && pfn >= 0 && pfn < f.Config.PhysicalPages)
                            v.Add(new("INV-1", $"table {gc.Id} handed back to the host with entry 0x{e:x} = 0x{tce:x} pointing at user frame 0x{pfn:x}"));
                    }
                }
            }
        }

        static int? ContainerOfFd(Observed o, int pid, int fd) =>
            o.Processes.TryGetValue(pid, out var p) && p.Fds.TryGetValue(fd, out var file) && file.Kind == "container" ? file.Id : null;

        /// <summary>The TCE MAP-10 / TBL-6 builds for entry e: the frame mapped at vaddr + i*4096 then, its 4 KiB piece,
        /// the permissions of the flags.</summary>
        static ulong? ExpectedTce(StepFacts f, DmaRequest r, long e)
        {
            ulong i = (ulong)e - r.FirstEntry;
            if (i >= r.Entries || !f.Before.Processes.TryGetValue(r.Pid, out var p)) return null;
            ulong va = r.Vaddr + (i << 12);
            if (!p.Vm.TryGetValue(va >> f.Config.PageShift, out var m)) return null;
            ulong hw = ((ulong)m.Pfn << f.Config.PageShift) + (va & (f.Config.PageSize - 1) & Abi.IommuPageMask);
            ulong perms = ((r.Flags & Abi.MapFlagRead) != 0 ? Abi.TcePciRead : 0) | ((r.Flags & Abi.MapFlagWrite) != 0 ? Abi.TcePciWrite : 0);
            return hw | perms;
        }
    }

    /// <summary>INV-13 (SEC), DEV-1: between calls every cached translation equals its entry's TCE; and a DMA gets what
    /// DEV-1 prescribes for the table as it stood before the call, judged from the clauses without the model: a DMA
    /// touching an entry that a returned UNMAP, DISABLE, failed MAP, detach or release cleared faults.</summary>
    sealed class NoDmaAfterUnmapCheck : StepCheck
    {
        public override string Name => "INV-13 no DMA after unmap";

        public override void Check(StepFacts f, List<Violation> v)
        {
            InvariantChecker.CacheCoherence(f.After, f.Device, v);
            if (f.Command is not DmaCmd d) return;
            long expected = DeviceOracle.Expected(f.Config, f.Before, d, out var why);
            bool ok = expected == 0 ? f.Result >= 0 : f.Result == expected;
            if (ok) return;
            string clause = expected == -Errno.EFAULT && why.Contains("permission", StringComparison.Ordinal) ? "INV-13" : "DEV-1";
            v.Add(new(clause, $"{Describe(f)} returned {Errno.Describe(f.Result)}; DEV-1 says {(expected == 0 ? "success" : Errno.Describe(expected))} ({why})"));
        }
    }

    /// <summary>EN-5: a successful ENABLE never leaves the caller's <c>locked_vm</c> above its RLIMIT_MEMLOCK (in whole
    /// system pages) unless the caller has CAP_IPC_LOCK. Judged from the state after the call and the caller's limits.</summary>
    sealed class MemlockLimitCheck : StepCheck
    {
        public override string Name => "EN-5 memlock limit";

        public override void Check(StepFacts f, List<Violation> v)
        {
            if (f.Result != 0 || IoctlOf(f.Command) is not { Cmd: var cmd, Pid: var pid } || cmd != Ioctls.Enable) return;
            if (f.LimitsOf(pid) is not { } limits || limits.CapIpcLock) return;
            if (!f.After.Processes.TryGetValue(pid, out var p)) return;
            long limit = (long)(limits.Rlimit >> f.Config.PageShift);
            if (p.LockedVm > limit)
                v.Add(new("EN-5", $"{Describe(f)} succeeded and left pid {pid}'s locked_vm at {p.LockedVm} pages, above its RLIMIT_MEMLOCK " +
                                  $"of {limits.Rlimit} bytes ({limit} whole pages), without CAP_IPC_LOCK"));
        }
    }

    /// <summary>TBL-7: a page whose WRITE mapping was cleared is dirty (the device may have written it). Every in-use WRITE
    /// TCE of a container's window before the call that is gone after it must have left its frame dirty.</summary>
    sealed class DirtyOnClearCheck : StepCheck
    {
        public override string Name => "TBL-7 dirty on clear";

        public override void Check(StepFacts f, List<Violation> v)
        {
            foreach (var gc in f.Config.Groups)
            {
                if (!f.Before.Tables.TryGetValue(gc.Id, out var t0) || t0.Owner is null || !f.After.Tables.TryGetValue(gc.Id, out var t1)) continue;
                foreach (var (e, tce) in t0.Tces)
                {
                    if (!InWindow(gc, e) || !Abi.InUse(tce) || (tce & Abi.TcePciWrite) == 0) continue;
                    if (t1.Tces.TryGetValue(e, out var now) && now == tce) continue;       // still mapped
                    long pfn = InvariantChecker.Frame(f.Config, tce);
                    if (pfn < 0 || pfn >= f.Config.PhysicalPages || !f.After.Pages.TryGetValue(pfn, out var page)) continue;
                    if (!page.Dirty)
                        v.Add(new("TBL-7", $"{Describe(f)} cleared table {gc.Id} entry 0x{e:x} = 0x{tce:x}, a WRITE mapping of frame 0x{pfn:x}, " +
                                           "and the frame is not dirty: what the device wrote there may be lost"));
                }
            }
        }
    }

    /// <summary>ABI-8, ABI-6: an ioctl that writes back (GET_INFO, GROUP_GET_STATUS) writes its <c>minsz</c> bytes at its
    /// argument, argsz as it was read, and nothing else; no other call writes user memory at all, but for a successful
    /// DMA write (DEV-1: the bytes its translations reach) and a host reuse (PAGE-3: the frame's first bytes). Judged byte by byte
    /// from the memory before the call (its struct staged) and after it.</summary>
    sealed class WriteBackCheck : StepCheck
    {
        public override string Name => "ABI-8 write-back";

        public override void Check(StepFacts f, List<Violation> v)
        {
            var io = IoctlOf(f.Command);
            int minsz = io is null ? 0 : io.Value.Cmd == Ioctls.SpaprTceGetInfo ? Abi.TceInfoMinsz : io.Value.Cmd == Ioctls.GroupGetStatus ? Abi.GroupStatusMinsz : 0;
            int reported = 0;
            var device = f.Result >= 0 ? DeviceOracle.Writes(f.Config, f.Before, f.Command) : [];
            foreach (var key in f.Before.Memory.Keys.Union(f.After.Memory.Keys))
            {
                var before = Chunk(f.Before, key);
                var after = Chunk(f.After, key);
                for (int i = 0; i < 16; i++)
                {
                    if (before[i] == after[i]) continue;
                    long offset = key.Offset + i;
                    // Allowed: bytes 4 .. minsz of the struct (after argsz), through a mapping of the caller.
                    bool allowed = minsz > 0 && f.Before.Processes.TryGetValue(io!.Value.Pid, out var p) && p.Vm.Any(m =>
                        m.Value.Pfn == key.Pfn && ((m.Key << f.Config.PageShift) + (ulong)offset) - io.Value.Arg is var at && at >= 4 && at < (ulong)minsz);
                    if (allowed || device.Contains((key.Pfn, offset))) continue;
                    if (reported++ < 4)
                        v.Add(new("ABI-8", $"{Describe(f)} wrote frame 0x{key.Pfn:x} byte 0x{offset:x} (0x{before[i]:x2} -> 0x{after[i]:x2}), " +
                                           (minsz > 0 ? $"outside the {minsz}-byte write-back after argsz at 0x{io!.Value.Arg:x}" : "a call that writes no user memory")));
                }
            }
        }

        static byte[] Chunk(Observed o, (long Pfn, long Offset) key) =>
            o.Memory.TryGetValue(key, out var hex) ? Convert.FromHexString(hex) : new byte[16];
    }

    /// <summary>The caller, number and argument of an ioctl (staged or plain), or null for other calls.</summary>
    static (int Pid, uint Cmd, ulong Arg)? IoctlOf(Command c) => c switch
    {
        IoctlCmd i => (i.Pid, i.Cmd, i.Arg),
        IoctlArgCmd a => (a.Pid, a.Cmd, a.Addr),
        _ => null,
    };

    static string Describe(StepFacts f) => $"step {f.Index + 1} ({f.Command.Describe()})";

    static string Ranges(Observed.TableObs t) =>
        "[" + string.Join(',', t.ItMap.Select(r => r.First == r.Last ? $"{r.First:x}" : $"{r.First:x}-{r.Last:x}")) + "]";

    static string TceDiff(Observed.TableObs a, Observed.TableObs b)
    {
        var parts = new List<string>();
        foreach (var e in a.Tces.Keys.Union(b.Tces.Keys).Order())
        {
            ulong x = a.Tces.GetValueOrDefault(e), y = b.Tces.GetValueOrDefault(e);
            if (x != y) parts.Add($"entry 0x{e:x} 0x{x:x} -> 0x{y:x}");
            if (parts.Count == 4) { parts.Add("..."); break; }
        }
        return string.Join(", ", parts);
    }
}
