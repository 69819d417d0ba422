using TceVerify.Harness.Invariants;
using TceVerify.Harness.Programs;
using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

/// <summary>
/// Clause-by-clause contract tests of <see cref="ITceSystem"/> (the dotnet/runtime collections contract-suite pattern):
/// every test here runs against each concrete subclass (model and implementation, 4 KiB and 64 KiB pages).
/// The partial classes are split by spec file / concern. Expected values are computed from the spec, never copied
/// from an output. Unless a test says otherwise it runs on <see cref="PlatformConfig.Small"/>:
/// group 1 window [0, 64), group 2 window [0x800, 0x820); pid 1 maps frames 0..7 at vpages 0x10..0x17
/// (0x16 read-only), pid 2 frames 7..14 at the same vpages; pid 1 may lock 64 MiB, pid 2 nothing.
/// </summary>
public abstract partial class SystemContractTests
{
    /// <summary>A fresh system booted with <paramref name="c"/>.</summary>
    protected abstract ITceSystem Create(PlatformConfig c);

    /// <summary>The system page shift this suite runs with (12 or 16).</summary>
    protected abstract int PageShift { get; }

    protected const uint R = Abi.MapFlagRead;
    protected const uint W = Abi.MapFlagWrite;
    protected const uint RW = R | W;
    protected const int P1 = 1;
    protected const int P2 = 2;
    protected const int RoIndex = 6; // the read-only page of both boot processes (vpage 0x16)
    protected const string Dev1 = "0000:01:00.0";
    protected const string Dev2a = "0000:02:00.0";
    protected const string Dev2b = "0000:02:00.1";

    Scenario? _s;

    /// <summary>The scenario of this test: <see cref="PlatformConfig.Small"/> unless <see cref="Use"/> chose another config.</summary>
    protected Scenario S => _s ??= new Scenario(Create(PlatformConfig.Small(PageShift)));

    /// <summary>Boots this test's system with <paramref name="c"/> instead of the small platform.</summary>
    protected Scenario Use(PlatformConfig c) => _s = new Scenario(Create(c));

    protected PlatformConfig SmallConfig => PlatformConfig.Small(PageShift);
    protected ITceSystem Sys => S.Sys;
    protected ulong PS => 1UL << PageShift;
    /// <summary>IOMMU (4 KiB) pages per system page: 1 or 16.</summary>
    protected int Sub => 1 << (PageShift - Abi.IommuPageShift);
    protected const ulong K4 = Abi.IommuPageSize;

    protected StateView Obs() => S.Observe();
    protected Snapshot Snap() => S.Snapshot();

    /// <summary>User address of pid's i-th boot page.</summary>
    protected ulong V(int pid, int index) => S.VaddrOf(pid, index);
    /// <summary>Frame of pid's i-th boot page.</summary>
    protected long F(int pid, int index) => S.PfnOf(pid, index);
    protected static long Base(long pfn) => Memory.BaseRefCount(pfn);
    /// <summary>Bus address (IOVA) of an entry.</summary>
    protected static ulong Iova(long entry) => (ulong)entry << Abi.IommuPageShift;

    /// <summary>The TCE that TBL-6 builds for user address <paramref name="vaddr"/> of pid with perms:
    /// (pfn &lt;&lt; PAGE_SHIFT) + (offset of the 4 KiB page within the system page) | perms.</summary>
    protected ulong ExpectedTce(int pid, ulong vaddr, uint flags)
    {
        long pfn = S.PfnAt(pid, vaddr);
        ulong offset = vaddr & (PS - 1) & Abi.IommuPageMask;
        return ((ulong)pfn << PageShift) + offset | flags;
    }

    /// <summary>Frame an address of pid's boot layout lies in.</summary>
    protected long FrameOf(int pid, ulong vaddr) => S.PfnAt(pid, vaddr);

    /// <summary>A platform like Small whose process <paramref name="pid"/> has the given limits.</summary>
    protected PlatformConfig WithLimits(int pid, ulong rlimitMemlock, bool capIpcLock, PlatformConfig? c = null)
    {
        c ??= SmallConfig;
        return c with
        {
            Processes = [.. c.Processes.Select(p => p.Pid == pid ? p with { RlimitMemlock = rlimitMemlock, CapIpcLock = capIpcLock } : p)],
        };
    }

    /// <summary>A platform like Small whose group <paramref name="id"/> is replaced.</summary>
    protected PlatformConfig WithGroup(int id, Func<GroupConfig, GroupConfig> change, PlatformConfig? c = null)
    {
        c ??= SmallConfig;
        return c with { Groups = [.. c.Groups.Select(g => g.Id == id ? change(g) : g)] };
    }

    // ------------------------------------------------------------------ assertions

    protected static void AssertOk(long result, string what = "call")
    {
        Assert.True(result >= 0, $"{what}: expected success, got {Errno.Describe(result)}");
    }

    protected static void AssertErr(int errno, long result, string what = "call")
    {
        Assert.True(result == -errno, $"{what}: expected -{Errno.Name(errno)}, got {Errno.Describe(result)}");
    }

    protected static void AssertResult(long expected, long actual, string what = "call")
    {
        Assert.True(expected == actual, $"{what}: expected {Errno.Describe(expected)}, got {Errno.Describe(actual)}");
    }

    /// <summary>Runs <paramref name="call"/>, expects -<paramref name="errno"/>, and checks INV-5: the snapshot taken just
    /// before the system call (after the argument bytes were poked) equals the one after, except what
    /// <paramref name="allow"/> permits.</summary>
    protected void AssertFailsAtomically(int errno, Func<long> call, FailureAllowance allow = default, string what = "call")
    {
        S.CapturePreCall = true;
        try
        {
            var fallback = Snap();
            long r = call();
            var before = S.PreCall ?? fallback;
            var after = Snap();
            AssertErr(errno, r, what);
            var problems = string.Join("\n", FailureAtomicity.Check(before, after, allow));
            Assert.True(problems.Length == 0, $"{what}: failed with -{Errno.Name(errno)} but changed state (INV-5):\n{problems}");
        }
        finally
        {
            S.CapturePreCall = false;
        }
    }

    /// <summary>Checks every snapshot invariant (INV-1/2/3/4/6/7/9) of the current state.</summary>
    protected void AssertInvariants(bool hostWroteStale = false, string when = "")
    {
        var v = StateInvariants.Check(S.Config, Obs(), hostWroteStale);
        Assert.True(v.Count == 0, $"invariants violated {when}:\n{string.Join("\n", v)}");
    }

    protected void AssertTce(int group, long entry, ulong expected)
    {
        ulong actual = Obs().Tce(group, entry);
        Assert.True(expected == actual, $"table {group} entry 0x{entry:x}: expected 0x{expected:x}, got 0x{actual:x}");
    }

    /// <summary>Asserts no in-use TCE in the window of group <paramref name="group"/>.</summary>
    protected void AssertWindowClear(int group)
    {
        var g = S.Config.FindGroup(group)!;
        var used = Obs().TcesOf(group).Where(kv => kv.Key >= g.ItOffset && kv.Key < g.ItOffset + g.ItSize && Abi.InUse(kv.Value)).ToList();
        Assert.True(used.Count == 0, $"table {group} window still holds {string.Join(", ", used.Select(kv => $"{kv.Key:x}={kv.Value:x}"))}");
    }

    protected void AssertRef(long pfn, long expected)
    {
        long actual = Obs().PageRef(pfn);
        Assert.True(expected == actual, $"page {pfn:x}: expected ref {expected} (base {Base(pfn)}), got {actual}");
    }
}
