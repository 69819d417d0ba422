using TceVerify.TestKit;
using TceVerify.Tests.Properties.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Properties.Properties;

// Property 6: one property per security invariant of spec/invariants.md (INV-2 is property 3, INV-5 below and in
// property 4), each checked after every command of every generated program, on the implementation alone.

public sealed class Isolation
{
    [Fact]
    [Spec("INV-1", "TBL-6", "MAP-10", "TBL-9", "TBL-10")]
    public void Every_tce_in_a_container_table_was_mapped_by_that_container() => Catalog.Isolation.Check(Systems.Impl);
}

public sealed class PinBalance
{
    [Fact]
    [Spec("INV-3", "STATE-2", "TBL-6", "TBL-7", "TBL-9")]
    public void Every_pin_is_one_tce_and_nothing_else() => Catalog.PinBalance.Check(Systems.Impl);
}

public sealed class Accounting
{
    [Fact]
    [Spec("INV-4", "EN-5", "DIS-2", "MAP-3", "REL-1", "PROC-5")]
    public void Locked_memory_is_charged_to_the_payer_and_covers_the_pins() => Catalog.Accounting.Check(Systems.Impl);
}

public sealed class CleanHandOver
{
    [Fact]
    [Spec("INV-6", "ATT-1", "DET-1", "REL-1", "TBL-9", "TBL-10", "TBL-1")]
    public void Tables_change_hands_clean() => Catalog.CleanHandOver.Check(Systems.Impl);
}

public sealed class CoreConsistency
{
    [Fact]
    [Spec("INV-7", "CORE-7", "CORE-23", "CORE-24", "CORE-25", "CORE-27", "CORE-28", "CORE-30", "STATE-6", "STATE-7")]
    public void Groups_containers_and_tables_agree() => Catalog.CoreConsistency.Check(Systems.Impl);
}

public sealed class FailureAtomicity
{
    [Fact]
    [Spec("INV-5", "ABI-6", "MAP-11", "HOST-7", "CORE-4")]
    public void A_failed_call_changes_only_what_the_spec_allows() => Catalog.FailureAtomicity.Check(Systems.Impl);
}

public sealed class Flushed
{
    [Fact]
    [Spec("INV-9", "TBL-8", "MAP-12", "UNMAP-9")]
    public void No_table_keeps_an_unflushed_change() => Catalog.Flushed.Check(Systems.Impl);
}
