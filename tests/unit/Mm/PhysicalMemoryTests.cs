using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Sync;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

/// <summary>Frames (STATE-2): host memory is not a frame, so puts and dirty bits of host addresses are ignored.</summary>
public sealed class PhysicalMemoryTests
{
    [Fact]
    [Spec("STATE-2", "HOST-5")]
    public void Host_addresses_have_no_count_and_no_dirty_bit()
    {
        var mem = new PhysicalMemory(2100, 12);
        long host = (long)(Memory.HostDmaBase >> 12);
        mem.Put(host);
        mem.SetDirty(host);
        mem.Put(-1);
        mem.SetDirty(2100);
        for (long p = 0; p < 130; p++)
        {
            Assert.Equal(Memory.BaseRefCount(p), mem.RefCount(p));
            Assert.False(mem.IsDirty(p));
        }
        mem.SetDirty(129);
        mem.SetDirty(64);
        Assert.True(mem.IsDirty(129) && mem.IsDirty(64));
        Assert.False(mem.IsDirty(128) || mem.IsDirty(65) || mem.IsDirty(1));
        mem.Write(1025, 3, [7, 8]);
        Assert.Equal(7, mem.PageBytes(1025)[3]);
        Assert.Equal(0, mem.PageBytes(1024)[3]);
    }

    [Fact]
    [Spec("LOCK-1")]
    public void Real_atomics_do_what_the_kernel_helpers_do()
    {
        var a = RealSync.Instance.CreateAtomic("a", 0);
        Assert.False(a.IncrementUnlessZero());
        Assert.Equal(0, a.Read());
        Assert.Equal(-1, a.DecrementIfPositive());
        Assert.Equal(0, a.Read());
        a.Set(2);
        Assert.True(a.IncrementUnlessZero());
        Assert.Equal(3, a.Read());
        Assert.Equal(2, a.DecrementIfPositive());
        Assert.Equal(2, a.CompareExchange(2, 9));
        Assert.Equal(9, a.Read());
        Assert.Equal(9, a.CompareExchange(2, 1));
        Assert.Equal(9, a.Read());
    }
}

/// <summary>The life of a frame (PAGE-1 .. PAGE-4) in TceImpl's frames.</summary>
public sealed class FrameLifeTests
{
    [Fact]
    [Spec("PAGE-1", "PAGE-2", "PAGE-3", "PAGE-4")]
    public void A_frame_is_reused_only_when_nothing_pins_or_maps_it()
    {
        var mem = new PhysicalMemory(24, 12);
        Assert.Equal(0, mem.MapFrame(5));                                  // a mapping reuses nothing (PAGE-4)
        Assert.Equal(0, mem.Generation(5));
        Assert.Equal(-Errno.EBUSY, mem.HostReuse(5));                      // mapped
        mem.Get(5);
        mem.UnmapFrame(5);
        Assert.Equal(-Errno.EBUSY, mem.HostReuse(5));                      // pinned
        Assert.Equal("a free frame nobody pins (PAGE-1)", mem.WhyUnreachable(6));
        Assert.Null(mem.WhyUnreachable(5));
        mem.Put(5);
        Assert.Equal("a free frame nobody pins (PAGE-1)", mem.WhyUnreachable(5));
        Assert.Equal(0, mem.HostReuse(5));                                 // PAGE-3
        Assert.Equal((1L, FrameOwner.Host), (mem.Generation(5), mem.Owner(5)));
        Assert.Equal("a frame the host holds (PAGE-3, generation 1)", mem.WhyUnreachable(5));
        Assert.True(mem.PageBytes(5)[..Memory.HostReuseBytes].ToArray().All(b => b == Memory.HostReuseByte));
        Assert.Equal(0, mem.PageBytes(5)[Memory.HostReuseBytes]);
        Assert.Equal(-Errno.EBUSY, mem.MapFrame(5));                       // PAGE-4: the host never gives it back
        Assert.Equal(-Errno.EBUSY, mem.HostReuse(5));
        Assert.Equal(-Errno.EINVAL, mem.HostReuse(24));
        Assert.Equal(-Errno.EINVAL, mem.HostReuse(-1));
    }
}
