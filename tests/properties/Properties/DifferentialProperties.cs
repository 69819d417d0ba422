using FsCheck;
using TceVerify.Harness.Generation;
using TceVerify.TestKit;
using TceVerify.Tests.Properties.Infrastructure;

namespace TceVerify.Tests.Properties.Properties;

/// <summary>
/// Property 1. After every command of a generated program, the model and the implementation agree on the result, on
/// every byte of user memory (snapshots hold memory, so write-backs and partial write-backs are compared), and on
/// the full observable state; the invariants hold on the implementation and its failed calls change only what
/// INV-5 allows. The first divergence is reported as a field-level diff of the snapshots.
/// </summary>
public sealed class DifferentialMixed : CampaignTest<DifferentialMixed>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.DifferentialMixed;

    [CampaignProperty<DifferentialMixed>]
    [Spec("INV-10", "STATE-10", "ABI-1", "ABI-2", "ABI-3", "ABI-4", "CORE-1", "CORE-2", "CORE-3", "CORE-4", "CORE-5", "CORE-6",
          "CORE-7", "CORE-8", "CORE-20", "CORE-21", "CORE-22", "CORE-23", "CORE-24", "CORE-25", "CORE-26", "CORE-27",
          "CORE-28", "CORE-30", "CORE-31", "OPEN-1", "REL-1", "ATT-1", "DET-1", "EXT-1", "DRV-1", "EN-1", "DIS-1", "DIS-2",
          "PROC-1", "PROC-2", "PROC-3", "PROC-4", "PROC-5", "PROC-6", "PROC-7", "STATE-3", "STATE-4", "STATE-6", "STATE-7", "STATE-9")]
    public Property Model_and_implementation_agree_on_mixed_programs(ProgramCase c) => Holds(c);
}

/// <summary>Property 1 on QEMU-shaped programs: set up, clear the whole window, then guest-chosen 4 KiB maps and unmaps.</summary>
public sealed class DifferentialQemu : CampaignTest<DifferentialQemu>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.DifferentialQemu;

    [CampaignProperty<DifferentialQemu>]
    [Spec("INV-10", "STATE-1", "STATE-2", "STATE-5", "INFO-1", "EN-5", "MAP-10", "MAP-13", "UNMAP-8", "UNMAP-9", "TBL-5", "TBL-6", "TBL-7", "TBL-8")]
    public Property Model_and_implementation_agree_on_qemu_programs(ProgramCase c) => Holds(c);
}

/// <summary>Property 1 on adversarial programs: window edges, wrap-around, every flag bit, argsz edges, structs straddling
/// unmapped pages, read-only pages mapped for write, RLIMIT edges, injected failures, host leftovers.</summary>
public sealed class DifferentialAdversarial : CampaignTest<DifferentialAdversarial>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.DifferentialAdversarial;

    [CampaignProperty<DifferentialAdversarial>]
    [Spec("INV-10", "ABI-5", "ABI-6", "ABI-7", "ABI-8", "ABI-9", "ABI-10", "MAP-1", "MAP-2", "MAP-3", "MAP-4", "MAP-5", "MAP-6",
          "MAP-7", "MAP-8", "MAP-9", "MAP-11", "MAP-12", "UNMAP-1", "UNMAP-2", "UNMAP-3", "UNMAP-4", "UNMAP-5", "UNMAP-6",
          "UNMAP-7", "EN-2", "EN-3", "EN-4", "HOST-1", "HOST-4", "HOST-5", "HOST-6", "HOST-7", "TBL-1", "TBL-2", "TBL-3",
          "TBL-4", "TBL-9", "TBL-10", "PROC-8", "STATE-8")]
    public Property Model_and_implementation_agree_on_adversarial_programs(ProgramCase c) => Holds(c);
}
