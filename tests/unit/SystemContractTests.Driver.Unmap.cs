using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/driver.md, UNMAP_DMA: UNMAP-1 .. UNMAP-9.
public abstract partial class SystemContractTests
{
    [Fact, Spec("UNMAP-2", "UNMAP-9")]
    public void Unmap_OnAnAttachedButDisabledContainer_SucceedsNotEnxio()
    {
        var (c, _) = S.Setup(P1, 1);
        S.CapturePreCall = true;
        AssertResult(0, S.Unmap(P1, c, 0, 64 * K4), "UNMAP of the whole window, not enabled");
        Assert.Equal(S.PreCall, Snap());
    }

    [Fact, Spec("UNMAP-3", "UNMAP-4", "UNMAP-5")]
    public void Unmap_StructInUnmappedMemory_EfaultBeforeTheFieldChecks()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertFailsAtomically(Errno.EFAULT, () => S.Unmap(P1, c, 0, K4, at: 0), what: "NULL");
        AssertFailsAtomically(Errno.EFAULT, () => S.Unmap(P1, c, 0x123, 7, flags: 9, argsz: 0, at: End(P1) - 12), what: "bad fields, straddling");
    }

    [Theory, Spec("UNMAP-5")]
    [InlineData(1u)]
    [InlineData(2u)]
    [InlineData(3u)]
    [InlineData(0x80000000u)]
    public void Unmap_AnyFlag_EinvalAndTheMappingStays(uint flags)
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        AssertFailsAtomically(Errno.EINVAL, () => S.Unmap(P1, c, 0, K4, flags), what: $"flags 0x{flags:x}");
        AssertTce(1, 0, ExpectedTce(P1, V(P1, 0), RW));
    }

    [Theory, Spec("UNMAP-6")]
    [InlineData(1UL)]
    [InlineData(0x800UL)]
    [InlineData(0xFFFUL)]
    [InlineData(0x1001UL)]
    public void Unmap_SizeNot4KAligned_Einval(ulong size)
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        AssertFailsAtomically(Errno.EINVAL, () => S.Unmap(P1, c, 0, size), what: $"size 0x{size:x}");
    }

    [Theory, Spec("UNMAP-7")]
    [InlineData(0x800800UL, 0x1000UL, -Errno.EINVAL)]            // not aligned
    [InlineData(0x7FF000UL, 0x1000UL, -Errno.EINVAL)]            // below
    [InlineData(0x7FF000UL, 0x2000UL, -Errno.EINVAL)]            // starts below, ends inside
    [InlineData(0UL, 0UL, -Errno.EINVAL)]                        // below, size 0
    [InlineData(0x81F000UL, 0x2000UL, -Errno.EINVAL)]            // end past the window
    [InlineData(0x820000UL, 0x1000UL, -Errno.EINVAL)]            // past
    [InlineData(0x820000UL, 0UL, 0L)]                            // at the end, nothing to clear: (iova >> 12) + 0 is not > end
    [InlineData(0x821000UL, 0UL, -Errno.EINVAL)]                 // one past the end
    [InlineData(0x800000UL, 0x20000UL, 0L)]                      // the whole window
    [InlineData(0x81F000UL, 0x1000UL, 0L)]                       // the last entry
    [InlineData(0x800000UL, 0xFFFFFFFFFFFFF000UL, -Errno.EINVAL)] // n = 2^52 - 1: no overflow
    public void Unmap_IovaAndEndAreCheckedAgainstTheWindow(ulong iova, ulong size, long expected)
    {
        var (c, _) = S.SetupEnabled(P1, 2);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0x81F000, K4));
        if (expected < 0)
        {
            AssertFailsAtomically((int)-expected, () => S.Unmap(P1, c, iova, size), what: $"iova 0x{iova:x}, size 0x{size:x}");
            AssertTce(2, 0x81f, ExpectedTce(P1, V(P1, 0), RW));
        }
        else
            AssertResult(expected, S.Unmap(P1, c, iova, size), $"iova 0x{iova:x}, size 0x{size:x}");
    }

    [Fact, Spec("UNMAP-1", "UNMAP-8", "TBL-7", "INV-3")]
    public void Unmap_ClearsInUseEntries_PutsTheirPages_DirtiesWhatCouldBeWritten_SkipsTheRest()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), Iova(2), K4));
        AssertResult(0, S.Map(P1, c, R, V(P1, 1), Iova(3), K4));
        AssertResult(0, S.Map(P1, c, W, V(P1, 2), Iova(5), K4));
        AssertResult(0, S.Map(P1, c, R, V(P1, 3), Iova(8), K4));
        AssertResult(0, S.Unmap(P1, c, 0, 8 * K4), "UNMAP entries 0..7");
        var o = Obs();
        for (long e = 0; e < 8; e++) Assert.Equal(0UL, o.Tce(1, e));
        Assert.Equal(ExpectedTce(P1, V(P1, 3), R), o.Tce(1, 8));
        Assert.Equal(Base(F(P1, 0)), o.PageRef(F(P1, 0)));
        Assert.Equal(Base(F(P1, 1)), o.PageRef(F(P1, 1)));
        Assert.Equal(Base(F(P1, 2)), o.PageRef(F(P1, 2)));
        Assert.Equal(Base(F(P1, 3)) + 1, o.PageRef(F(P1, 3)));
        Assert.True(o.PageDirty(F(P1, 0)));      // READ|WRITE
        Assert.False(o.PageDirty(F(P1, 1)));     // READ only
        Assert.True(o.PageDirty(F(P1, 2)));      // WRITE
        Assert.False(o.PageDirty(F(P1, 3)));
        Assert.False(o.Table(1).FlushPending);
    }

    [Fact, Spec("UNMAP-8", "INV-3")]
    public void Unmap_PartOfAMapping_LeavesTheRestAndAgainIsANoOp()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, R, V(P1, 0), Iova(10), 4 * K4));
        AssertResult(0, S.Unmap(P1, c, Iova(11), 2 * K4));
        S.CapturePreCall = true;
        AssertResult(0, S.Unmap(P1, c, Iova(11), 2 * K4), "UNMAP again");
        Assert.Equal(S.PreCall, Snap());
        var o = Obs();
        Assert.Equal(ExpectedTce(P1, V(P1, 0), R), o.Tce(1, 10));
        Assert.Equal(0UL, o.Tce(1, 11));
        Assert.Equal(0UL, o.Tce(1, 12));
        Assert.Equal(ExpectedTce(P1, V(P1, 0) + 3 * K4, R), o.Tce(1, 13));
        AssertInvariants();
    }

    [Fact, Spec("UNMAP-9", "TBL-8", "ABI-8")]
    public void Unmap_FlushesAndWritesNothingBack()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        ulong at = S.Scratch(P1) + 0x80;
        var arg = Abi.DmaUnmap(0x30, 0, 0, K4);
        AssertResult(0, S.IoctlWith(P1, c, Ioctls.UnmapDma, arg, at));
        Assert.Equal(arg, S.Peek(P1, at, 24));
        Assert.False(Obs().Table(1).FlushPending);
        AssertTce(1, 0, 0);
    }

    [Fact, Spec("UNMAP-8", "UNMAP-9", "DIS-2")]
    public void Unmap_AfterDisable_HasNothingLeftToClear()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        AssertResult(0, S.Disable(P1, c));
        S.CapturePreCall = true;
        AssertResult(0, S.Unmap(P1, c, 0, K4), "UNMAP on a disabled container");
        Assert.Equal(S.PreCall, Snap());
        AssertRef(F(P1, 0), Base(F(P1, 0)));
    }
}
