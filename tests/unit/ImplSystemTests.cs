using TceVerify.Contract;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Programs;
using TceVerify.Impl;
using TceVerify.Model;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

/// <summary>Booting a machine: the platform checks of STATE-1 and the parts a system is built from.</summary>
public sealed class ImplSystemBootTests
{
    sealed class Counts
    {
        public int Tables, Drivers, Cores, Lifetimes;
    }

    static KernelParts Counting(Counts n) => new()
    {
        Table = (group, ctx) => { n.Tables++; return KernelParts.Default.Table(group, ctx); },
        Driver = ctx => { n.Drivers++; return KernelParts.Default.Driver(ctx); },
        Core = (ctx, driver, groups) => { n.Cores++; return KernelParts.Default.Core(ctx, driver, groups); },
        Lifetime = (tasks, omits) => { n.Lifetimes++; return KernelParts.Default.Lifetime(tasks, omits); },
    };

    [Fact]
    [Spec("STATE-1")]
    public void Invalid_platforms_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => new ImplSystem(null!));
        var small = PlatformConfig.Small();
        Assert.Contains("invalid platform", Assert.Throws<ArgumentException>(() => new ImplSystem(small with { PageShift = 13 })).Message);
        // Windows whose shifted end wraps past 2^64 pass PlatformConfig.Validate; the implementation refuses them.
        var g = small.Groups[0];
        Assert.Contains("above 4 GiB", Assert.Throws<ArgumentException>(() => new ImplSystem(small with { Groups = [g with { ItOffset = 1L << 52, ItSize = 1 }] })).Message);
        Assert.Contains("above 4 GiB", Assert.Throws<ArgumentException>(() => new ImplSystem(small with { Groups = [g with { ItOffset = 0, ItSize = 1L << 52 }] })).Message);
        Assert.NotNull(new ImplSystem(small with { Groups = [g with { ItOffset = (1L << 20) - 64, ItSize = 63 }] }));
    }

    [Fact]
    [Spec("STATE-5", "STATE-8")]
    public void The_given_parts_build_the_machine()
    {
        var n = new Counts();
        var sys = new ImplSystem(PlatformConfig.Small(), null, Counting(n));
        Assert.Equal((2, 1, 1, 1), (n.Tables, n.Drivers, n.Cores, n.Lifetimes));
        Assert.Equal(new ImplSystem(PlatformConfig.Small()).Snapshot(), sys.Snapshot());
    }
}

/// <summary>Sequences the clause suites do not write out, each compared call by call with the model.</summary>
public sealed class ImplSystemSequenceTests
{
    internal static void Agree(PlatformConfig config, IReadOnlyList<Command> program)
    {
        var impl = new ImplSystem(config);
        var model = new ModelSystem(config);
        for (int i = 0; i < program.Count; i++)
        {
            var c = program[i];
            c.Prepare(model);
            c.Prepare(impl);
            long expected = c.Invoke(model), actual = c.Invoke(impl);
            Assert.True(expected == actual, $"step {i + 1} ({c.Describe()}): model {Errno.Describe(expected)}, implementation {Errno.Describe(actual)}");
            Assert.Equal(model.Snapshot(), impl.Snapshot());
        }
    }

    /// <summary>CORE-25 forgets the driver, so a group that joins the same container again finds no driver (CORE-27).</summary>
    [Fact]
    [Spec("CORE-25", "CORE-27", "CORE-23")]
    public void A_container_left_by_its_group_has_no_driver_for_the_next_one()
    {
        var config = PlatformConfig.Small();
        var s = new Script(config).Setup(1, 1, 3, 4).UnsetContainer(1, 4).SetContainer(1, 4, 3)
            .GetDeviceFd(1, 4, config.Groups[0].Devices[0]).SetIommu(1, 3).GetDeviceFd(1, 4, config.Groups[0].Devices[0]);
        Agree(config, s.Commands);
    }

    /// <summary>HOST-5: a range that runs past the window's end is refused whole, on the window that fills its bitmap word.</summary>
    [Fact]
    [Spec("HOST-5", "HOST-4")]
    public void Host_free_past_the_window_end_is_refused()
    {
        var config = PlatformConfig.Small();
        var s = new Script(config).HostAlloc(1, 63).HostFree(1, 63, 2).HostFree(1, 60, 10).HostFree(1, 64, 1)
            .HostFree(1, 1, 63).HostAlloc(2, 32).HostFree(2, 0x81f, 2).HostFree(2, 0x800, 32);
        Agree(config, s.Commands);
    }

    /// <summary>Generated programs on windows that span several 64-entry words, start off a word boundary and have
    /// 3 and 5 pools (the clause suites' windows fit one word).</summary>
    [Theory]
    [InlineData(12)]
    [InlineData(16)]
    [Spec("TBL-2", "TBL-3", "TBL-7", "TBL-9", "TBL-10", "HOST-4", "HOST-5")]
    public void Wide_windows_agree_with_the_model(int pageShift)
    {
        var small = PlatformConfig.Small(pageShift);
        var config = small with
        {
            Groups =
            [
                new GroupConfig(1, ItOffset: 0x3d, ItSize: 150, Pools: 3, Viable: true, Devices: ["0000:01:00.0"]),
                new GroupConfig(2, ItOffset: 0x801, ItSize: 130, Pools: 5, Viable: true, Devices: ["0000:02:00.0"]),
            ],
        };
        foreach (var w in Enum.GetValues<Workload>())
            for (int seed = 0; seed < 3; seed++)
                Agree(config, new ProgramGenerator(config, c => new ModelSystem(c)).Generate(777 + seed, 90, w));
    }
}
