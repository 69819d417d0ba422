using TceVerify.Harness.Invariants;
using TceVerify.Harness.Programs;
using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/driver.md: INFO-1, the ioctl dispatch DRV-1, EXT-1 and OPEN-1.
public abstract partial class SystemContractTests
{
    [Theory, Spec("INFO-1", "ABI-7")]
    [InlineData(1, 0x0u, 0x40000u)]            // [0, 64) entries
    [InlineData(2, 0x800000u, 0x20000u)]       // [0x800, 0x820) entries
    public void GetInfo_ReportsTheWindowInBytesAsAnAbsoluteBusAddress(int group, uint start, uint size)
    {
        var (c, _) = S.Setup(P1, group);
        var info = S.GetInfoRead(P1, c);
        AssertResult(0, info.Result, "GET_INFO");
        Assert.Equal(16u, info.Argsz);
        Assert.Equal(0u, info.Flags);
        Assert.Equal(start, info.Start);
        Assert.Equal(size, info.Size);
    }

    [Fact, Spec("INFO-1", "ABI-8")]
    public void GetInfo_WritesFlagsZeroAndArgszAsRead()
    {
        var (c, _) = S.Setup(P1, 1);
        ulong at = S.Scratch(P1);
        var arg = Enumerable.Repeat((byte)0xFF, 16).ToArray();
        arg[0] = 100; arg[1] = 0; arg[2] = 0; arg[3] = 0;
        AssertResult(0, S.IoctlWith(P1, c, Ioctls.SpaprTceGetInfo, arg, at));
        Assert.Equal(new byte[] { 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x04, 0x00 }, S.Peek(P1, at, 16));
    }

    [Fact, Spec("INFO-1", "LOCK-6")]
    public void GetInfo_NeedsNoEnable_AndWorksForAnyProcessHoldingTheFd()
    {
        var (c, _) = S.Setup(P1, 2);
        AssertResult(0, S.GetInfoRead(P1, c).Result, "not enabled: tbl is set, so not ENXIO");
        int c2 = (int)S.PassFd(P1, c, P2);
        var info = S.GetInfoRead(P2, c2);
        AssertResult(0, info.Result, "GET_INFO by pid 2");
        Assert.Equal(0x800000u, info.Start);
        AssertResult(0, S.Enable(P1, c));
        AssertResult(0, S.GetInfoRead(P2, c2).Result, "enabled");
    }

    [Fact, Spec("INFO-1", "ABI-5", "ABI-6", "ABI-8")]
    public void GetInfo_Errors_EfaultOnReadThenEinvalOnArgszThenEfaultOnWrite()
    {
        var (c, _) = S.Setup(P1, 1);
        AssertFailsAtomically(Errno.EFAULT, () => S.GetInfo(P1, c, 0, End(P1) - 8), FailureAllowance.None, "read faults, argsz 0");
        AssertFailsAtomically(Errno.EINVAL, () => S.GetInfo(P1, c, 15), FailureAllowance.None, "argsz 15");
        AssertFailsAtomically(Errno.EINVAL, () => S.GetInfo(P1, c, 15, V(P1, RoIndex)), FailureAllowance.None, "argsz 15 in a read-only page");
        AssertFailsAtomically(Errno.EFAULT, () => S.GetInfo(P1, c, 16, V(P1, RoIndex)), FailureAllowance.None, "write faults");
    }

    [Fact, Spec("DRV-1", "CORE-4", "CORE-2")]
    public void ContainerWithADriver_DispatchesOnlyDriverCommands()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        ulong at = S.Scratch(P1);
        AssertResult(0, S.GetApiVersion(P1, c), "GET_API_VERSION is the core's");
        AssertFailsAtomically(Errno.EINVAL, () => S.SetIommu(P1, c), what: "SET_IOMMU is the core's: driver already set");
        foreach (var cmd in new[] { Ioctls.GroupGetStatus, Ioctls.GroupSetContainer, Ioctls.GroupUnsetContainer, Ioctls.GroupGetDeviceFd })
        {
            S.Poke(P1, at, Abi.Int32(c));
            AssertFailsAtomically(Errno.ENOTTY, () => S.Ioctl(P1, c, cmd, at), what: Ioctls.Name(cmd));
        }
        Assert.Equal(1, Obs().Group(1).Users);
        _ = g;
    }

    [Fact, Spec("EXT-1", "DRV-1")]
    public void CheckExtension_ThroughTheDriver_TouchesNoData()
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0, K4));
        S.CapturePreCall = true;
        AssertResult(1, S.CheckExtension(P1, c, 2));
        AssertResult(0, S.CheckExtension(P1, c, 1));
        Assert.Equal(S.PreCall, Snap());
    }

    [Fact, Spec("OPEN-1", "CORE-4")]
    public void SetIommu_OpensFreshDriverData_EvenAfterAnEarlierDriverWasReleased()
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.UnsetContainer(P1, g));
        AssertResult(0, S.SetContainer(P1, g, c));
        AssertResult(0, S.SetIommu(P1, c));
        var ct = Obs().Container(1);
        Assert.True(ct.DriverSet);
        Assert.Equal(1, ct.Tbl);
        Assert.False(ct.Enabled);                            // fresh data: not enabled, no payer
        Assert.Null(ct.Payer);
        Assert.Equal(0, Obs().LockedVm(P1));
    }
}
