using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Concurrency;

/// <summary>
/// Scenarios on which the pristine implementation, as the spec prescribes it, is not linearizable (INV-11): real
/// findings of the concurrency suite (spec/findings.md FIND-13 ..), reported for a decision, kept here so that the
/// pristine runs skip them and a dedicated test proves each is still found (and fails once it is fixed, so the
/// entry is removed).
/// </summary>
public static class KnownIssues
{
    /// <summary>One known issue: its scenario, the clause it breaks, what happens, the finding of spec/findings.md that
    /// records it (null: not yet recorded there), and a predicate recognising it in any history.</summary>
    public sealed record Issue(string Scenario, string Clause, string Summary, Func<IReadOnlyList<HistoryEntry>, bool> Shows)
    {
        public string? Finding { get; init; }
    }

    public static IReadOnlyList<Issue> All { get; } =
    [
        new("pair/DeviceOpen+GroupClose/1p", "INV-11",
            "GET_DEVICE_FD on a group fd that a concurrent close removes installs the device fd in the number just freed: " +
            "it returns the group fd's own number (4), which no sequential order gives (close first: -EBADF; " +
            "GET_DEVICE_FD first: the lowest free fd, 7). The close removes the fd (PROC-6) before it waits for the " +
            "call in flight, and GET_DEVICE_FD installs after that removal (CORE-27, STATE-4).",
            h => h.Any(d => Is(d, "GROUP_GET_DEVICE_FD") && d.Result >= 0 && h.Any(c => c.Command is CloseCmd close && c.Result == 0
                && Pid(d) == close.Pid && d.Result == close.Fd))) { Finding = "FIND-13" },
        new("ownership-storm", "INV-11",
            "GROUP_GET_STATUS takes no lock (CORE-22) and UNSET_CONTAINER hands the table back (DET-1, TBL-10) before " +
            "it clears the group's container (CORE-25): a host allocation that can only succeed after the hand-back " +
            "completes, then a GET_STATUS that starts after it still reports CONTAINER_SET.",
            h => h.Any(c => Is(c, "GROUP_GET_STATUS")) && h.Any(c => Is(c, "host_alloc") && c.Result >= 0) && h.Any(c => Is(c, "GROUP_UNSET_CONTAINER") && c.Result == 0)) { Finding = "FIND-14" },
        new("failing-device-fd-vs-unset", "INV-11",
            "GET_DEVICE_FD takes a container user reference first (CORE-27, adopted for FIND-12) and drops it when a " +
            "later check fails (-EINVAL: no driver; -ENODEV: no such device): an UNSET_CONTAINER in between sees two " +
            "users and fails with -EBUSY (CORE-24), although in every sequential order it succeeds (the failing " +
            "GET_DEVICE_FD holds nothing before or after).",
            h => h.Any(c => Is(c, "GROUP_GET_DEVICE_FD") && c.Result < 0) && h.Any(c => Is(c, "GROUP_UNSET_CONTAINER") && c.Result == -Errno.EBUSY)) { Finding = "FIND-15" },
        new("device-close-vs-close-and-unset", "INV-11",
            "close removes the fd first and releases the file after (PROC-6): another call on the same fd (here a " +
            "second close) already gets -EBADF, while a call after it still sees the file unreleased (here UNSET_CONTAINER " +
            "still sees the device's container user reference, -EBUSY, CORE-24; with a group fd, a DISABLE still finds the " +
            "container's driver), which no sequential order gives (once the fd is gone its file is released, CORE-30, CORE-26).",
            h => h.Any(a => a.Command is CloseCmd x && a.Result == 0
                && h.Any(b => b != a && Pid(b) == x.Pid && Fd(b) == x.Fd && b.Result == -Errno.EBADF))) { Finding = "FIND-16" },
        new("exit-vs-status-and-host-alloc", "INV-11",
            "exit marks the process exited and only then closes its fds (PROC-5): a call of the exiting process already " +
            "gets -ESRCH while the tables its fds hold are not yet handed back, so a host allocation after that call " +
            "still fails with -ENOSPC; in every sequential order the exit has released them by then (HOST-4).",
            h => h.Any(e => e.Command is ExitCmd x && e.Result == 0
                && h.Any(c => c != e && Pid(c) == x.Pid && c.Result == -Errno.ESRCH)
                && h.Any(a => Is(a, "host_alloc") && a.Result == -Errno.ENOSPC))) { Finding = "FIND-16" },
        new("unset-vs-device-fd-and-disable", "INV-11",
            "UNSET_CONTAINER drops container_users to 0 (CORE-24) before CORE-25 detaches the group and releases the " +
            "driver: a GET_DEVICE_FD in between already fails (-EINVAL, no user reference to take, CORE-27) while a " +
            "container ioctl after it still finds the driver (DISABLE returns 0, CORE-6), which no sequential order gives.",
            h => h.Any(u => Is(u, "GROUP_UNSET_CONTAINER") && u.Result == 0)
                && h.Any(d => Is(d, "GROUP_GET_DEVICE_FD") && d.Result == -Errno.EINVAL)
                && h.Any(c => (Is(c, "DISABLE") || Is(c, "ENABLE") || Is(c, "MAP_DMA") || Is(c, "UNMAP_DMA") || Is(c, "SPAPR_TCE_GET_INFO")) && c.Result >= 0)),
        new("in-flight-call-vs-close", "INV-11",
            "A call looks its fd up when it starts (PROC-2) and takes effect later; a close of that fd completing in " +
            "between does not stop it (the file stays referenced by the call, and by other fd entries). If the call " +
            "can only succeed after something that happened after the close (here an ENABLE, MAP-3), no sequential " +
            "order explains it: after the close the fd is gone (-EBADF).",
            h => h.Any(c => c.Result >= 0 && Fd(c) >= 0 && c.Command is not CloseCmd && h.Any(x => x.Command is CloseCmd close && x.Result == 0
                && close.Pid == Pid(c) && close.Fd == Fd(c) && c.CallAt < x.CallAt && x.ReturnAt < c.ReturnAt))),
    ];

    /// <summary>Whether a history shows one of the known issues (a generated scenario may hit them too).</summary>
    public static bool Explains(IReadOnlyList<HistoryEntry> history) => All.Any(i => i.Shows(history));

    static bool Is(HistoryEntry h, string call) => h.Command.Describe().StartsWith(call, StringComparison.Ordinal);

    static int Fd(HistoryEntry h) => h.Command switch
    {
        IoctlArgCmd a => a.Fd,
        IoctlCmd i => i.Fd,
        CloseCmd c => c.Fd,
        _ => -1,
    };

    static int Pid(HistoryEntry h) => h.Command switch
    {
        IoctlArgCmd a => a.Pid,
        IoctlCmd i => i.Pid,
        CloseCmd c => c.Pid,
        ExitCmd e => e.Pid,
        OpenContainerCmd o => o.Pid,
        OpenGroupCmd g => g.Pid,
        ForkCmd f => f.Pid,
        PassFdCmd p => p.From,
        _ => -1,
    };

    public static bool IsKnown(string scenario) => All.Any(i => i.Scenario == scenario);
}
