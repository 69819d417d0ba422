using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/driver.md: ATT-1, DET-1, REL-1 in sequences (the single-step checks are with CORE-4, CORE-23, CORE-25).
public abstract partial class SystemContractTests
{
    [Fact, Spec("ATT-1", "DET-1", "INV-6", "INV-7")]
    public void Attach_AGroupMovedToAnotherContainer_TheTableFollowsCleanly()
    {
        var (c1, g) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c1, RW, V(P1, 0), Iova(4), K4));
        AssertResult(0, S.UnsetContainer(P1, g));
        int c2 = (int)S.OpenContainer(P1);
        AssertResult(0, S.SetContainer(P1, g, c2));
        AssertResult(0, S.SetIommu(P1, c2));
        var o = Obs();
        Assert.Equal(2, o.Table(1).Owner);
        Assert.Equal("0-3f", o.Table(1).ItMap);
        Assert.Empty(o.TcesOf(1));                            // INV-6: nothing of container 1 is left
        Assert.False(o.Container(1).DriverSet);
        Assert.Equal(1, o.Container(2).Tbl);                 // tbl names the group whose table it is
        AssertResult(0, S.Enable(P1, c2));
        AssertResult(0, S.Map(P1, c2, RW, V(P1, 0), Iova(4), K4), "entry 4 is free for the new owner");
        AssertInvariants();
    }

    [Fact, Spec("ATT-1", "CORE-23")]
    public void Attach_OneGroupPerContainer_TheSecondGroupStaysOutEvenAfterDisable()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Disable(P1, c));
        int g2 = (int)S.OpenGroup(P1, 2);
        AssertFailsAtomically(Errno.EBUSY, () => S.SetContainer(P1, g2, c), what: "tbl is set");
        Assert.Null(Obs().Group(2).Container);
    }

    [Fact, Spec("DET-1", "DIS-2", "FIND-4", "INV-4")]
    public void Detach_ByAnotherProcessUnsettingThroughAPassedGroupFd_DisablesAndChargesThePayerBack()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 2), 0, K4));
        int g2 = (int)S.PassFd(P1, g, P2);
        AssertResult(0, S.UnsetContainer(P2, g2));
        var o = Obs();
        Assert.Equal(0, o.LockedVm(P1));
        Assert.Equal(0, o.LockedVm(P2));
        Assert.Equal(Base(F(P1, 2)), o.PageRef(F(P1, 2)));
        Assert.True(o.PageDirty(F(P1, 2)));
        Assert.Null(o.Table(1).Owner);
        AssertInvariants();
    }

    [Fact, Spec("DET-1", "REL-1", "INV-7")]
    public void TwoContainersOnTwoGroups_DetachingOneLeavesTheOtherUntouched()
    {
        var (c1, g1) = S.SetupEnabled(P1, 1);
        var (c2, _) = S.SetupEnabled(P1, 2);
        AssertResult(0, S.Map(P1, c1, RW, V(P1, 0), 0, K4));
        AssertResult(0, S.Map(P1, c2, RW, V(P1, 0), Iova(0x800), K4));
        Assert.Equal(96, Obs().LockedVm(P1));
        var table2 = Obs().TcesOf(2).ToDictionary(kv => kv.Key, kv => kv.Value);
        AssertResult(0, S.UnsetContainer(P1, g1));
        var o = Obs();
        Assert.Equal(32, o.LockedVm(P1));
        Assert.Equal(table2, o.TcesOf(2).ToDictionary(kv => kv.Key, kv => kv.Value));
        Assert.Equal(2, o.Table(2).Owner);
        Assert.True(o.Container(2).Enabled);
        Assert.Equal(Base(F(P1, 0)) + 1, o.PageRef(F(P1, 0)));   // the pin of table 2 stays
        Assert.True(o.PageDirty(F(P1, 0)));                      // the one of table 1 was put (WRITE)
        AssertInvariants();
    }

    [Fact, Spec("REL-1", "CORE-8", "CORE-26", "CORE-5")]
    public void Release_WhenEveryFileIsClosed_TheContainerIsFreedAndTheWorldIsAsAtBoot()
    {
        var boot = Snap();
        var (c, g) = S.SetupEnabled(P1, 2);
        int d = (int)S.GetDeviceFd(P1, g, Dev2b);
        AssertResult(0, S.Map(P1, c, R, V(P1, 3), Iova(0x810), 3 * K4));
        AssertResult(0, S.Close(P1, c));
        AssertResult(0, S.Close(P1, g));
        AssertResult(0, S.Close(P1, d));
        var o = Obs();
        Assert.Empty(o.Containers);
        // a READ-only mapping dirties nothing: apart from the argument bytes in the scratch page, the world is as at boot
        var scratchFrame = $"mem {FrameOf(P1, S.Scratch(P1)):x6}:";
        Assert.Equal(boot.Lines, Snap().Lines.Where(l => !l.StartsWith(scratchFrame, StringComparison.Ordinal)));
    }
}
