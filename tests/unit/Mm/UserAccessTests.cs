using TceVerify.Contract;
using TceVerify.Harness.Programs;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Sync;
using TceVerify.TestKit;
using Xunit;
using static TceVerify.Tests.Unit.IommuTableTests;

namespace TceVerify.Tests.Unit;

/// <summary>User memory (ABI-5, PROC-8) at the bottom of the address space.</summary>
public sealed class UserAccessLowAddressTests
{
    /// <summary>An access that starts just above 0 and is longer than its address neither wraps nor faults.</summary>
    [Theory]
    [InlineData(12)]
    [InlineData(16)]
    [Spec("ABI-5", "PROC-8")]
    public void Accesses_just_above_address_zero_succeed(int pageShift)
    {
        var (mm, _) = UserAccessTests.TopMapped(pageShift);    // page 0 is mapped
        var eight = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        Assert.Equal(0, mm.Poke(1, eight));
        var buf = new byte[8];
        Assert.Equal(0, mm.Read(1, buf));
        Assert.Equal(eight, buf);
        Assert.Equal(0, mm.Read(3, buf));
        Assert.Equal(0, mm.Poke(7, eight));
    }
}

/// <summary>User memory (ABI-5, ABI-6, ABI-10, PROC-8) at the top of the address space and with no mm.</summary>
public sealed class UserAccessTests
{
    const ulong Top = ulong.MaxValue;

    internal static (MmStruct Mm, PhysicalMemory Mem) TopMapped(int pageShift)
    {
        var mem = new PhysicalMemory(24, pageShift);
        var mm = new MmStruct(1, 0, false, mem, pageShift, RealSync.Instance);
        mm.MapAtBoot(Top >> pageShift, 3, true);               // the last page of the address space
        mm.MapAtBoot((Top >> pageShift) - 1, 4, true);
        mm.MapAtBoot(0, 5, true);                              // page 0: a wrap would land here
        mm.MapAtBoot(0x20, 6, false);                          // read-only
        return (mm, mem);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(16)]
    [Spec("ABI-5", "ABI-6", "PROC-8")]
    public void Accesses_that_end_at_2_to_the_64_fit_and_one_byte_more_wraps(int pageShift)
    {
        var (mm, _) = TopMapped(pageShift);
        var four = new byte[] { 1, 2, 3, 4 };
        Assert.Equal(0, mm.Poke(Top - 3, four));
        Assert.Equal(-Errno.EFAULT, mm.Poke(Top - 2, four));
        var buf = new byte[4];
        Assert.Equal(0, mm.Read(Top - 3, buf));
        Assert.Equal(four, buf);
        Assert.Equal(-Errno.EFAULT, mm.Read(Top - 2, buf));
        Assert.Equal(0, mm.WriteUser(Top - 3, [9, 9, 9, 9]));
        Assert.Equal(-Errno.EFAULT, mm.WriteUser(Top - 1, [5, 5, 5, 5]));   // two bytes fit, then it would wrap
        mm.Read(Top - 3, buf);
        Assert.Equal(new byte[] { 9, 9, 5, 5 }, buf);
        var zero = new byte[4];
        Assert.Equal(0, mm.Read(0, zero));
        Assert.Equal(new byte[4], zero);                                    // nothing wrapped onto page 0
        // Across the two top pages.
        ulong boundary = (Top >> pageShift) << pageShift;
        Assert.Equal(0, mm.Poke(boundary - 2, four));
        Assert.Equal(0, mm.Read(boundary - 2, buf));
        Assert.Equal(four, buf);
        Assert.Equal(0, mm.WriteUser(boundary - 1, [6, 6]));
        // Read-only pages are readable, not writable by copy_to_user (ABI-6).
        Assert.Equal(-Errno.EFAULT, mm.WriteUser(0x20UL << pageShift, [1]));
        Assert.Equal(0, mm.Read(0x20UL << pageShift, buf));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(16)]
    [Spec("ABI-10")]
    public void Names_at_the_top_and_at_the_length_limit(int pageShift)
    {
        var (mm, _) = TopMapped(pageShift);
        int page = 1 << pageShift;
        // A name whose NUL is the very last byte of the address space.
        Assert.Equal(0, mm.Poke(Top - 2, [(byte)'a', (byte)'b', 0]));
        Assert.Equal(0, mm.ReadString(Top - 2, page, out var s));
        Assert.Equal("ab"u8.ToArray(), s);
        // No NUL before 2^64: the scan would wrap onto page 0 (mapped), which counts as a fault, not as more name.
        Assert.Equal(0, mm.Poke(Top - 1, [(byte)'x', (byte)'y']));
        Assert.Equal(-Errno.EFAULT, mm.ReadString(Top - 1, page, out s));
        Assert.Null(s);
        // A name that spans the two top pages.
        ulong boundary = (Top >> pageShift) << pageShift;
        Assert.Equal(0, mm.Poke(boundary - 2, [(byte)'p', (byte)'q', (byte)'r', 0]));
        Assert.Equal(0, mm.ReadString(boundary - 2, page, out s));
        Assert.Equal("pqr"u8.ToArray(), s);
        // No NUL within the limit -> -EINVAL; an unmapped byte before the limit -> -EFAULT.
        var full = Enumerable.Repeat((byte)'z', 16).ToArray();
        Assert.Equal(0, mm.Poke(0, full));
        Assert.Equal(-Errno.EINVAL, mm.ReadString(0, 16, out s));
        Assert.Equal(-Errno.EINVAL, mm.ReadString(3, 10, out s));
        Assert.Equal(0, mm.Poke(boundary - 4, full.AsSpan(0, 4)));
        Assert.Equal(-Errno.EINVAL, mm.ReadString(boundary - 4, 5, out s));   // "zzzzr", then the NUL one byte too far
        Assert.Equal(0, mm.ReadString(boundary - 4, 6, out s));
        Assert.Equal("zzzzr"u8.ToArray(), s);
        Assert.Equal(-Errno.EFAULT, mm.ReadString(0x30UL << pageShift, 16, out s));
    }

    [Fact]
    [Spec("ABI-5", "ABI-6", "ABI-10", "STATE-9")]
    public void Without_an_mm_every_access_faults()
    {
        var mem = new PhysicalMemory(24, 12);
        var cur = new Current(IommuTableTests.Proc(mem), null);
        Assert.Equal(-Errno.EFAULT, UserAccess.CopyFromUser(cur, 0x10000, new byte[4]));
        Assert.Equal(-Errno.EFAULT, UserAccess.CopyToUser(cur, 0x10000, new byte[4]));
        Assert.Equal(0, UserAccess.CopyToUser(cur, 0x10000, ReadOnlySpan<byte>.Empty));
        Assert.Equal(-Errno.EFAULT, UserAccess.StrndupUser(cur, 0x10000, 4096, out var s));
        Assert.Null(s);
        Assert.Equal(-Errno.EFAULT, UserAccess.GetUserInt32(cur, 0x10000, out int v));
        Assert.Equal(0, v);
    }

    [Fact]
    [Spec("TBL-6")]
    public void A_pin_needs_a_mapped_page_and_write_access_for_write()
    {
        var mem = new PhysicalMemory(24, 12);
        var mm = new MmStruct(1, 0, false, mem, 12, RealSync.Instance);
        mm.MapAtBoot(0x10, 9, true);
        mm.MapAtBoot(0x11, 10, false);
        Assert.Equal(0, mm.GetUserPage(0x10fff, true, out long pfn));
        Assert.Equal(9, pfn);
        Assert.Equal(Memory.BaseRefCount(9) + 1, mem.RefCount(9));
        Assert.Equal(0, mm.GetUserPage(0x11000, false, out pfn));
        Assert.Equal(10, pfn);
        Assert.Equal(-Errno.EFAULT, mm.GetUserPage(0x11000, true, out _));
        Assert.Equal(-Errno.EFAULT, mm.GetUserPage(0x12000, false, out _));
        Assert.Equal(Memory.BaseRefCount(10) + 1, mem.RefCount(10));
    }
}
