using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Concurrency;

/// <summary>
/// Linearizability gaps (INV-11) of the pristine implementation that the generated threads of issue 11 found once
/// they could draw every operation: FIND-21 (numbers handed out in one order and published in another), and FIND-13,
/// FIND-16 and FIND-18 showing through calls that no thread made before. All lie in the process, fd-table and
/// container-registry code, which issue 11 did not change; they are recorded here, in the shape of
/// <see cref="KnownIssues"/>, so that generated pristine runs report them without failing, until their owner fixes
/// them or folds them into <see cref="KnownIssues"/> (whose predicates the command line's hunt uses). A test proves
/// each is still found (tests/concurrency PendingIssueTests), so a fix shows up as a failing test.
/// </summary>
public static class PendingIssues
{
    /// <summary>The gaps, each with a scenario that shows it (not registered with the hand-written ones: the pristine
    /// runs of check and of the suite would fail on it).</summary>
    public static IReadOnlyList<(KnownIssues.Issue Issue, ConcurrentScenario Scenario)> All { get; } =
    [
        (new("two-opens", "INV-11",
            "Two open_container calls of one process allocate container ids (STATE-6: in order of creation) and install " +
            "their fds (STATE-4: lowest free) in two steps: the call that numbers its container first may install its " +
            "fd second, so fd 6 names container 3 and fd 7 container 2, which no order of the two opens gives.",
            h => h.Any(a => a.Command is OpenContainerCmd x && a.Result >= 0 && h.Any(b => b != a && b.Command is OpenContainerCmd y
                && y.Pid == x.Pid && b.Result >= 0 && Overlap(a, b)))) { Finding = "FIND-21" },
         TwoThreads("two-opens", t => t.OpenContainer(1), t => t.OpenContainer(1))),
        (new("forks-vs-open", "INV-11",
            "fork (PROC-3) allocates the child's pid and copies the parent's fd table and address space in separate " +
            "steps: a call of the parent that changes them (an open, a close, an fd passed, a page mapped or another " +
            "fork) may land between the steps, so the child holds what no order of the calls gives it (or two children " +
            "numbered in one order copy in the other).",
            h => h.Any(f => f.Command is ForkCmd x && f.Result > 0 && h.Any(c => c != f && ChangesProcess(c, x.Pid) && Overlap(c, f)))) { Finding = "FIND-21" },
         ForksVsOpen()),
        (new("pass-vs-close", "INV-11",
            "FIND-13 through fd passing: pass_fd (PROC-4) installs the passed file at the lowest free fd of the receiver, " +
            "which may be the number a concurrent close of the receiver has just freed: passing fd 4 to its own process " +
            "while closing it returns 4, which neither order gives (close first: -EBADF; pass first: the next free number).",
            h => h.Any(p => p.Command is PassFdCmd x && p.Result >= 0 && h.Any(c => c.Command is CloseCmd close && c.Result == 0
                && close.Pid == x.To && close.Fd == p.Result && Overlap(p, c)))) { Finding = "FIND-13" },
         TwoThreads("pass-vs-close", t => t.Add(new PassFdCmd(1, Scenarios.G, 1)), t => t.Close(1, Scenarios.G))),
        (new("exit-vs-status-and-stale", "INV-11",
            "FIND-16 through a stale host write: exit marks the process exited before it closes its fds (PROC-5), so a " +
            "call of the exiting process already gets -ESRCH while its container still owns the table, and a " +
            "host_write_stale after that call is refused (-EBUSY, HOST-6); in every order the exit has handed the " +
            "table back by then.",
            h => h.Any(e => e.Command is ExitCmd x && e.Result == 0
                && h.Any(c => c != e && Pid(c) == x.Pid && c.Result == -Errno.ESRCH)
                && h.Any(s => s.Command is HostStaleCmd && s.Result == -Errno.EBUSY))) { Finding = "FIND-16" },
         TwoThreads("exit-vs-status-and-stale", t => t.Exit(1), t => t.GetStatus(1, Scenarios.G).Add(new HostStaleCmd(1, 5, 0x2000 | Abi.TcePciRead)))),
        (new("in-flight-failure-vs-close", "INV-11",
            "FIND-18 with a failing call: a call in flight on an fd whose close completes meanwhile takes effect after " +
            "the close, so its result may depend on what happened after the close (here a MAP failing on a write " +
            "failure injected after it), which no order explains: after the close the fd is gone (-EBADF).",
            h => h.Any(c => Fd(c) >= 0 && c.Command is not CloseCmd && c.Result != -Errno.EBADF && h.Any(x => x.Command is CloseCmd close
                && x.Result == 0 && close.Pid == Pid(c) && close.Fd == Fd(c) && c.CallAt < x.CallAt && x.ReturnAt < c.ReturnAt))) { Finding = "FIND-18" },
         InFlightFailure()),
    ];

    /// <summary>Whether a history shows one of the pending gaps.</summary>
    public static bool Explains(IReadOnlyList<HistoryEntry> history) => All.Any(p => p.Issue.Shows(history));

    static ConcurrentScenario TwoThreads(string name, Func<ThreadScript, ThreadScript> a, Func<ThreadScript, ThreadScript> b)
    {
        var cfg = PlatformConfig.Small();
        return new(name, cfg, Scenarios.Enabled(cfg).Commands, [Scenarios.Thread(cfg, "a", 1, a), Scenarios.Thread(cfg, "b", 2, b)])
        {
            Clauses = ["LOCK-7", "INV-11"],
        };
    }

    /// <summary>Two forks of one process and an open in it: the children are numbered in one order and copy the fd table
    /// in the other, one before the open and one after.</summary>
    static ConcurrentScenario ForksVsOpen()
    {
        var cfg = PlatformConfig.Small();
        return new("forks-vs-open", cfg, Scenarios.Enabled(cfg).Commands,
        [
            Scenarios.Thread(cfg, "fork-a", 1, t => t.Add(new ForkCmd(1))),
            Scenarios.Thread(cfg, "fork-b", 2, t => t.Add(new ForkCmd(1))),
            Scenarios.Thread(cfg, "open", 3, t => t.OpenContainer(1)),
        ]) { Clauses = ["PROC-3", "STATE-3", "STATE-4", "INV-11"] };
    }

    /// <summary>A forked child's two-page MAP in flight while the child closes its container fd and then injects a write
    /// failure (the parent still holds the file, PROC-6).</summary>
    static ConcurrentScenario InFlightFailure()
    {
        var cfg = PlatformConfig.Small();
        var prefix = Scenarios.Enabled(cfg).Fork(1).Commands; // child pid 3 shares fds 3, 4
        return new("in-flight-failure-vs-close", cfg, prefix,
        [
            Scenarios.Thread(cfg, "child-map", 1, t => t.Map(3, Scenarios.C, Script.VaddrOf(cfg, 1, 0), 0, 0x2000)),
            Scenarios.Thread(cfg, "close-inject", 2, t => t.Close(3, Scenarios.C).Add(new InjectCmd(1, 1))),
        ]) { Clauses = ["PROC-2", "PROC-6", "HOST-7", "INV-11"] };
    }

    static bool Overlap(HistoryEntry a, HistoryEntry b) => a.CallAt < b.ReturnAt && b.CallAt < a.ReturnAt;

    /// <summary>A call that changes what a fork of <paramref name="pid"/> copies: its fds, its address space, its children.</summary>
    static bool ChangesProcess(HistoryEntry c, int pid) => c.Command switch
    {
        OpenContainerCmd o => o.Pid == pid,
        OpenGroupCmd g => g.Pid == pid,
        CloseCmd x => x.Pid == pid,
        ForkCmd f => f.Pid == pid,
        PassFdCmd p => p.From == pid || p.To == pid,
        MapPageCmd m => m.Pid == pid,
        UnmapPageCmd u => u.Pid == pid,
        ExitCmd e => e.Pid == pid,
        IoctlArgCmd a => a.Pid == pid && a.Cmd == Ioctls.GroupGetDeviceFd,
        _ => false,
    };

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
        MapPageCmd m => m.Pid,
        UnmapPageCmd u => u.Pid,
        _ => -1,
    };
}
