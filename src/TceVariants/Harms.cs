using static TceVerify.Variants.Checks;

namespace TceVerify.Variants;

/// <summary>
/// What a user sees of a catalog entry that only the lock-discipline checker or the race detector catches (both flag a
/// missing lock whatever happens next, so a user who turns them off, or whose implementation uses other locks, gets
/// nothing from them): the scenarios on which its harm shows with the semantic checks alone (final invariants,
/// linearizability, deadlock; no lock discipline, no race detection) and the check and clause that report it; or, when no
/// schedule can show a harm, why (<see cref="NoneBecause"/>).
/// </summary>
public sealed record Harm(string? Check, string? Clause, IReadOnlyList<string> Scenarios, string? NoneBecause)
{
    /// <summary>True when a scenario shows the harm; false when <see cref="NoneBecause"/> says why none can.</summary>
    public bool Shown => NoneBecause is null;

    internal static Harm Shows(string check, string clause, params string[] scenarios) => new(check, clause, scenarios, null);

    internal static Harm None(string why) => new(null, null, [], why);
}

/// <summary>
/// The harm of every catalog entry caught only by a lock checker (recorded check <c>lock discipline</c> or <c>data
/// race</c>), by entry name; docs/catalog.md, "Semantic-only: harm shown", gives the schedules each takes.
/// </summary>
public static class Harms
{
    static readonly Dictionary<string, Harm> ByEntry = new(StringComparer.Ordinal)
    {
        // Two ENABLEs both pass EN-4 and both charge: locked_vm holds two charges for one window.
        ["no-mutex-on-enable"] = Harm.Shows(Invariants, "INV-4", "enable-twice"),
        ["no-mutex-on-attach"] = Harm.None(
            "Attach (ATT-1) runs only inside SET_IOMMU and SET_CONTAINER, which hold the container's group_lock for writing " +
            "(CORE-4, CORE-23), and every other user of the container's driver data holds that group_lock too (passthrough " +
            "ioctls for reading, detach and release for writing, LOCK-3), so the mutex excludes nobody attach can meet; the " +
            "table it takes over is shared with the host only through the pool locks, which attach still takes (TBL-9)."),
        // A MAP reads the container's driver and data, an UNSET detaches and releases them, the MAP then finds no table
        // (-ENXIO), which no order gives (after the UNSET the container has no driver: -EINVAL).
        ["no-group-lock-on-passthrough"] = Harm.Shows(Linearizability, "INV-11", "map-vs-unset"),
        // The join sees no driver, SET_IOMMU attaches the first group, the join adds the second without an attach: both
        // succeed, which no order gives (ATT-1: one group per container with a driver).
        ["no-group-lock-on-set-container"] = Harm.Shows(Linearizability, "INV-11", "set-container-vs-set-iommu"),
        // The UNSET detaches and releases the driver under a MAP in flight.
        ["no-group-lock-on-unset-container"] = Harm.Shows(Linearizability, "INV-11", "map-vs-unset"),
        ["no-pool-lock-on-build"] = Harm.None(
            "A build (TBL-5) writes an entry of a table its container owns, and every other writer of that entry holds the " +
            "container mutex too (UNMAP's and disable's clears, take-over and release in attach and detach), while the host's " +
            "calls refuse a container-owned table on state a build never writes (host_alloc on it_map, host_free on it_map " +
            "and its own TCE values, host_write_stale on the owner) and the injection countdown is the MAP's own under the table's inject mutex (LOCK-10), so the pool lock " +
            "excludes nobody a build can meet."),
        ["no-mmap-sem-on-charge"] = Harm.None(
            "Not explorable today: without mmap_sem the charge shares only locked_vm, and EN-5's check and update of it " +
            "(locked_vm + npages against the limit, then locked_vm += npages) follow one scheduling point with none between " +
            "them (only ISyncLayer calls are scheduling points), so no other charge or uncharge can come in between; once a " +
            "read-modify-write of a shared word is two scheduling points, two-enables-one-limit can let both ENABLEs pass " +
            "the limit check (INV-11)."),
        ["no-mmap-sem-on-uncharge"] = Harm.None(
            "Not explorable today: without mmap_sem the return of the charge shares only locked_vm, and DIS-2's " +
            "locked_vm -= npages is one step after one scheduling point (only ISyncLayer calls are scheduling points), so a " +
            "concurrent charge of the same mm cannot come between its read and its write; once a read-modify-write of a " +
            "shared word is two scheduling points, disable-vs-enable-one-mm loses one of the two updates (INV-4)."),
    };

    /// <summary>The harm recorded for the entry of that name, or null.</summary>
    public static Harm? Of(string entry) => ByEntry.GetValueOrDefault(entry);

    /// <summary>The names of the entries with a harm record.</summary>
    public static IReadOnlyCollection<string> Entries => ByEntry.Keys;

    /// <summary>The checks whose catch alone says nothing about what a user sees.</summary>
    public static bool OnlyALockChecker(string check) => check is LockDiscipline or DataRace;
}
