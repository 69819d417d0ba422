using TceVerify.Harness.Invariants;
using TceVerify.Harness.Programs;
using System.Buffers.Binary;
using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// "Bad input never crashes": a fixed-seed stream of random calls, mostly ioctls with random numbers, addresses and bytes.
public abstract partial class SystemContractTests
{
    const int RandomCalls = 2000;
    const int RandomSeed = 0x7CE_5EED;

    static readonly HashSet<long> KnownErrnos =
    [
        Errno.EPERM, Errno.ENOENT, Errno.ESRCH, Errno.EIO, Errno.ENXIO, Errno.EBADF, Errno.ENOMEM, Errno.EFAULT,
        Errno.EBUSY, Errno.ENODEV, Errno.EINVAL, Errno.ENOTTY, Errno.ENOSPC,
    ];

    [Fact, Spec("INV-8", "INV-5", "ABI-2", "ABI-1")]
    public void RandomCalls_WithBadInput_NeverThrow_ReturnKnownResults_AndFailAtomically()
    {
        var rng = new Random(RandomSeed);
        const int epochs = 20;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            // each epoch starts from a state with something to lose: pid 1 maps through an enabled container on
            // group 1 and holds a device fd; pid 2 owns group 2 (and, every other epoch, may lock memory too)
            Use(epoch % 2 == 0 ? SmallConfig : WithLimits(P2, 0, capIpcLock: true));
            var (c1, g1) = S.SetupEnabled(P1, 1);
            AssertResult(0, S.Map(P1, c1, RW, V(P1, 0), 0, 2 * K4));
            AssertOk(S.GetDeviceFd(P1, g1, Dev1));
            S.Setup(P2, 2);
            var gen = new RandomCallGenerator(S, rng);
            gen.Observe(null, 0, Snap());
            for (int i = 0; i < RandomCalls / epochs; i++)
            {
                var step = gen.Next();
                string where = $"epoch {epoch} step {i}: {step.Name}";
                long r;
                Snapshot before, after;
                try
                {
                    step.Prepare();
                    before = Snap();
                    r = step.Call();
                    after = Snap();
                }
                catch (Exception e)
                {
                    Assert.Fail($"{where} threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                    return;
                }
                Assert.True(r >= 0 || KnownErrnos.Contains(-r), $"{where} returned {r}, not a known result (ABI-2)");
                if (r < 0)
                {
                    var problems = string.Join("\n", FailureAtomicity.Check(before, after, step.Allow));
                    Assert.True(problems.Length == 0, $"{where} = {Errno.Describe(r)} changed state (INV-5):\n{problems}");
                }
                else
                {
                    // a failed call changed nothing the invariants look at (checked above): only successes are checked
                    gen.Observe(step, r, after);
                    var v = StateInvariants.Check(S.Config, gen.Last!);
                    Assert.True(v.Count == 0, $"{where} = {Errno.Describe(r)} broke invariants:\n{string.Join("\n", v)}");
                }
                step.Cleanup?.Invoke();
            }
        }
    }

    /// <summary><see cref="Cleanup"/> zeroes the argument bytes again afterwards, so memory lines do not pile up.</summary>
    internal sealed record RandomStep(string Name, Action Prepare, Func<long> Call, FailureAllowance Allow, string Kind = "", int Pid = 0)
    {
        public Action? Cleanup { get; init; }
    }

    /// <summary>Deterministic generator of random calls over a scenario. It learns from each step's result and
    /// snapshot only which pids were forked or exited and which fds each process holds, to bias choices towards
    /// calls that reach deep states (mapped, enabled) while still throwing garbage.</summary>
    internal sealed class RandomCallGenerator(Scenario s, Random rng)
    {
        readonly List<int> _children = new();
        readonly List<int> _exited = new();
        readonly Dictionary<int, List<(int Fd, string Kind, int Id)>> _fds = new();
        GroupConfig? _window;   // the window of the container the current step aims at, if known

        /// <summary>The last snapshot observed, parsed.</summary>
        public StateView? Last { get; private set; }

        /// <summary>Learns forked and exited pids and every process's fds from a successful step.</summary>
        public void Observe(RandomStep? step, long result, Snapshot after)
        {
            if (step?.Kind == "fork" && result > 0) _children.Add((int)result);
            if (step?.Kind == "exit" && result == 0) { _children.Remove(step.Pid); _exited.Add(step.Pid); }
            Last = after.Observe();
            _fds.Clear();
            foreach (var (key, f) in Last.Fds)
            {
                if (!_fds.TryGetValue(key.Pid, out var l)) _fds[key.Pid] = l = new List<(int, string, int)>();
                l.Add((key.Fd, f.Kind, f.Id));
            }
        }

        T Pick<T>(params T[] items) => items[rng.Next(items.Length)];
        bool Chance(int percent) => rng.Next(100) < percent;
        ulong U64() => (ulong)rng.NextInt64() ^ ((ulong)rng.Next(2) << 63);

        int Pid()
        {
            int k = rng.Next(100);
            if (k < 45) return 1;
            if (k < 75) return 2;
            if (k < 85 && _children.Count > 0) return _children[rng.Next(_children.Count)];
            if (k < 90 && _exited.Count > 0) return _exited[rng.Next(_exited.Count)];
            return Pick(0, -1, 99, int.MaxValue, 3, 4);
        }

        int Fd(int pid)
        {
            if (Chance(75) && _fds.TryGetValue(pid, out var l) && l.Count > 0) return l[rng.Next(l.Count)].Fd;
            return Chance(60) ? rng.Next(3, 9) : Pick(-1, 0, 1, 2, 100, int.MinValue, int.MaxValue);
        }

        int Group() => Chance(85) ? rng.Next(1, 3) : Pick(0, 3, -1, 99);

        ulong PageAddr(int index) => (0x10UL + (ulong)index) << s.PageShift;

        ulong Address()
        {
            ulong end = PageAddr(8), ro = PageAddr(6);
            return rng.Next(12) switch
            {
                < 5 => PageAddr(7) + 8 * (ulong)rng.Next((int)(s.PageSize / 8) - 8),    // the scratch page, room for a struct
                5 => PageAddr(rng.Next(8)) + (ulong)rng.Next((int)s.PageSize),
                6 => end - (ulong)rng.Next(1, 40),                                      // straddling the hole
                7 => ro - (ulong)rng.Next(1, 40),                                       // straddling the read-only page
                8 => (ulong)rng.Next(0, 5),
                9 => ulong.MaxValue - (ulong)rng.Next(64),
                10 => PageAddr(RoIndex) + 8 * (ulong)rng.Next(64),                      // readable, not writable
                _ => U64(),
            };
        }

        ulong Iova()
        {
            if (_window is { } w && Chance(75))
                return (ulong)(w.ItOffset + rng.Next(-2, (int)w.ItSize + 2)) << 12;
            long e = rng.Next(10) switch
            {
                < 4 => rng.Next(0, 66),
                < 8 => 0x7FE + rng.Next(0, 36),
                8 => rng.Next(-4, 4),
                _ => -1,
            };
            ulong iova = e < 0 ? U64() : (ulong)e << 12;
            return Chance(5) ? iova + (ulong)rng.Next(1, 4096) : iova;
        }

        ulong Size() => rng.Next(10) switch
        {
            0 => 0,
            < 7 => (ulong)rng.Next(1, 5) << 12,
            7 => (ulong)rng.Next(1, 70) << 12,
            8 => (ulong)rng.Next(1, 0x3000),
            _ => U64(),
        };

        uint Argsz(int minsz) => rng.Next(10) switch
        {
            < 7 => (uint)minsz,
            7 => (uint)(minsz + rng.Next(1, 64)),
            8 => (uint)rng.Next(0, minsz),
            _ => (uint)rng.Next() ^ ((uint)rng.Next(2) << 31),
        };

        byte[] StructFor(uint cmd)
        {
            if (Chance(15))
            {
                var junk = new byte[rng.Next(0, 48)];
                rng.NextBytes(junk);
                return junk;
            }
            if (cmd == Ioctls.MapDma)
            {
                uint flags = Chance(85) ? (uint)rng.Next(1, 4) : Chance(50) ? 0u : (uint)rng.Next();
                ulong vaddr = Chance(85) ? PageAddr(rng.Next(9)) + ((ulong)rng.Next(s.Config.IommuPagesPerPage) << 12) : U64();
                if (Chance(5)) vaddr += (ulong)rng.Next(1, 4096);
                return Abi.DmaMap(Argsz(Abi.DmaMapMinsz), flags, vaddr, Iova(), Size());
            }
            if (cmd == Ioctls.UnmapDma)
                return Abi.DmaUnmap(Argsz(Abi.DmaUnmapMinsz), Chance(85) ? 0 : (uint)rng.Next(), Iova(), Size());
            if (cmd == Ioctls.SpaprTceGetInfo) return Abi.TceInfo(Argsz(Abi.TceInfoMinsz));
            if (cmd == Ioctls.GroupGetStatus) return Abi.GroupStatus(Argsz(Abi.GroupStatusMinsz));
            if (cmd == Ioctls.GroupSetContainer) return Abi.Int32(Chance(80) ? rng.Next(3, 9) : Pick(-1, 0, 100, int.MinValue));
            if (cmd == Ioctls.GroupGetDeviceFd) return Abi.CString(Pick("0000:01:00.0", "0000:02:00.0", "0000:02:00.1", "", "x"));
            var b = new byte[rng.Next(0, 33)];
            rng.NextBytes(b);
            return b;
        }

        uint Command()
        {
            int k = rng.Next(100);
            var (_, known) = Ioctls.All[rng.Next(Ioctls.All.Count)];
            if (k < 70) return known;
            if (k < 82) return known ^ (1u << rng.Next(32));
            if (k < 92) return 0x20003B00u | (uint)rng.Next(256);
            return (uint)rng.Next() ^ ((uint)rng.Next(2) << 31);
        }

        /// <summary>A command that fits the kind of file: mostly the ones that reach deep states.</summary>
        uint CommandFor(string kind) => kind switch
        {
            "container" => rng.Next(40) switch
            {
                < 20 => Ioctls.MapDma,
                < 28 => Ioctls.UnmapDma,
                < 31 => Ioctls.SpaprTceGetInfo,
                < 34 => Ioctls.Enable,
                34 => Ioctls.Disable,
                35 => Ioctls.SetIommu,
                36 => Ioctls.CheckExtension,
                _ => Command(),
            },
            "group" => rng.Next(10) switch
            {
                < 3 => Ioctls.GroupGetStatus,
                < 5 => Ioctls.GroupSetContainer,
                5 => Ioctls.GroupUnsetContainer,
                < 9 => Ioctls.GroupGetDeviceFd,
                _ => Command(),
            },
            _ => Command(),
        };

        public RandomStep Next()
        {
            int pid = Pid();
            int k = rng.Next(100);
            if (k < 80)
            {
                int fd;
                uint cmd;
                _window = null;
                if (k < 55 && _fds.TryGetValue(pid, out var open) && open.Count > 0)
                {
                    var (f, kind, id) = open[rng.Next(open.Count)];
                    fd = f;
                    cmd = CommandFor(kind);
                    if (kind == "container" && Last!.Containers.TryGetValue(id, out var ct) && ct.Tbl is { } tg)
                        _window = s.Config.FindGroup(tg);
                }
                else
                {
                    fd = Fd(pid);
                    cmd = Command();
                }
                bool byValue = cmd == Ioctls.CheckExtension || cmd == Ioctls.SetIommu || cmd == Ioctls.GetApiVersion
                               || cmd == Ioctls.Enable || cmd == Ioctls.Disable || cmd == Ioctls.GroupUnsetContainer;
                ulong arg = byValue && Chance(60) ? (ulong)rng.Next(0, 4) : Address();
                var bytes = StructFor(cmd);
                return new RandomStep($"ioctl(pid {pid}, fd {fd}, {Ioctls.Name(cmd)}, 0x{arg:x}) after poking {Convert.ToHexString(bytes)}",
                    () => s.Poke(pid, arg, bytes), () => s.Sys.Ioctl(pid, fd, cmd, arg), ArgAllowance.For(cmd))
                {
                    Cleanup = () => s.Poke(pid, arg, new byte[Math.Max(bytes.Length, 16)]),
                };
            }
            int fd2 = Fd(pid);
            int g = Group();
            int to = Pid();
            ulong vpage = 0x10UL + (ulong)rng.Next(0, 10);
            int pfn = rng.Next(-1, 25);
            bool writable = Chance(70);
            int n = rng.Next(-1, 6);
            long entry = Pick(1L, 2L, 0x800L, 0x801L, 5L, -1L);
            return k switch
            {
                < 83 => Plain($"open_container({pid})", () => s.Sys.OpenContainer(pid)),
                < 86 => Plain($"open_group({pid}, {g})", () => s.Sys.OpenGroup(pid, g)),
                < 88 => Plain($"close({pid}, {fd2})", () => s.Sys.Close(pid, fd2)),
                < 90 => Plain($"pass({pid}, {fd2}, {to})", () => s.Sys.PassFd(pid, fd2, to)),
                < 91 when _children.Count < 4 => new RandomStep($"fork({pid})", () => { }, () => s.Sys.Fork(pid), FailureAllowance.None, "fork", pid),
                < 92 => ExitStep(),
                < 94 => Plain($"mmap({pid}, 0x{vpage:x}, {pfn}, {writable})", () => s.Sys.MapUserPage(pid, vpage, pfn, writable)),
                < 95 => Plain($"munmap({pid}, 0x{vpage:x})", () => s.Sys.UnmapUserPage(pid, vpage)),
                < 96 => Plain($"host_alloc({g}, {n})", () => s.Sys.HostAlloc(g, n)),
                < 97 => Plain($"host_free({g}, 0x{entry:x}, {n})", () => s.Sys.HostFree(g, entry, n)),
                < 98 => HostStale(g),
                _ => Plain($"inject({g}, {n})", () => s.Sys.InjectTceWriteFailure(g, n)),
            };
        }

        RandomStep Plain(string name, Func<long> call) => new(name, () => { }, call, FailureAllowance.None);

        RandomStep ExitStep()
        {
            // only forked children (or pids that cannot exit): pids 1 and 2 keep the stream interesting
            int pid = _children.Count > 0 && Chance(70) ? _children[rng.Next(_children.Count)] : Pick(0, 99, -5);
            return new RandomStep($"exit({pid})", () => { }, () => s.Sys.Exit(pid), FailureAllowance.None, "exit", pid);
        }

        RandomStep HostStale(int g)
        {
            // only host-memory values (HostTce of the entry) or 0, so that INV-1 and INV-3 stay exact
            long e = Pick(1L, 3L, 40L, 0x800L, 0x805L, 0x81FL, 64L, 0x7FFL, -1L);
            ulong tce = Chance(70) ? Memory.HostTce(e < 0 ? 0 : e) : 0;
            return Plain($"host_write_stale({g}, 0x{e:x}, 0x{tce:x})", () => s.Sys.HostWriteStale(g, e, tce));
        }
    }
}
