using TceVerify.Contract;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Platform;
using TceVerify.Impl.Spapr;
using TceVerify.Impl.Sync;
using TceVerify.Impl.Vfio;
using TceVerify.Impl;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

/// <summary>The driver on its own (driver.md): the paths no call through the core reaches, because the core only ever
/// hands it data with a table, asks it only for the type it supports, and never calls it with no mm.</summary>
public sealed class SpaprTceDriverTests
{
    static (SpaprTceDriver Driver, VfioGroup Group, VfioGroup Other, PhysicalMemory Mem) Make()
    {
        var config = PlatformConfig.Small();
        var mem = new PhysicalMemory(config.PhysicalPages, 12);
        var ctx = new KernelContext(config, RealSync.Instance, mem);
        var g1 = new VfioGroup(config.Groups[0], new IommuTable(config.Groups[0], ctx), RealSync.Instance);
        var g2 = new VfioGroup(config.Groups[1], new IommuTable(config.Groups[1], ctx), RealSync.Instance);
        return (new SpaprTceDriver(ctx), g1, g2, mem);
    }

    [Fact]
    [Spec("OPEN-1", "EXT-1")]
    public void Open_accepts_only_the_spapr_type()
    {
        var (d, _, _, _) = Make();
        Assert.Equal(-Errno.EINVAL, d.Open(Abi.Type1Iommu, 1, out var data));
        Assert.Null(data);
        Assert.Equal(0, d.Open(Abi.SpaprTceIommu, 1, out data));
        Assert.NotNull(data);
        Assert.Null(data!.Tbl);
        Assert.False(data.Enabled);
        Assert.Equal(1, d.CheckExtension(Abi.SpaprTceIommu));
        Assert.Equal(0, d.CheckExtension(Abi.Type1Iommu));
    }

    [Fact]
    [Spec("INFO-1", "MAP-2", "UNMAP-2", "EN-2", "DIS-1", "DRV-1")]
    public void Without_a_table_every_table_ioctl_is_enxio()
    {
        var (d, _, _, mem) = Make();
        d.Open(Abi.SpaprTceIommu, 1, out var data);
        var p = IommuTableTests.Proc(mem);
        var cur = new Current(p, p.Mm);
        Assert.Equal(-Errno.ENXIO, d.Ioctl(data!, cur, Ioctls.SpaprTceGetInfo, 0x10000));
        Assert.Equal(-Errno.ENXIO, d.Ioctl(data!, cur, Ioctls.MapDma, 0x10000));
        Assert.Equal(-Errno.ENXIO, d.Ioctl(data!, cur, Ioctls.UnmapDma, 0x10000));
        Assert.Equal(-Errno.ENXIO, d.Ioctl(data!, cur, Ioctls.Enable, 0));
        Assert.Equal(0, d.Ioctl(data!, cur, Ioctls.Disable, 0));
        Assert.Equal(1, d.Ioctl(data!, cur, Ioctls.CheckExtension, Abi.SpaprTceIommu));
        Assert.Equal(-Errno.ENOTTY, d.Ioctl(data!, cur, Ioctls.GetApiVersion, 0));
    }

    [Fact]
    [Spec("EN-3", "ATT-1", "DET-1", "REL-1")]
    public void Attach_enable_detach_on_their_own()
    {
        var (d, g1, g2, mem) = Make();
        d.Open(Abi.SpaprTceIommu, 1, out var data);
        var p = IommuTableTests.Proc(mem);
        Assert.Equal(0, d.AttachGroup(data!, g1));
        Assert.Equal(-Errno.EBUSY, d.AttachGroup(data!, g2));               // ATT-1: one group per container
        Assert.Equal(-Errno.ESRCH, d.Ioctl(data!, new Current(p, null), Ioctls.Enable, 0)); // EN-3: no mm
        Assert.False(data!.Enabled);
        d.DetachGroup(data, g2, new Current(p, p.Mm));                     // DET-1: not this container's table
        Assert.Same(g1.Table, data.Tbl);
        Assert.Equal(1, g1.Table.OwnerForDump);
        Assert.Equal(0, d.Ioctl(data, new Current(p, p.Mm), Ioctls.Enable, 0));
        Assert.Equal(64, p.Mm.LockedVm);
        d.Release(data, new Current(p, p.Mm));                             // REL-1: disable, then detach
        Assert.False(data.Enabled);
        Assert.Null(data.Tbl);
        Assert.Equal(0, p.Mm.LockedVm);
        Assert.Equal(0, g1.Table.OwnerForDump);
        // ATT-1's second check: an enabled container (with no table, which only a broken caller could make) is busy.
        d.Open(Abi.SpaprTceIommu, 2, out var data2);
        data2!.Enabled = true;
        Assert.Equal(-Errno.EBUSY, d.AttachGroup(data2, g2));
        Assert.Equal(0, g2.Table.OwnerForDump);
    }
}
