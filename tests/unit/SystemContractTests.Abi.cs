using TceVerify.Harness.Invariants;
using TceVerify.Harness.Programs;
using System.Buffers.Binary;
using TceVerify.Contract;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

// spec/abi.md: results, ioctl numbers, user-memory access, layouts, the argsz rule.
public abstract partial class SystemContractTests
{
    /// <summary>One past the last mapped byte of pid's boot layout: vpage 0x18 is unmapped.</summary>
    protected ulong End(int pid) => V(pid, 7) + PS;

    /// <summary>Issues one of the four struct ioctls ("status", "info", "map", "unmap") with valid fields.</summary>
    long StructCall(string which, int c, int g, uint argsz, ulong? at = null) => which switch
    {
        "status" => S.GetStatus(P1, g, argsz, at),
        "info" => S.GetInfo(P1, c, argsz, at),
        "map" => S.Map(P1, c, RW, V(P1, 0), 0, K4, argsz, at),
        "unmap" => S.Unmap(P1, c, 0, K4, 0, argsz, at),
        _ => throw new ArgumentException(which),
    };

    static int Minsz(string which) => which switch
    {
        "status" => Abi.GroupStatusMinsz,
        "info" => Abi.TceInfoMinsz,
        "map" => Abi.DmaMapMinsz,
        _ => Abi.DmaUnmapMinsz,
    };

    static uint CmdOf(string which) => which switch
    {
        "status" => Ioctls.GroupGetStatus,
        "info" => Ioctls.SpaprTceGetInfo,
        "map" => Ioctls.MapDma,
        _ => Ioctls.UnmapDma,
    };

    [Fact, Spec("ABI-2")]
    public void Results_AreTheNegatedLinuxErrnoNumbers()
    {
        Assert.Equal(-2, S.OpenGroup(P1, 99));                       // ENOENT
        Assert.Equal(-3, S.OpenContainer(99));                        // ESRCH
        Assert.Equal(-9, S.Close(P1, 3));                             // EBADF
        Assert.Equal(-14, Sys.PokeUser(P1, 0, new byte[1]));          // EFAULT
        Assert.Equal(-22, Sys.MapUserPage(P1, 0x40, 24, true));       // EINVAL
        Assert.Equal(-28, Sys.HostAlloc(1, 64));                      // ENOSPC: bit 0 is reserved
        int c0 = (int)S.OpenContainer(P2);
        Assert.Equal(-22, S.Enable(P2, c0));                          // EINVAL: no driver (CORE-6)
        var (c, g) = S.Setup(P1, 1);
        Assert.Equal(-16, S.OpenGroup(P2, 1));                        // EBUSY
        Assert.Equal(-1, S.Map(P1, c, RW, V(P1, 0), 0, K4));          // EPERM: not enabled
        Assert.Equal(-25, S.Ioctl(P1, g, Ioctls.Enable, 0));          // ENOTTY
        Assert.Equal(-19, S.GetDeviceFd(P1, g, "nosuch"));            // ENODEV
        int c2 = (int)S.PassFd(P1, c, P2);
        Assert.Equal(-12, S.Enable(P2, c2));                          // ENOMEM: pid 2 may lock nothing
        AssertResult(0, S.Enable(P1, c));
        AssertResult(0, Sys.InjectTceWriteFailure(1, 1));
        Assert.Equal(-5, S.Map(P1, c, RW, V(P1, 0), 0, K4));          // EIO
    }

    [Fact, Spec("ABI-3", "CORE-2", "CORE-21", "DRV-1")]
    public void Ioctl_KnownNumbers_UseThePowerpcIoEncoding()
    {
        Assert.Equal(0x20003B64u, Ioctls.GetApiVersion);
        Assert.Equal(0x20003B74u, Ioctls.Disable);
        var (c, g) = S.Setup(P1, 1);
        ulong at = S.Scratch(P1);
        AssertResult(0, S.Ioctl(P1, c, 0x20003B64u, 0), "GET_API_VERSION");
        AssertResult(1, S.Ioctl(P1, c, 0x20003B65u, 2), "CHECK_EXTENSION");
        S.Poke(P1, at, Abi.GroupStatus(8));
        AssertResult(0, S.Ioctl(P1, g, 0x20003B67u, at), "GROUP_GET_STATUS");
        Assert.Equal(Abi.GroupFlagViable | Abi.GroupFlagContainerSet, BinaryPrimitives.ReadUInt32LittleEndian(S.Peek(P1, at + 4, 4)));
        S.Poke(P1, at, Abi.TceInfo(16));
        AssertResult(0, S.Ioctl(P1, c, 0x20003B70u, at), "SPAPR_TCE_GET_INFO");
        AssertResult(0, S.Ioctl(P1, c, 0x20003B73u, 0), "ENABLE");
        Assert.True(Obs().Container(1).Enabled);
        S.Poke(P1, at, Abi.DmaMap(32, RW, V(P1, 0), 0, K4));
        AssertResult(0, S.Ioctl(P1, c, 0x20003B71u, at), "MAP_DMA");
        AssertTce(1, 0, ExpectedTce(P1, V(P1, 0), RW));
        S.Poke(P1, at, Abi.DmaUnmap(24, 0, 0, K4));
        AssertResult(0, S.Ioctl(P1, c, 0x20003B72u, at), "UNMAP_DMA");
        AssertTce(1, 0, 0);
        AssertResult(0, S.Ioctl(P1, c, 0x20003B74u, 0), "DISABLE");
        Assert.False(Obs().Container(1).Enabled);
        AssertResult(0, S.Ioctl(P1, g, 0x20003B69u, 0), "GROUP_UNSET_CONTAINER");
        Assert.Null(Obs().Group(1).Container);
    }

    [Theory, Spec("ABI-3", "CORE-6", "DRV-1", "CORE-21", "CORE-31")]
    [InlineData(0x20003B6Bu)] // n = 7
    [InlineData(0x20003B6Fu)] // n = 11
    [InlineData(0x20003B75u)] // n = 17
    [InlineData(0x00003B64u)] // the x86 _IO encoding of GET_API_VERSION
    [InlineData(0x40003B64u)] // another direction field
    [InlineData(0x20003C64u)] // another type
    [InlineData(0u)]
    [InlineData(0xFFFFFFFFu)]
    public void Ioctl_UnknownNumber_IsRejectedAsTheFileKindSays(uint cmd)
    {
        int bare = (int)S.OpenContainer(P1);
        var (c, g) = S.Setup(P1, 1);
        int d = (int)S.GetDeviceFd(P1, g, Dev1);
        AssertFailsAtomically(Errno.EINVAL, () => S.Ioctl(P1, bare, cmd, S.Scratch(P1)), what: "container without driver (CORE-6)");
        AssertFailsAtomically(Errno.ENOTTY, () => S.Ioctl(P1, c, cmd, S.Scratch(P1)), what: "container with driver (DRV-1)");
        AssertFailsAtomically(Errno.ENOTTY, () => S.Ioctl(P1, g, cmd, S.Scratch(P1)), what: "group (CORE-21)");
        AssertFailsAtomically(Errno.ENOTTY, () => S.Ioctl(P1, d, cmd, S.Scratch(P1)), what: "device (CORE-31)");
    }

    [Fact, Spec("ABI-4", "CORE-2")]
    public void GetApiVersion_IgnoresItsArg()
    {
        int bare = (int)S.OpenContainer(P1);
        var (c, _) = S.Setup(P1, 1);
        foreach (ulong arg in new[] { 0UL, 1UL, S.Scratch(P1), ulong.MaxValue })
        {
            AssertResult(Abi.ApiVersion, S.GetApiVersion(P1, bare, arg));
            AssertResult(Abi.ApiVersion, S.GetApiVersion(P1, c, arg));
        }
    }

    [Fact, Spec("ABI-4", "EN-1", "DIS-1")]
    public void EnableAndDisable_IgnoreTheirArg()
    {
        var (c, _) = S.Setup(P1, 1);
        AssertResult(0, S.Enable(P1, c, ulong.MaxValue), "ENABLE");
        Assert.True(Obs().Container(1).Enabled);
        AssertResult(0, S.Disable(P1, c, 0xdead_beefUL), "DISABLE");
        Assert.False(Obs().Container(1).Enabled);
    }

    [Fact, Spec("ABI-4", "CORE-24")]
    public void UnsetContainer_IgnoresItsArg()
    {
        var (_, g) = S.Setup(P1, 1);
        AssertResult(0, S.UnsetContainer(P1, g, End(P1)), "UNSET with an unmapped arg");
        Assert.Null(Obs().Group(1).Container);
    }

    [Fact, Spec("ABI-4", "CORE-3", "CORE-4")]
    public void CheckExtensionAndSetIommu_TakeAValueNotAnAddress()
    {
        int c = (int)S.OpenContainer(P1);
        int g = (int)S.OpenGroup(P1, 1);
        AssertResult(0, S.SetContainer(P1, g, c));
        ulong at = S.Scratch(P1);
        var two = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(two, Abi.SpaprTceIommu);
        S.Poke(P1, at, two);
        AssertResult(0, S.CheckExtension(P1, c, at), "CHECK_EXTENSION(&2)");
        AssertFailsAtomically(Errno.ENODEV, () => S.SetIommu(P1, c, at), what: "SET_IOMMU(&2)");
    }

    [Theory, Spec("ABI-5", "MAP-4", "UNMAP-3", "INFO-1", "CORE-22")]
    [InlineData("status")]
    [InlineData("info")]
    [InlineData("map")]
    [InlineData("unmap")]
    public void Read_StructStraddlingIntoAnUnmappedPage_EfaultAndNothingChanges(string which)
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        ulong at = End(P1) - (ulong)Minsz(which) / 2; // the first half is mapped, the second is not
        AssertFailsAtomically(Errno.EFAULT, () => StructCall(which, c, g, (uint)Minsz(which), at), ArgAllowance.For(CmdOf(which)), which);
    }

    [Fact, Spec("ABI-5", "PROC-7")]
    public void Read_RangeWrappingPast2Pow64_EfaultEvenWithBothEndsMapped()
    {
        ulong lastVpage = ulong.MaxValue >> PageShift;
        AssertResult(0, Sys.MapUserPage(P1, lastVpage, 20, true), "mmap the last page");
        AssertResult(0, Sys.MapUserPage(P1, 0, 21, true), "mmap page 0");
        var (c, g) = S.SetupEnabled(P1, 1);
        ulong at = ulong.MaxValue - 15; // 16 bytes up to 2^64 - 1
        AssertResult(0, S.GetInfo(P1, c, 16, at), "GET_INFO fits below 2^64");
        AssertFailsAtomically(Errno.EFAULT, () => S.Map(P1, c, RW, V(P1, 0), 0, K4, 32, at), ArgAllowance.For(Ioctls.MapDma), "MAP wraps");
        AssertFailsAtomically(Errno.EFAULT, () => S.Unmap(P1, c, 0, K4, 0, 24, at), what: "UNMAP wraps");
        AssertFailsAtomically(Errno.EFAULT, () => S.GetStatus(P1, g, 8, ulong.MaxValue - 3), ArgAllowance.For(Ioctls.SpaprTceGetInfo), "GET_STATUS wraps");
        AssertFailsAtomically(Errno.EFAULT, () => S.SetContainer(P1, g, c, ulong.MaxValue - 1), what: "SET_CONTAINER wraps");
    }

    [Fact, Spec("ABI-5", "MAP-4", "UNMAP-3", "ABI-9", "ABI-10")]
    public void Read_FromAReadOnlyPage_Succeeds()
    {
        ulong ro = V(P1, RoIndex);
        int c = (int)S.OpenContainer(P1);
        int g = (int)S.OpenGroup(P1, 1);
        AssertResult(0, S.SetContainer(P1, g, c, ro), "SET_CONTAINER reads its int from a read-only page");
        AssertResult(0, S.SetIommu(P1, c));
        AssertResult(0, S.Enable(P1, c));
        AssertResult(0, S.Map(P1, c, R, V(P1, 0), 0, K4, at: ro), "MAP reads its struct from a read-only page");
        AssertTce(1, 0, ExpectedTce(P1, V(P1, 0), R));
        AssertResult(0, S.Unmap(P1, c, 0, K4, at: ro), "UNMAP reads its struct from a read-only page");
        AssertTce(1, 0, 0);
        AssertResult(5, S.GetDeviceFd(P1, g, Dev1, ro), "GET_DEVICE_FD reads its name from a read-only page");
    }

    [Fact, Spec("ABI-6", "INFO-1", "INV-5")]
    public void Write_OfGetInfoStopsAtTheFirstReadOnlyByte_EarlierBytesStayWritten_Efault()
    {
        var (c, _) = S.Setup(P1, 2);                   // window start 0x800000: LE bytes 00 00 80 00
        ulong at = V(P1, RoIndex) - 11;                 // 11 bytes in the writable page 0x15, 5 in read-only 0x16
        var garbage = Enumerable.Repeat((byte)0xEE, 32).ToArray();
        AssertResult(0, Sys.PokeUser(P1, at - 8, garbage), "poke garbage (protection ignored)");
        var arg = Enumerable.Repeat((byte)0xEE, 16).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(arg, 16);
        S.CapturePreCall = true;
        long r = S.IoctlWith(P1, c, Ioctls.SpaprTceGetInfo, arg, at);
        var before = S.PreCall!;
        S.CapturePreCall = false;
        AssertErr(Errno.EFAULT, r, "GET_INFO");
        var bytes = S.Peek(P1, at, 16);
        Assert.Equal(new byte[] { 16, 0, 0, 0, /* flags */ 0, 0, 0, 0, /* start */ 0x00, 0x00, 0x80, /* stop */ 0xEE, 0xEE, 0xEE, 0xEE, 0xEE }, bytes);
        var after = Snap();
        Assert.Equal("", string.Join("\n", FailureAtomicity.Check(before, after, ArgAllowance.For(Ioctls.SpaprTceGetInfo))));
        var changed = before.Lines.Except(after.Lines).Concat(after.Lines.Except(before.Lines)).ToList();
        Assert.All(changed, l => Assert.StartsWith($"mem {F(P1, 5):x6}:", l));
    }

    [Fact, Spec("ABI-6", "CORE-22", "INV-5")]
    public void Write_OfGetStatusStopsAtTheFirstReadOnlyByte_EarlierBytesStayWritten_Efault()
    {
        int g = (int)S.OpenGroup(P1, 1);
        ulong at = V(P1, RoIndex) - 6;                  // argsz and 2 bytes of flags writable, 2 bytes read-only
        var arg = new byte[] { 8, 0, 0, 0, 0xEE, 0xEE, 0xEE, 0xEE };
        AssertErr(Errno.EFAULT, S.IoctlWith(P1, g, Ioctls.GroupGetStatus, arg, at), "GET_STATUS");
        Assert.Equal(new byte[] { 8, 0, 0, 0, 0x01, 0x00, 0xEE, 0xEE }, S.Peek(P1, at, 8)); // flags = VIABLE
    }

    [Fact, Spec("ABI-6", "CORE-22", "INFO-1", "INV-5")]
    public void Write_IntoAWhollyReadOnlyStruct_EfaultAndNothingWritten()
    {
        var (c, g) = S.Setup(P1, 1);
        ulong ro = V(P1, RoIndex) + 0x40;
        AssertFailsAtomically(Errno.EFAULT, () => S.GetStatus(P1, g, 8, ro), FailureAllowance.None, "GET_STATUS");
        AssertFailsAtomically(Errno.EFAULT, () => S.GetInfo(P1, c, 16, ro), FailureAllowance.None, "GET_INFO");
    }

    [Theory, Spec("ABI-7", "MAP-8", "TBL-6")]
    [InlineData(1u)]
    [InlineData(2u)]
    [InlineData(3u)]
    public void MapFlags_ReadAndWrite_BecomeTheTcePermissionBits(uint flags)
    {
        var (c, _) = S.SetupEnabled(P1, 1);
        AssertResult(0, S.Map(P1, c, flags, V(P1, 2), Iova(9), K4));
        ulong expected = ((ulong)F(P1, 2) << PageShift) | (flags & 1) * Abi.TcePciRead | (flags >> 1) * Abi.TcePciWrite;
        AssertTce(1, 9, expected);
    }

    [Fact, Spec("ABI-7", "MAP-8", "UNMAP-7")]
    public void Iova_IsAnAbsoluteBusAddress_TheWindowFiltersItWithoutOffsetting()
    {
        var (c, _) = S.SetupEnabled(P1, 2);           // window [0x800, 0x820)
        AssertFailsAtomically(Errno.EINVAL, () => S.Map(P1, c, RW, V(P1, 0), 0, K4), ArgAllowance.For(Ioctls.MapDma), "MAP iova 0");
        AssertFailsAtomically(Errno.EINVAL, () => S.Map(P1, c, RW, V(P1, 0), Iova(0x1f), K4), ArgAllowance.For(Ioctls.MapDma), "MAP iova 0x1f000");
        AssertResult(0, S.Map(P1, c, RW, V(P1, 0), 0x800000, K4), "MAP iova 0x800000");
        AssertTce(2, 0x800, ExpectedTce(P1, V(P1, 0), RW));
        AssertFailsAtomically(Errno.EINVAL, () => S.Unmap(P1, c, 0, K4), what: "UNMAP iova 0");
        AssertResult(0, S.Unmap(P1, c, 0x800000, K4), "UNMAP iova 0x800000");
        AssertTce(2, 0x800, 0);
    }

    [Theory, Spec("ABI-8", "CORE-22", "INFO-1", "MAP-5", "UNMAP-4")]
    [InlineData("status", 0u)]
    [InlineData("status", 7u)]
    [InlineData("info", 0u)]
    [InlineData("info", 15u)]
    [InlineData("map", 0u)]
    [InlineData("map", 31u)]
    [InlineData("unmap", 0u)]
    [InlineData("unmap", 23u)]
    public void StructIoctl_ArgszBelowMinsz_Einval(string which, uint argsz)
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertFailsAtomically(Errno.EINVAL, () => StructCall(which, c, g, argsz), ArgAllowance.For(CmdOf(which)), which);
    }

    [Theory, Spec("ABI-8", "CORE-22", "INFO-1", "MAP-5", "UNMAP-4")]
    [InlineData("status", 8u)]
    [InlineData("status", 9u)]
    [InlineData("info", 16u)]
    [InlineData("info", 17u)]
    [InlineData("map", 32u)]
    [InlineData("map", 33u)]
    [InlineData("unmap", 24u)]
    [InlineData("unmap", 25u)]
    [InlineData("map", 0xFFFFFFFFu)]
    [InlineData("info", 0xFFFFFFFFu)]
    public void StructIoctl_ArgszAtLeastMinsz_IsAccepted(string which, uint argsz)
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        AssertResult(0, StructCall(which, c, g, argsz), which);
    }

    [Theory, Spec("ABI-8", "ABI-5")]
    [InlineData("status")]
    [InlineData("info")]
    [InlineData("map")]
    [InlineData("unmap")]
    public void StructIoctl_FaultingReadWithArgszZero_EfaultBeforeTheArgszCheck(string which)
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        ulong at = End(P1) - 4;                       // argsz (0) mapped, the rest not
        AssertFailsAtomically(Errno.EFAULT, () => StructCall(which, c, g, 0, at), ArgAllowance.For(CmdOf(which)), which);
    }

    [Theory, Spec("ABI-8")]
    [InlineData("status")]
    [InlineData("info")]
    [InlineData("map")]
    [InlineData("unmap")]
    public void StructIoctl_LargeArgszWithMinszBytesAtThePageEnd_BytesPastMinszAreNeverRead(string which)
    {
        var (c, g) = S.SetupEnabled(P1, 1);
        ulong at = End(P1) - (ulong)Minsz(which);     // bytes past minsz lie in the unmapped page
        AssertResult(0, StructCall(which, c, g, 4096, at), which);
    }

    [Fact, Spec("ABI-8", "INFO-1", "CORE-22")]
    public void WriteBack_WritesExactlyMinszBytesWithArgszAsRead()
    {
        var (c, g) = S.Setup(P1, 2);
        ulong at = S.Scratch(P1);
        var arg = Enumerable.Repeat((byte)0xEE, 48).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(arg, 40);
        AssertResult(0, S.IoctlWith(P1, c, Ioctls.SpaprTceGetInfo, arg, at), "GET_INFO");
        var b = S.Peek(P1, at, 48);
        Assert.Equal(40u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(0)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4)));
        Assert.Equal(0x800000u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8)));
        Assert.Equal(0x20000u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(12)));
        Assert.All(b.Skip(16), x => Assert.Equal(0xEE, x));

        var st = Enumerable.Repeat((byte)0xEE, 16).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(st, 9);
        AssertResult(0, S.IoctlWith(P1, g, Ioctls.GroupGetStatus, st, at), "GET_STATUS");
        var s = S.Peek(P1, at, 16);
        Assert.Equal(9u, BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(0)));
        Assert.Equal(Abi.GroupFlagViable | Abi.GroupFlagContainerSet, BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(4)));
        Assert.All(s.Skip(8), x => Assert.Equal(0xEE, x));
    }

    [Fact, Spec("ABI-9", "CORE-23")]
    public void SetContainer_ReadsExactlyFourBytes()
    {
        int c = (int)S.OpenContainer(P1);
        int g = (int)S.OpenGroup(P1, 1);
        AssertFailsAtomically(Errno.EFAULT, () => S.SetContainer(P1, g, c, End(P1) - 2), what: "int straddling the unmapped page");
        AssertResult(0, S.SetContainer(P1, g, c, End(P1) - 4), "int in the last 4 mapped bytes");
        Assert.Equal(1, Obs().Group(1).Container);
    }

    [Fact, Spec("ABI-10", "CORE-27")]
    public void GetDeviceFd_NameIsReadUpToItsNulWithinOnePage()
    {
        var (_, g) = S.Setup(P1, 1);
        // a name ending exactly at the last mapped byte is read
        ulong exact = End(P1) - (ulong)(Dev1.Length + 1);
        AssertResult(5, S.GetDeviceFd(P1, g, Dev1, exact), "name ending at the page end");
        // an unmapped byte before the NUL faults
        AssertFailsAtomically(Errno.EFAULT, () => S.GetDeviceFd(P1, g, "ab", End(P1) - 2), what: "name running into an unmapped page");
        // no NUL among the first page-size bytes: EINVAL (the byte after them, in the next page, is a NUL)
        var noNul = Enumerable.Repeat((byte)'x', (int)PS).ToArray();
        AssertResult(0, Sys.PokeUser(P1, V(P1, 0), noNul));
        AssertResult(0, Sys.PokeUser(P1, V(P1, 1), new byte[1]));
        AssertFailsAtomically(Errno.EINVAL, () => S.Ioctl(P1, g, Ioctls.GroupGetDeviceFd, V(P1, 0)), what: "no NUL within a page");
        // the NUL as the page-size-th byte is still read: the name is valid, the device unknown
        AssertResult(0, Sys.PokeUser(P1, V(P1, 0) + PS - 1, new byte[1]));
        AssertFailsAtomically(Errno.ENODEV, () => S.Ioctl(P1, g, Ioctls.GroupGetDeviceFd, V(P1, 0)), what: "NUL at index page-size - 1");
    }
}
