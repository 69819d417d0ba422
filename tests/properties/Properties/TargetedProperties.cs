using FsCheck;
using TceVerify.Harness.Generation;
using TceVerify.TestKit;
using TceVerify.Tests.Properties.Infrastructure;

namespace TceVerify.Tests.Properties.Properties;

/// <summary>Property 2: a MAP or UNMAP with a misaligned iova, vaddr or size returns -EINVAL (once the checks before
/// alignment pass) and changes nothing.</summary>
public sealed class AlignmentRejection : CampaignTest<AlignmentRejection>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.Alignment;

    [CampaignProperty<AlignmentRejection>]
    [Spec("MAP-7", "MAP-8", "TBL-4", "UNMAP-6", "UNMAP-7", "INV-5")]
    public Property Misaligned_requests_are_rejected_and_change_nothing(ProgramCase c) => Holds(c);
}

/// <summary>Property 3: a request that names an entry outside its window is rejected, and no TCE outside a window ever
/// changes (guard entries keep their boot values, it_map has no bit outside the window).</summary>
public sealed class WindowBounds : CampaignTest<WindowBounds>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.WindowBounds;

    [CampaignProperty<WindowBounds>]
    [Spec("MAP-8", "MAP-9", "UNMAP-7", "TBL-2", "TBL-4", "INV-2")]
    public Property Nothing_outside_the_window_ever_changes(ProgramCase c) => Holds(c);
}

/// <summary>Property 4: a map that fails at page k for any reason (unpinnable page, busy entry, injected platform
/// failure) leaves the state as it was but for allowed dirty bits and the consumed countdown; no pin leaks.</summary>
public sealed class Rollback : CampaignTest<Rollback>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.Rollback;

    [CampaignProperty<Rollback>]
    [Spec("MAP-10", "MAP-11", "MAP-12", "MAP-13", "TBL-5", "TBL-6", "TBL-7", "HOST-7", "INV-5", "INV-3")]
    public Property A_map_failing_part_way_is_undone(ProgramCase c) => Holds(c);
}

/// <summary>Property 5: from any earlier table contents (previous users, host leftovers, garbage), a successful attach
/// leaves no TCE in use and moves no page count; an attach that fails leaves the table and its bitmap as they were.</summary>
public sealed class CleanAttach : CampaignTest<CleanAttach>, ICampaignTest
{
    public static CampaignProperty Campaign => Catalog.Attach;

    [CampaignProperty<CleanAttach>]
    [Spec("ATT-1", "TBL-9", "TBL-1", "CORE-4", "CORE-23", "HOST-6", "INV-6", "INV-5")]
    public Property Attach_leaves_no_stale_tce_and_a_failed_attach_changes_nothing(ProgramCase c) => Holds(c);
}
