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
