using FsCheck;
using TceVerify.Harness.Generation;
using TceVerify.TestKit;
using TceVerify.Tests.Properties.Infrastructure;

namespace TceVerify.Tests.Properties.Properties;

// Issue 11: rules that only the comparison with the model used to guard, each a targeted property now, judged from
// what the implementation shows after every command.

/// <summary>EN-5: a successful ENABLE never leaves the caller's locked_vm above its RLIMIT_MEMLOCK without CAP_IPC_LOCK
/// (the adversarial programs aim ENABLEs at the limit's edge).</summary>
public sealed class MemlockLimit : CampaignTest<MemlockLimit>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.MemlockLimit;

    [CampaignProperty<MemlockLimit>]
    [Spec("EN-5", "PROC-3", "INV-4")]
    public Property An_enable_never_charges_past_the_limit(ProgramCase c) => Holds(c);
}

/// <summary>TBL-7: a page whose WRITE mapping was cleared (UNMAP, DISABLE, release, exit) is dirty.</summary>
public sealed class DirtyOnClear : CampaignTest<DirtyOnClear>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.DirtyOnClear;

    [CampaignProperty<DirtyOnClear>]
    [Spec("TBL-7", "UNMAP-8", "DIS-2", "TBL-10")]
    public Property A_cleared_write_mapping_leaves_its_page_dirty(ProgramCase c) => Holds(c);
}

/// <summary>ABI-8, ABI-6: GET_INFO and GROUP_GET_STATUS write back exactly their minsz bytes, argsz as read; no other
/// call writes user memory (the adversarial programs stage larger structs whose tail must stay).</summary>
public sealed class WriteBack : CampaignTest<WriteBack>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.WriteBack;

    [CampaignProperty<WriteBack>]
    [Spec("ABI-8", "ABI-6", "INFO-1", "CORE-22")]
    public Property An_ioctl_writes_back_its_minsz_bytes_and_nothing_else(ProgramCase c) => Holds(c);
}
