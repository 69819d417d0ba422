using FsCheck;
using TceVerify.Harness.Generation;
using TceVerify.TestKit;
using TceVerify.Tests.Properties.Infrastructure;

namespace TceVerify.Tests.Properties.Properties;

// Property 6: one property per security invariant of spec/invariants.md (INV-2 is property 3, INV-5 below and in
// property 4), each checked after every command of every generated program, on the implementation alone.

public sealed class Isolation : CampaignTest<Isolation>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.Isolation;

    [CampaignProperty<Isolation>]
    [Spec("INV-1", "TBL-6", "MAP-10", "TBL-9", "TBL-10")]
    public Property Every_tce_in_a_container_table_was_mapped_by_that_container(ProgramCase c) => Holds(c);
}

public sealed class PinBalance : CampaignTest<PinBalance>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.PinBalance;

    [CampaignProperty<PinBalance>]
    [Spec("INV-3", "STATE-2", "TBL-6", "TBL-7", "TBL-9")]
    public Property Every_pin_is_one_tce_and_nothing_else(ProgramCase c) => Holds(c);
}

public sealed class Accounting : CampaignTest<Accounting>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.Accounting;

    [CampaignProperty<Accounting>]
    [Spec("INV-4", "EN-5", "DIS-2", "MAP-3", "REL-1", "PROC-5")]
    public Property Locked_memory_is_charged_to_the_payer_and_covers_the_pins(ProgramCase c) => Holds(c);
}

public sealed class CleanHandOver : CampaignTest<CleanHandOver>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.CleanHandOver;

    [CampaignProperty<CleanHandOver>]
    [Spec("INV-6", "ATT-1", "DET-1", "REL-1", "TBL-9", "TBL-10", "TBL-1")]
    public Property Tables_change_hands_clean(ProgramCase c) => Holds(c);
}

public sealed class CoreConsistency : CampaignTest<CoreConsistency>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.CoreConsistency;

    [CampaignProperty<CoreConsistency>]
    [Spec("INV-7", "CORE-7", "CORE-23", "CORE-24", "CORE-25", "CORE-27", "CORE-28", "CORE-30", "STATE-6", "STATE-7")]
    public Property Groups_containers_and_tables_agree(ProgramCase c) => Holds(c);
}

public sealed class FailureAtomicity : CampaignTest<FailureAtomicity>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.FailureAtomicity;

    [CampaignProperty<FailureAtomicity>]
    [Spec("INV-5", "ABI-6", "MAP-11", "HOST-7", "CORE-4")]
    public Property A_failed_call_changes_only_what_the_spec_allows(ProgramCase c) => Holds(c);
}

public sealed class Flushed : CampaignTest<Flushed>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.Flushed;

    [CampaignProperty<Flushed>]
    [Spec("INV-9", "TBL-8", "MAP-12", "UNMAP-9")]
    public Property No_table_keeps_an_unflushed_change(ProgramCase c) => Holds(c);
}
