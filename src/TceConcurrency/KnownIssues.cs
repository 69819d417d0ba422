namespace TceVerify.Concurrency;

/// <summary>
/// Scenarios on which the pristine implementation, as the spec prescribes it, is not linearizable (INV-11): real
/// findings of the concurrency suite, reported for a decision (spec or implementation), kept here so that the
/// pristine runs skip them and a dedicated test proves each is still found (and fails once it is fixed, so the
/// entry is removed).
/// </summary>
public static class KnownIssues
{
    public sealed record Issue(string Scenario, string Clause, string Summary);

    public static IReadOnlyList<Issue> All { get; } =
    [
        new("pair/DeviceOpen+GroupClose/1p", "INV-11",
            "GET_DEVICE_FD on a group fd that a concurrent close removes installs the device fd in the number just freed: " +
            "it returns the group fd's own number (4), which no sequential order gives (close first: -EBADF; " +
            "GET_DEVICE_FD first: the lowest free fd, 7). The close removes the fd (PROC-6) before it waits for the " +
            "call in flight, and GET_DEVICE_FD installs after that removal (CORE-27, STATE-4)."),
        new("ownership-storm", "INV-11",
            "GROUP_GET_STATUS takes no lock (CORE-22) and UNSET_CONTAINER hands the table back (DET-1, TBL-10) before " +
            "it clears the group's container (CORE-25): a host allocation that can only succeed after the hand-back " +
            "completes, then a GET_STATUS that starts after it still reports CONTAINER_SET."),
        new("failing-device-fd-vs-unset", "INV-11",
            "GET_DEVICE_FD takes a container user reference first (CORE-27, adopted for FIND-12) and drops it when a " +
            "later check fails (-EINVAL: no driver; -ENODEV: no such device): an UNSET_CONTAINER in between sees two " +
            "users and fails with -EBUSY (CORE-24), although in every sequential order it succeeds (the failing " +
            "GET_DEVICE_FD holds nothing before or after)."),
    ];

    public static bool IsKnown(string scenario) => All.Any(i => i.Scenario == scenario);
}
