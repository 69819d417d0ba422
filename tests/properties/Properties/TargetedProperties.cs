using TceVerify.TestKit;
using TceVerify.Tests.Properties.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Properties.Properties;

/// <summary>Property 2: a MAP or UNMAP with a misaligned iova, vaddr or size returns -EINVAL (once the checks before
/// alignment pass) and changes nothing.</summary>
public sealed class AlignmentRejection
{
    [Fact]
    [Spec("MAP-7", "MAP-8", "TBL-4", "UNMAP-6", "UNMAP-7", "INV-5")]
    public void Misaligned_requests_are_rejected_and_change_nothing() => Catalog.Alignment.Check(Systems.Impl);
}

/// <summary>Property 3: a request that names an entry outside its window is rejected, and no TCE outside a window ever
/// changes (guard entries keep their boot values, it_map has no bit outside the window).</summary>
public sealed class WindowBounds
{
    [Fact]
    [Spec("MAP-8", "MAP-9", "UNMAP-7", "TBL-2", "TBL-4", "INV-2")]
    public void Nothing_outside_the_window_ever_changes() => Catalog.WindowBounds.Check(Systems.Impl);
}

/// <summary>Property 4: a map that fails at page k for any reason (unpinnable page, busy entry, injected platform
/// failure) leaves the state as it was but for allowed dirty bits and the consumed countdown; no pin leaks.</summary>
public sealed class Rollback
{
    [Fact]
    [Spec("MAP-10", "MAP-11", "MAP-12", "MAP-13", "TBL-5", "TBL-6", "TBL-7", "HOST-7", "INV-5", "INV-3")]
    public void A_map_failing_part_way_is_undone() => Catalog.Rollback.Check(Systems.Impl);
}

/// <summary>Property 5: from any earlier table contents (previous users, host leftovers, garbage), a successful attach
/// leaves no TCE in use and moves no page count; an attach that fails leaves the table and its bitmap as they were.</summary>
public sealed class CleanAttach
{
    [Fact]
    [Spec("ATT-1", "TBL-9", "TBL-1", "CORE-4", "CORE-23", "HOST-6", "INV-6", "INV-5")]
    public void Attach_leaves_no_stale_tce_and_a_failed_attach_changes_nothing() => Catalog.Attach.Check(Systems.Impl);
}
