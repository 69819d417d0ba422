using FsCheck;
using FsCheck.Fluent;
using TceVerify.Contract;
using TceVerify.Harness.Differential;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Observation;
using TceVerify.Harness.Programs;
using TceVerify.TestKit;
using TceVerify.TestKit.Properties;
using TceVerify.Tests.Properties.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Properties.Properties;

// Issue 15: the device as an adversary. The two campaign properties judge every command of generated programs (which
// now hold DMAs, host reuses and the mmaps and munmaps that free and reuse frames); the bad-input property throws every
// kind of DMA at every kind of table; the facts pin the clauses one by one.

/// <summary>INV-12: after every command, every translation the device can use (cached or in the table) is pinned, and no
/// DMA reached a frame it must not.</summary>
public sealed class DmaIsolation : CampaignTest<DmaIsolation>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.DmaIsolation;

    [CampaignProperty<DmaIsolation>]
    [Spec("INV-12", "DEV-2", "TBL-7", "TBL-10", "PAGE-1")]
    public Property Every_translation_the_device_can_use_is_pinned(ProgramCase c) => Holds(c);
}

/// <summary>INV-13: between calls no cache holds a translation its entry no longer has, and every DMA gets what DEV-1
/// prescribes for the table as it stands (a DMA to what was unmapped faults).</summary>
public sealed class NoDmaAfterUnmap : CampaignTest<NoDmaAfterUnmap>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.NoDmaAfterUnmap;

    [CampaignProperty<NoDmaAfterUnmap>]
    [Spec("INV-13", "DEV-1", "DEV-3", "TBL-8", "UNMAP-9")]
    public Property A_dma_to_what_was_unmapped_faults(ProgramCase c) => Holds(c);
}

/// <summary>DEV-5: bad device input of every kind, on tables of every kind, gets the model's result and state and the
/// clauses' (DeviceOracle), never an exception, and a failed DMA changes nothing (INV-5).</summary>
public sealed class DeviceInput
{
    /// <summary>A state to DMA in: a name and the script that builds it (pid 1, container fd 3, group fd 4).</summary>
    public sealed record Start(string Name, Action<Script> Build)
    {
        public override string ToString() => Name;
    }

    public sealed record Input(Start Start, int PageShift, DmaCmd Dma)
    {
        public override string ToString() => $"{Dma.Describe()} after '{Start.Name}' with {1 << PageShift >> 10} KiB pages";
    }

    static Script Ready(Script s, int group = 1) => s.Setup(1, group, 3, 4).Enable(1, 3);

    public static IReadOnlyList<Start> Starts { get; } =
    [
        new("boot: host-owned, empty", _ => { }),
        new("host allocations in both tables", s => s.HostAlloc(1, 3).HostAlloc(2, 2)),
        new("host stale values: no memory, all bits, a user frame", s => s.HostStale(1, 5, 0x100000UL | Abi.TcePermMask).HostStale(1, 6, ulong.MaxValue)
            .HostStale(2, 0x801, 0x3000 | Abi.TcePciWrite)),
        new("container maps RW, READ and WRITE entries", s => Ready(s).Map(1, 3, s.Vaddr(1, 0), 0x3000, 0x2000)
            .Map(1, 3, s.Vaddr(1, 1), 0x6000, 0x1000, flags: Abi.MapFlagRead).Map(1, 3, s.Vaddr(1, 2), 0x3f000, 0x1000, flags: Abi.MapFlagWrite)),
        new("mapped, used, unmapped", s => Ready(s).Map(1, 3, s.Vaddr(1, 0), 0x3000, 0x2000).Dma(1, 0x3000, 32, DmaDirection.Read)
            .Unmap(1, 3, 0x3000, 0x1000)),
        new("the window at 0x800 mapped whole", s => Ready(s, 2).Map(1, 3, s.Vaddr(1, 0), 0x800000, 0x2000).Map(1, 3, s.Vaddr(1, 1), 0x81e000, 0x2000)),
    ];

    static readonly int[] EdgeLengths = [int.MinValue, -1, 0, 1, 4095, 4096, 4097, Memory.DmaMaxBytes - 1, Memory.DmaMaxBytes, Memory.DmaMaxBytes + 1, int.MaxValue];

    static Gen<ulong> Iovas =>
        from kind in Gen.Choose(0, 5)
        from entry in Gen.Choose(0, 0x830)
        from offset in Gen.Choose(0, 0xfff)
        from hi in Gen.Choose(int.MinValue, int.MaxValue)
        from lo in Gen.Choose(int.MinValue, int.MaxValue)
        from back in Gen.Choose(0, 70000)
        from edge in Gen.Elements(0x0UL, 0x3f000UL, 0x40000UL, 0x3fff0UL, 0x7ff000UL, 0x800000UL, 0x81f000UL, 0x820000UL, 0x81fff8UL)
        select kind switch
        {
            0 => ((ulong)(entry % 0x41) << 12) + (ulong)offset,                   // in or just past group 1's window
            1 => ((ulong)(0x7ff + entry % 0x23) << 12) + (ulong)offset,            // around group 2's window
            2 => (ulong)(uint)hi << 32 | (uint)lo,                                 // anywhere
            3 => ulong.MaxValue - (ulong)back,                                     // near 2^64: may wrap
            4 => edge,                                                             // window edges
            _ => (ulong)entry << 12,
        };

    static Gen<Input> Inputs =>
        from start in Gen.Elements(Starts.ToArray())
        from shift in Gen.Elements(12, 16)
        from target in Gen.Elements(1, 1, 1, 2, 2, 2, -1, 0, 3, 9, int.MaxValue, int.MinValue)
        from iova in Iovas
        from edgeLength in Gen.Elements(false, false, true)
        from len in edgeLength ? Gen.Elements(EdgeLengths) : Gen.Choose(1, 9000)
        from write in Gen.Elements(false, true)
        from fill in Gen.Choose(0, 255)
        select new Input(start, shift, new DmaCmd(target, iova, len, write ? DmaDirection.Write : DmaDirection.Read, (byte)fill));

    /// <summary>The property on one system under test.</summary>
    public static Property AgreesWithTheModel(SystemUnderTest sut) => Prop.ForAll(Arb.From(Inputs), input =>
    {
        var config = PlatformConfig.Small(input.PageShift);
        var script = new Script(config);
        input.Start.Build(script);
        var prefix = script.Commands.ToList();
        var program = script.Add(input.Dma).Commands;

        // The model against the clauses: DEV-1's result from the state before the DMA.
        var model = Systems.ModelFactory(config);
        foreach (var c in prefix) { c.Prepare(model); c.Invoke(model); }
        long expected = DeviceOracle.Expected(config, Observed.Parse(model.Snapshot()), input.Dma, out var why);
        long modelResult = input.Dma.Invoke(model);
        if (expected == 0 ? modelResult < 0 : modelResult != expected)
            return false.Label($"{input}: the model returned {Errno.Describe(modelResult)}, DEV-1 says {Errno.Describe(expected)} ({why})");

        // The system under test against the model: results, state, invariants (INV-12, INV-13 on its device state), INV-5.
        var runner = new DifferentialRunner(config, Systems.ModelFactory, sut.Create);
        var result = runner.Run(program);
        return result.Ok.Label(result.Ok ? "" : $"{input}:\n" + FailureReport.Render(runner, program, result, systemUnderTest: sut.Code,
            configCode: $"PlatformConfig.Small({input.PageShift})"));
    });

    [Fact]
    [Spec("DEV-5", "DEV-1")]
    public void Bad_device_input_never_crashes_and_gets_the_models_result() =>
        PropertyRunner.Check(AgreesWithTheModel(Systems.Impl), "DEV-5 bad device input", 400);
}

/// <summary>The clauses of the device and of the life of a page, one by one, on the model and the implementation.</summary>
public sealed class DeviceAndPageTests
{
    public static TheoryData<string> BothSystems => ["model", "impl"];

    static SystemUnderTest Sut(string name) => name == "model" ? Systems.Model : Systems.Impl;

    static readonly PlatformConfig Config = PlatformConfig.Small(12);

    /// <summary>Runs a script on a fresh system: the system and every result.</summary>
    static (ITceSystem System, long[] Results) Run(string system, Action<Script> build)
    {
        var script = new Script(Config);
        build(script);
        var sys = Sut(system).Create(Config);
        var results = script.Commands.Select(c => { c.Prepare(sys); return c.Invoke(sys); }).ToArray();
        return (sys, results);
    }

    static Script Ready(Script s) => s.Setup(1, 1, 3, 4).Enable(1, 3);

    // pid 1 maps vpage 0x10 + i -> frame i (4 KiB pages); frames 15 .. 23 are mapped by nobody at boot.

    [Theory]
    [MemberData(nameof(BothSystems))]
    [Spec("DEV-1", "INV-13", "UNMAP-8", "UNMAP-9")]
    public void A_dma_to_an_unmapped_iova_faults_and_touches_nothing(string system)
    {
        var (sys, r) = Run(system, s => Ready(s).Map(1, 3, s.Vaddr(1, 0), 0x3000, 0x1000)
            .Dma(1, 0x3000, 16, DmaDirection.Write, 0x11).Unmap(1, 3, 0x3000, 0x1000)
            .Dma(1, 0x3000, 16, DmaDirection.Write, 0x22).Dma(1, 0x3000, 16, DmaDirection.Read));
        Assert.Equal(0, r[^4]);                           // the write while mapped
        Assert.Equal(-Errno.EFAULT, r[^2]);               // after UNMAP_DMA returned
        Assert.Equal(-Errno.EFAULT, r[^1]);
        var o = Observed.Parse(sys.Snapshot());
        Assert.Equal(new string('1', 32), o.Memory[(0, 0)]);  // frame 0 holds the first write only
        Assert.Empty(Violations(sys));
    }

    [Theory]
    [MemberData(nameof(BothSystems))]
    [Spec("DEV-1")]
    public void A_dma_write_changes_bytes_only_and_a_read_returns_them(string system)
    {
        var (sys, r) = Run(system, s => Ready(s).Map(1, 3, s.Vaddr(1, 0), 0x3000, 0x2000)
            .Dma(1, 0x3ff8, 16, DmaDirection.Write, 0xd1).Dma(1, 0x3ff0, 32, DmaDirection.Read));
        Assert.Equal(0, r[^2]);
        byte[] expected = [.. new byte[8], .. Enumerable.Repeat((byte)0xd1, 16), .. new byte[8]];
        Assert.Equal(DmaCmd.Digest(expected), r[^1]);
        var o = Observed.Parse(sys.Snapshot());
        Assert.Equal("0000000000000000D1D1D1D1D1D1D1D1", o.Memory[(0, 0xff0)]);   // the last 8 bytes of frame 0 ...
        Assert.Equal("D1D1D1D1D1D1D1D10000000000000000", o.Memory[(1, 0)]);       // ... and the first 8 of frame 1
        Assert.False(o.Pages[0].Dirty);                                            // the dirty bit is the kernel's (TBL-7)
        Assert.False(o.Pages[1].Dirty);
    }

    [Theory]
    [MemberData(nameof(BothSystems))]
    [Spec("DEV-1", "HOST-4")]
    public void Through_the_hosts_table_a_read_gives_zeros_and_a_write_changes_nothing(string system)
    {
        var (sys, r) = Run(system, s => s.HostAlloc(1, 2).Dma(1, 0x1000, 0x2000, DmaDirection.Write, 0x77).Dma(1, 0x1000, 0x2000, DmaDirection.Read));
        Assert.Equal(0, r[^2]);
        Assert.Equal(DmaCmd.Digest(new byte[0x2000]), r[^1]);
        Assert.Empty(Observed.Parse(sys.Snapshot()).Memory);
    }

    [Theory]
    [MemberData(nameof(BothSystems))]
    [Spec("PAGE-1", "PAGE-2", "PAGE-3", "INV-12", "TBL-7", "DEV-3")]
    public void A_frame_freed_by_unmap_goes_to_the_host_and_the_device_cannot_reach_it(string system)
    {
        // FIND-26's ground, sequentially: map frame 0 for DMA, drop it from the address space, let the device use it,
        // UNMAP_DMA (the frame is now free), the host takes it; the device's next write faults.
        var (sys, r) = Run(system, s => Ready(s).Map(1, 3, s.Vaddr(1, 0), 0, 0x1000).Munmap(1, 0x10)
            .HostReuse(0).Dma(1, 0, 16, DmaDirection.Read).Unmap(1, 3, 0, 0x1000).HostReuse(0).Dma(1, 0, 16, DmaDirection.Write, 0x5a));
        Assert.Equal(-Errno.EBUSY, r[^5]);                   // still pinned by the TCE: not free (PAGE-1)
        Assert.True(r[^4] >= 0);
        Assert.Equal(0, r[^2]);                              // free once the TCE's pin was put
        Assert.Equal(-Errno.EFAULT, r[^1]);
        var o = Observed.Parse(sys.Snapshot());
        Assert.Equal((1L, FrameOwner.Host), o.Frames[0]);
        Assert.Equal(Convert.ToHexString(Enumerable.Repeat(Memory.HostReuseByte, Memory.HostReuseBytes).ToArray()), o.Memory[(0, 0)]);
        Assert.Empty(Violations(sys));
    }

    [Theory]
    [MemberData(nameof(BothSystems))]
    [Spec("PAGE-3", "PAGE-1")]
    public void The_host_takes_only_free_frames_and_never_gives_them_back(string system)
    {
        var (_, r) = Run(system, s => s.HostReuse(Config.PhysicalPages).HostReuse(-1).HostReuse(3).HostReuse(20).HostReuse(20)
            .Mmap(1, 0x18, 20).Munmap(1, 0x10).HostReuse(0));
        Assert.Equal([-Errno.EINVAL, -Errno.EINVAL, -Errno.EBUSY, 0, -Errno.EBUSY, -Errno.EBUSY, 0, 0], r);
    }

    [Theory]
    [MemberData(nameof(BothSystems))]
    [Spec("PAGE-4", "PAGE-2", "PROC-7")]
    public void An_mmap_shares_a_frame_and_reuses_nothing_only_the_host_does(string system)
    {
        var (sys, r) = Run(system, s => s.Mmap(1, 0x18, 20).Mmap(2, 0x18, 20).Munmap(1, 0x18).Munmap(2, 0x18).Mmap(2, 0x19, 20, writable: false)
            .Mmap(1, 0x18, 9).Munmap(2, 0x19).HostReuse(20));
        Assert.All(r, x => Assert.Equal(0, x));
        var o = Observed.Parse(sys.Snapshot());
        Assert.Equal((1L, FrameOwner.Host), o.Frames[20]);   // mapped, shared, freed and mapped again: only the host reused it
        Assert.False(o.Frames.ContainsKey(9));               // frame 9 is pid 2's at boot, shared with pid 1
        Assert.Single(o.Frames);
    }

    [Theory]
    [MemberData(nameof(BothSystems))]
    [Spec("PAGE-4", "PAGE-1")]
    public void An_mmap_of_a_frame_the_host_holds_or_that_a_tce_pins_reuses_nothing(string system)
    {
        var (sys, r) = Run(system, s => Ready(s).Map(1, 3, s.Vaddr(1, 0), 0, 0x1000).Munmap(1, 0x10).HostReuse(20)
            .Mmap(1, 0x18, 20).Mmap(1, 0x18, 0));
        Assert.Equal(-Errno.EBUSY, r[^2]);
        Assert.Equal(0, r[^1]);
        var o = Observed.Parse(sys.Snapshot());
        Assert.Equal((1L, FrameOwner.Host), o.Frames[20]);
        Assert.False(o.Frames.ContainsKey(0));               // pinned by the TCE: not free, so not reused
    }

    // ---- the implementation's hardware (DEV-2 .. DEV-4): the model has no cache

    [Fact]
    [Spec("DEV-2", "DEV-3", "DEV-4", "TBL-8")]
    public void The_cache_keeps_what_the_device_used_until_a_flush()
    {
        var script = Ready(new Script(Config)).Map(1, 3, Script.VaddrOf(Config, 1, 0), 0x3000, 0x2000);
        var sys = Systems.Impl.Create(Config);
        foreach (var c in script.Commands) { c.Prepare(sys); c.Invoke(sys); }
        Assert.Empty(sys.DeviceState().Cached);                                  // DEV-4: no DMA, no cache
        Assert.Equal(0, new DmaCmd(1, 0x3ff8, 16, DmaDirection.Write, 1).Invoke(sys));
        var tces = Observed.Parse(sys.Snapshot()).Tables[1].Tces;
        Assert.Equal([new CachedTranslation(1, 3, tces[3]), new CachedTranslation(1, 4, tces[4])],
            sys.DeviceState().Cached.OrderBy(x => x.Entry));                     // DEV-2: both translations used
        var unmap = new Script(Config).Unmap(1, 3, 0x4000, 0x1000).Commands[0];
        unmap.Prepare(sys);
        Assert.Equal(0, unmap.Invoke(sys));
        Assert.Empty(sys.DeviceState().Cached);                                  // DEV-3: the UNMAP's flush emptied it
        Assert.Empty(sys.DeviceState().Breaches);
    }

    [Fact]
    [Spec("HOST-8", "DEV-5", "PAGE-3", "PAGE-4")]
    public void Generated_programs_hold_device_actions_of_every_outcome()
    {
        var outcomes = new HashSet<string>();
        foreach (var w in Enum.GetValues<Workload>())
        {
            var kinds = new HashSet<string>();
            foreach (var seed in Enumerable.Range(0, 6))
            {
                var sys = Systems.ModelFactory(Config);
                foreach (var c in new ProgramGenerator(Config, Systems.ModelFactory).Generate(seed, 60, w))
                {
                    c.Prepare(sys);
                    long r = c.Invoke(sys);
                    if (c is DmaCmd or HostReuseCmd) kinds.Add(c.GetType().Name);
                    if (c is DmaCmd) outcomes.Add($"dma {(r >= 0 ? "ok" : Errno.Describe(r))}");
                    if (c is HostReuseCmd) outcomes.Add($"host_reuse {(r >= 0 ? "ok" : Errno.Describe(r))}");
                    if (c is MapPageCmd && r == -Errno.EBUSY) outcomes.Add("mmap -EBUSY");
                }
            }
            Assert.True(kinds.SetEquals(["DmaCmd", "HostReuseCmd"]), $"{w} programs hold only {string.Join(", ", kinds)}");
        }
        foreach (var o in new[] { "dma ok", "dma -ENOENT", "dma -EINVAL", "dma -EFAULT", "host_reuse ok", "host_reuse -EINVAL", "host_reuse -EBUSY", "mmap -EBUSY" })
            Assert.Contains(o, outcomes);
    }

    static List<string> Violations(ITceSystem sys) =>
        Harness.Invariants.InvariantChecker.CheckState(sys.Config, Observed.Parse(sys.Snapshot()), sys.DeviceState()).Select(v => v.ToString()).ToList();
}

/// <summary>The INV-12 and INV-13 checks themselves, on a real state and hand-made device states (what a cache may
/// hold), so they are known to fire whatever the implementation does.</summary>
public sealed class DeviceInvariantCheckTests
{
    static readonly PlatformConfig Config = PlatformConfig.Small(12);

    /// <summary>The model after pid 1 mapped frame 0 at entry 3 and frame 1 at entry 4 (RW), then unmapped entry 4.</summary>
    static Observed Mapped()
    {
        var s = new Script(Config).Setup(1, 1, 3, 4).Enable(1, 3);
        s.Map(1, 3, s.Vaddr(1, 0), 0x3000, 0x2000).Unmap(1, 3, 0x4000, 0x1000);
        var sys = Systems.ModelFactory(Config);
        foreach (var c in s.Commands) { c.Prepare(sys); Assert.True(c.Invoke(sys) >= 0, c.Describe()); }
        return Observed.Parse(sys.Snapshot());
    }

    static List<string> Check(Observed o, DeviceState d) =>
        Harness.Invariants.InvariantChecker.CheckState(Config, o, d).Select(v => v.Clause).ToList();

    [Fact]
    [Spec("INV-12", "INV-13", "DEV-2")]
    public void A_cached_translation_of_a_cleared_entry_breaks_both()
    {
        var o = Mapped();
        ulong tce3 = o.Tables[1].Tces[3];
        Assert.Empty(Check(o, DeviceState.None));
        Assert.Empty(Check(o, new DeviceState([new CachedTranslation(1, 3, tce3)], [])));            // cached = table: fine
        var stale = new DeviceState([new CachedTranslation(1, 3, tce3), new CachedTranslation(1, 4, 0x1000 | Abi.TcePermMask)], []);
        Assert.Equal(["INV-12", "INV-13"], Check(o, stale));                                          // frame 1: 1 reach, 0 pins
        Assert.Equal(["INV-12"], Harness.Invariants.InvariantChecker.CheckState(Config, o, stale, quiescent: false).Select(v => v.Clause));
    }

    [Fact]
    [Spec("INV-12")]
    public void A_cached_translation_and_a_different_tce_count_once_each()
    {
        var o = Mapped();
        // Entry 3 rebuilt to frame 2 while the cache still says frame 0: frame 0 is reached through the cache (its pin is
        // gone from the table), frame 2 through nothing (the cache hides the TCE).
        o.Tables[1].Tces[3] = 0x2000 | Abi.TcePermMask;
        o.Pages[0] = (Memory.BaseRefCount(0), true);
        o.Pages[2] = (Memory.BaseRefCount(2) + 1, false);
        var d = new DeviceState([new CachedTranslation(1, 3, 0x0000 | Abi.TcePermMask)], []);
        var v = new List<Harness.Invariants.Violation>();
        Harness.Invariants.InvariantChecker.DmaIsolation(Config, o, d, v);
        Assert.Contains(v, x => x.Detail.StartsWith("frame 0x0 ", StringComparison.Ordinal));
        Assert.DoesNotContain(v, x => x.Detail.StartsWith("frame 0x2 ", StringComparison.Ordinal));
    }

    [Fact]
    [Spec("INV-12")]
    public void Every_recorded_breach_is_a_violation_and_host_tables_do_not_count()
    {
        var o = Mapped();
        var breach = new DmaBreach(1, 4, 0x1003, 1, "free");
        Assert.Equal(["INV-12"], Check(o, new DeviceState([], [breach])));
        o.Tables[1].Owner = null;                                                                    // a host-owned table
        var v = new List<Harness.Invariants.Violation>();
        Harness.Invariants.InvariantChecker.DmaIsolation(Config, o, new DeviceState([new CachedTranslation(1, 4, 0x1003)], []), v);
        Assert.Empty(v);
    }
}
