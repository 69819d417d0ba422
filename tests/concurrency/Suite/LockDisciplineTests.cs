using TceVerify.Concurrency;
using TceVerify.Contract;
using TceVerify.Harness.Programs;
using TceVerify.Impl;
using TceVerify.Impl.Sync;
using TceVerify.Scheduling;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// The locking protocol (spec/locking.md) checked at every lock operation and shared-cell access of every schedule:
/// the locks exist as LOCK-1 lists them, the checks are live on the real driver, and each rule rejects what it must.
/// </summary>
public class LockDisciplineTests
{
    /// <summary>Records the name of every primitive TceImpl creates (over the real primitives).</summary>
    sealed class RecordingSync : ISyncLayer
    {
        public readonly List<(string Kind, string Name)> Created = new();
        public readonly List<LockId> Locks = new();
        public IKMutex CreateMutex(LockId id) { Created.Add(("mutex", id.Name)); Locks.Add(id); return RealSync.Instance.CreateMutex(id); }
        public IKRwSemaphore CreateRwSemaphore(LockId id) { Created.Add(("rwsem", id.Name)); Locks.Add(id); return RealSync.Instance.CreateRwSemaphore(id); }
        public IKMutex CreateSpinLock(LockId id) { Created.Add(("spinlock", id.Name)); Locks.Add(id); return RealSync.Instance.CreateSpinLock(id); }
        public IKAtomic CreateAtomic(string name, long initial) { Created.Add(("atomic", name)); return RealSync.Instance.CreateAtomic(name, initial); }
        public ISharedCell CreateCell(string name) { Created.Add(("cell", name)); return RealSync.Instance.CreateCell(name); }
        public readonly List<(string Name, long First, long End)> Words = new();
        public ISharedWords? CreateWords(string name, int count, Func<long, (long First, long End)> covers)
        {
            for (int w = 0; w < count; w++)
            {
                var (first, end) = covers(w);
                Created.Add(("cell", $"{name} word {w}"));
                Words.Add(($"{name} word {w}", first, end));
            }
            return RealSync.Instance.CreateWords(name, count, covers);
        }
    }

    [Fact]
    [Spec("LOCK-1", "LOCK-8")]
    public void The_locks_and_atomic_counters_of_LOCK_1_exist_and_the_discipline_knows_every_lock()
    {
        var config = PlatformConfig.Small();
        var sync = new RecordingSync();
        var system = new ImplSystem(config, sync);
        foreach (var c in Scenarios.Enabled(config).GetDeviceFd(1, Scenarios.G, config.Groups[0].Devices[0]).Commands)
        {
            c.Prepare(system);
            Assert.True(c.Invoke(system) >= 0, c.Describe());
        }
        var names = sync.Created.ToHashSet();
        // LOCK-1: per group a mutex; per container an rw group_lock and the driver's mutex; per mm an rw mmap_sem;
        // per table one spinlock per pool; per process the files lock.
        Assert.Contains(("mutex", "group 1 lock"), names);
        Assert.Contains(("rwsem", "container 1 group_lock"), names);
        Assert.Contains(("mutex", "container 1 mutex"), names);
        Assert.Contains(("rwsem", "proc 1 mmap_sem"), names);
        for (int k = 0; k < config.Groups[0].Pools; k++) Assert.Contains(("spinlock", $"table 1 pool {k}"), names);
        Assert.Contains(("mutex", "proc 1 files"), names);
        // LOCK-1: atomic counters, no lock: container_users, a group's opened, container counts, a file's entry count.
        Assert.Contains(("atomic", "group 1 container_users"), names);
        Assert.Contains(("atomic", "group 1 opened"), names);
        Assert.Contains(("atomic", "container 1 refs"), names);
        Assert.Contains(sync.Created, p => p.Kind == "atomic" && p.Name.EndsWith(" entries", StringComparison.Ordinal));
        // LOCK-8: a per-process exit semaphore, a per-file in-flight semaphore; the pid table and container registry.
        Assert.Contains(("rwsem", "proc 1 exit"), names);
        Assert.Contains(sync.Created, p => p.Kind == "rwsem" && p.Name.StartsWith("file ", StringComparison.Ordinal) && p.Name.EndsWith(" users", StringComparison.Ordinal));
        Assert.Contains(("mutex", "tasklist"), names);
        Assert.Contains(("mutex", "fork"), names);
        Assert.Contains(("mutex", "containers"), names);

        var discipline = new LockDiscipline(PlatformConfig.Small().Groups);
        foreach (var id in sync.Locks)
            Assert.Equal(id, discipline.Classify(id).Lock); // every lock TceImpl creates has a rank (no kind is unranked)
        // The protected state of LOCK-3/4/5 has a rule.
        foreach (var cell in new[] { "table 1 pool 0 tces", "proc 1 locked_vm", "container 1 enabled", "container 1 tbl", "group 1 container", "container 1 groups" })
        {
            Assert.Contains(("cell", cell), names);
            Assert.NotNull(discipline.CellRule(cell));
        }
        // LOCK-9: every word of both bitmaps of both tables is a cell with a rule. Each pool's occupancy bits start a
        // word of their own (table 1: 4 pools, table 2: 2 pools); it_map has one word per 64 window entries.
        Assert.Equal(["table 1 it_map word 0", "table 1 occupancy word 0", "table 1 occupancy word 1", "table 1 occupancy word 2",
                      "table 1 occupancy word 3", "table 2 it_map word 0", "table 2 occupancy word 0", "table 2 occupancy word 1"],
            sync.Words.Select(w => w.Name).Order(StringComparer.Ordinal).ToList());
        Assert.Contains(("table 1 occupancy word 3", 48L, 68L), sync.Words);   // pool 3 and the guard band above it
        Assert.Contains(("table 2 occupancy word 0", 0x7fcL, 0x810L), sync.Words); // the guard band below and pool 0
        Assert.All(sync.Words, w => Assert.NotNull(discipline.WordRule(w.Name, w.First, w.End)));
    }

    [Fact]
    [Spec("LOCK-2", "LOCK-3", "LOCK-4", "LOCK-5", "LOCK-8", "LOCK-9")]
    public void Every_rule_is_checked_on_the_real_driver()
    {
        var stats = new Dictionary<string, long>();
        foreach (var s in new[] { Scenarios.AttachEnableRelease(), Scenarios.MapVsDisable(), Scenarios.TwoEnablesOneLimit(), Scenarios.OwnershipVsHostAlloc() })
        {
            var runner = new ScenarioRunner(s);
            var outcome = runner.Run(Scale.Random(20));
            Assert.True(outcome.Passed, outcome.ToString());
            foreach (var clause in new[] { "LOCK-2", "LOCK-3", "LOCK-4", "LOCK-5", "LOCK-8", "LOCK-9" })
                stats[clause] = stats.GetValueOrDefault(clause) + runner.Discipline[clause];
        }
        Assert.All(stats, kv => Assert.True(kv.Value > 0, $"{kv.Key} was never checked"));
    }

    /// <summary>Runs <paramref name="body"/> as one logical thread on primitives made by a disciplined ControlledSync.</summary>
    static TestReport RunDisciplined(Action<ControlledSync> body)
    {
        var engine = new TestingEngine(Configuration.Create().WithTestingIterations(1), ctx =>
        {
            var sync = new ControlledSync(new LockDiscipline(PlatformConfig.Small().Groups));
            ctx.Spawn("t", () => body(sync));
        });
        return engine.Run();
    }

    static void AssertViolation(TestReport report, string clause, string fragment)
    {
        Assert.Equal(BugKind.AssertionFailure, report.FirstBugKind);
        Assert.Contains($"{clause} violated", report.FirstBugMessage);
        Assert.Contains(fragment, report.FirstBugMessage);
    }

    [Fact]
    [Spec("LOCK-2")]
    public void Lock_order_is_enforced()
    {
        AssertViolation(RunDisciplined(s =>
        {
            var mutex = s.CreateMutex(LockId.ContainerMutex(1));
            var group = s.CreateMutex(LockId.GroupLock(1));
            mutex.Lock();
            group.Lock();
        }), "LOCK-2", "against the order");

        AssertViolation(RunDisciplined(s =>
        {
            var mm = s.CreateRwSemaphore(LockId.MmapSem(1));
            var groupLock = s.CreateRwSemaphore(LockId.ContainerGroupLock(1));
            mm.DownWrite();
            groupLock.DownRead();
        }), "LOCK-2", "against the order");

        AssertViolation(RunDisciplined(s =>
        {
            var a = s.CreateMutex(LockId.ContainerMutex(1));
            var b = s.CreateMutex(LockId.ContainerMutex(2));
            a.Lock();
            b.Lock();
        }), "LOCK-2", "never two locks of one kind");

        AssertViolation(RunDisciplined(s =>
        {
            var p1 = s.CreateSpinLock(LockId.Pool(1, 1));
            var p0 = s.CreateSpinLock(LockId.Pool(1, 0));
            p1.Lock();
            p0.Lock();
        }), "LOCK-2", "ascending");

        AssertViolation(RunDisciplined(s =>
        {
            var files = s.CreateMutex(LockId.Files(1));
            var mutex = s.CreateMutex(LockId.ContainerMutex(1));
            files.Lock();
            mutex.Lock();
        }), "LOCK-2", "taken alone");

        // The protocol's own order passes: group.lock, group_lock, mutex, mmap_sem, every pool ascending; files alone.
        var ok = RunDisciplined(s =>
        {
            var locks = new IKMutex[4];
            for (int k = 0; k < 4; k++) locks[k] = s.CreateSpinLock(LockId.Pool(1, k));
            var group = s.CreateMutex(LockId.GroupLock(1));
            var groupLock = s.CreateRwSemaphore(LockId.ContainerGroupLock(1));
            var mutex = s.CreateMutex(LockId.ContainerMutex(1));
            var mm = s.CreateRwSemaphore(LockId.MmapSem(1));
            var files = s.CreateMutex(LockId.Files(1));
            group.Lock(); groupLock.DownWrite(); mutex.Lock(); mm.DownWrite();
            foreach (var l in locks) l.Lock();
            foreach (var l in locks.Reverse()) l.Unlock();
            mm.UpWrite(); mutex.Unlock(); groupLock.UpWrite(); group.Unlock();
            files.Lock(); files.Unlock();
        });
        Assert.Null(ok.FirstBug);
    }

    [Fact]
    [Spec("LOCK-8")]
    public void Call_lifetime_locks_come_first_and_the_pid_table_and_registry_are_leaves()
    {
        AssertViolation(RunDisciplined(s =>
        {
            var group = s.CreateMutex(LockId.GroupLock(1));
            var exit = s.CreateRwSemaphore(LockId.ProcessExit(1));
            group.Lock();
            exit.DownRead();
        }), "LOCK-8", "against the order");

        AssertViolation(RunDisciplined(s =>
        {
            var mutex = s.CreateMutex(LockId.ContainerMutex(1));
            var inFlight = s.CreateRwSemaphore(LockId.FileUsers(7, "group 1"));
            mutex.Lock();
            inFlight.DownWrite(); // the final release waits for calls in flight: never under a lock they may need
        }), "LOCK-8", "waits for the calls in flight");

        AssertViolation(RunDisciplined(s =>
        {
            var p2 = s.CreateRwSemaphore(LockId.ProcessExit(2));
            var p1 = s.CreateRwSemaphore(LockId.ProcessExit(1));
            p2.DownRead();
            p1.DownRead(); // fd passing takes both processes' exit locks in pid order
        }), "LOCK-8", "never two locks of one kind");

        AssertViolation(RunDisciplined(s =>
        {
            var tasks = s.CreateMutex(LockId.TaskList);
            var files = s.CreateMutex(LockId.Files(1));
            tasks.Lock();
            files.Lock();
        }), "LOCK-8", "taken alone");

        // What a call does: exit lock, in-flight reference, the LOCK-2 locks; an fget under group.lock is a reference.
        Assert.Null(RunDisciplined(s =>
        {
            var p1 = s.CreateRwSemaphore(LockId.ProcessExit(1));
            var p2 = s.CreateRwSemaphore(LockId.ProcessExit(2));
            var groupFile = s.CreateRwSemaphore(LockId.FileUsers(2, "group 1"));
            var group = s.CreateMutex(LockId.GroupLock(1));
            var containerFile = s.CreateRwSemaphore(LockId.FileUsers(1, "container 1"));
            p1.DownRead(); p2.DownRead(); p2.UpRead();
            groupFile.DownRead(); group.Lock(); containerFile.DownRead();
            containerFile.UpRead(); group.Unlock(); groupFile.UpRead(); p1.UpRead();
        }).FirstBug);
    }

    [Fact]
    [Spec("LOCK-4", "LOCK-9")]
    public void Pool_state_needs_its_pool_lock_and_a_bitmap_word_needs_the_lock_of_every_pool_it_covers()
    {
        AssertViolation(RunDisciplined(s => s.CreateCell("table 1 pool 2 tces").Write()), "LOCK-4", "'table 1 pool 2'");

        // Small: table 1's window [0, 64) has 4 pools of 16 entries, so it_map word 0 covers all four.
        AssertViolation(RunDisciplined(s =>
        {
            var pools = Enumerable.Range(0, 3).Select(k => s.CreateSpinLock(LockId.Pool(1, k))).ToList(); // pool 3 missing
            var map = s.CreateWords("table 1 it_map", 1, _ => (0, 64))!;
            foreach (var p in pools) p.Lock();
            map.Read(0);
        }), "LOCK-9", "(entries 0x0..0x3f, pools 0..3) accessed without 'table 1 pool 3'");

        // A word holding the 4 guard entries above table 1's window belongs to the last pool (3) alone (TBL-2) ...
        Assert.Null(RunDisciplined(s =>
        {
            var pool3 = s.CreateSpinLock(LockId.Pool(1, 3));
            var occupancy = s.CreateWords("table 1 occupancy", 1, _ => (60, 68))!;
            pool3.Lock();
            occupancy.Read(0);
            occupancy.Write(0);
            pool3.Unlock();
        }).FirstBug);
        // ... and a word holding the bits of entries 0..63 (the flat layout before issue 11) is every pool's.
        AssertViolation(RunDisciplined(s =>
        {
            var pool1 = s.CreateSpinLock(LockId.Pool(1, 1));
            var occupancy = s.CreateWords("table 1 occupancy", 1, _ => (0, 64))!;
            pool1.Lock();
            occupancy.Write(0); // pool 1's own entry, but the word is pools 0..3's
        }), "LOCK-9", "without 'table 1 pool 0'");

        Assert.Null(RunDisciplined(s =>
        {
            var pool = s.CreateSpinLock(LockId.Pool(1, 2));
            var tces = s.CreateCell("table 1 pool 2 tces");
            pool.Lock();
            tces.Write();
            pool.Unlock();
        }).FirstBug);
    }

    [Fact]
    [Spec("LOCK-5")]
    public void Locked_vm_is_checked_and_updated_under_mmap_sem_for_writing()
    {
        AssertViolation(RunDisciplined(s =>
        {
            var mm = s.CreateRwSemaphore(LockId.MmapSem(1));
            var lockedVm = s.CreateCell("proc 1 locked_vm");
            mm.DownRead();
            lockedVm.Write();
        }), "LOCK-5", "for writing");

        Assert.Null(RunDisciplined(s =>
        {
            var mm = s.CreateRwSemaphore(LockId.MmapSem(1));
            var lockedVm = s.CreateCell("proc 1 locked_vm");
            mm.DownWrite();
            lockedVm.Read();
            lockedVm.Write();
            mm.UpWrite();
        }).FirstBug);
    }

    [Fact]
    [Spec("LOCK-3", "LOCK-6")]
    public void Driver_state_needs_the_container_mutex_and_tbl_changes_only_under_group_lock_for_writing()
    {
        AssertViolation(RunDisciplined(s => s.CreateCell("container 1 enabled").Read()), "LOCK-3", "'container 1 mutex'");

        AssertViolation(RunDisciplined(s =>
        {
            var mutex = s.CreateMutex(LockId.ContainerMutex(1));
            var tbl = s.CreateCell("container 1 tbl");
            mutex.Lock();
            tbl.Write(); // mutex alone is not enough to change tbl (LOCK-6: GET_INFO reads it under group_lock only)
        }), "LOCK-3", "group_lock' held for writing");

        Assert.Null(RunDisciplined(s =>
        {
            var groupLock = s.CreateRwSemaphore(LockId.ContainerGroupLock(1));
            var tbl = s.CreateCell("container 1 tbl");
            groupLock.DownRead();
            tbl.Read(); // GET_INFO: no driver lock, group_lock for reading
            groupLock.UpRead();
        }).FirstBug);

        AssertViolation(RunDisciplined(s => s.CreateCell("group 1 container").Write()), "LOCK-3", "'group 1 lock'");
    }
}
