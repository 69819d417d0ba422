using TceVerify.Contract;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Programs;
using TceVerify.Impl.Sync;
using TceVerify.Impl;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

/// <summary>
/// The names TceImpl gives its synchronization objects. They are its contract with the concurrency suite: the lock
/// discipline (LOCK-2 .. LOCK-6) recognises locks and guarded fields by name ("container 1 mutex", "table 1 pool 0
/// tces"), and traces print them; a renamed object silently escapes those checks. This also proves that the sync
/// layer a system is built with is the one it uses.
/// </summary>
public sealed class SyncNamesTests
{
    sealed class RecordingSync : ISyncLayer
    {
        public readonly List<string> Created = new();
        public IKMutex CreateMutex(LockId id) { Created.Add("mutex " + id.Name); return RealSync.Instance.CreateMutex(id); }
        public IKMutex CreateSpinLock(LockId id) { Created.Add("spinlock " + id.Name); return RealSync.Instance.CreateSpinLock(id); }
        public IKRwSemaphore CreateRwSemaphore(LockId id) { Created.Add("rwsem " + id.Name); return RealSync.Instance.CreateRwSemaphore(id); }
        public IKAtomic CreateAtomic(string name, long initial) { Created.Add($"atomic {name} = {initial}"); return RealSync.Instance.CreateAtomic(name, initial); }
        public ISharedCell CreateCell(string name) { Created.Add("cell " + name); return RealSync.Instance.CreateCell(name); }
        public ISharedWords? CreateWords(string name, int count, Func<long, (long First, long End)> covers)
        {
            for (int w = 0; w < count; w++) Created.Add($"word {name} word {w} [0x{covers(w).First:x}, 0x{covers(w).End:x})");
            return RealSync.Instance.CreateWords(name, count, covers);
        }
    }

    static IEnumerable<string> Proc(int pid) =>
    [
        $"rwsem proc {pid} mmap_sem", $"cell proc {pid} locked_vm", $"cell proc {pid} vm", $"mutex proc {pid} files",
        $"cell proc {pid} fds", $"rwsem proc {pid} exit", $"cell proc {pid} state",
    ];

    static IEnumerable<string> File(int id, string kind) =>
        [$"atomic file {id} ({kind}) entries = 1", $"rwsem file {id} ({kind}) users", $"cell file {id} ({kind}) state"];

    [Fact]
    [Spec("LOCK-1", "LOCK-3", "LOCK-4", "LOCK-5", "LOCK-8", "LOCK-9", "LOCK-10", "DEV-4")]
    public void Every_lock_and_guarded_field_has_its_protocol_name()
    {
        var config = PlatformConfig.Small();
        var sync = new RecordingSync();
        var sys = new ImplSystem(config, sync);
        var expected = new List<string>();
        foreach (var (g, pools) in new[] { (1, 4), (2, 2) })
        {
            for (int k = 0; k < pools; k++) expected.AddRange([$"spinlock table {g} pool {k}", $"cell table {g} pool {k} tces"]);
            expected.AddRange([$"cell table {g} owner", $"atomic table {g} flush_pending = 0", $"atomic table {g} countdown = 0",
                $"mutex table {g} inject"]);   // LOCK-10
        }
        // LOCK-9: it_map's words (one per 64 window entries) and the occupancy words, each pool's starting a word of its
        // own (the guard bands count for the nearest pool, TBL-2), named with the entries they cover.
        expected.AddRange(["word table 1 it_map word 0 [0x0, 0x40)", "word table 2 it_map word 0 [0x800, 0x820)",
            "word table 1 occupancy word 0 [0x0, 0x10)", "word table 1 occupancy word 1 [0x10, 0x20)",
            "word table 1 occupancy word 2 [0x20, 0x30)", "word table 1 occupancy word 3 [0x30, 0x44)",
            "word table 2 occupancy word 0 [0x7fc, 0x810)", "word table 2 occupancy word 1 [0x810, 0x824)"]);
        foreach (var g in config.Groups)
        {
            expected.AddRange([$"atomic group {g.Id} opened = 0", $"atomic group {g.Id} container_users = 0", $"mutex group {g.Id} lock",
                $"cell group {g.Id} container", $"atomic group {g.Id} container id = 0"]);
            foreach (var d in g.Devices) expected.Add($"atomic group {g.Id} device {d} opens = 0");
        }
        expected.AddRange(["mutex containers", "atomic file ids = 0", "mutex tasklist", "mutex fork", "cell tasklist pids"]);
        expected.Add("mutex page allocator");   // PAGE-3; a table's iotlb lock comes with its first DMA (DEV-4)
        expected.AddRange(Proc(1).Concat(Proc(2)));
        Assert.Equal(expected.Order(StringComparer.Ordinal), sync.Created.Order(StringComparer.Ordinal));

        sync.Created.Clear();
        var s = new Script(config).Setup(1, 1, 3, 4).Enable(1, 3).GetDeviceFd(1, 4, config.Groups[0].Devices[0]).Fork(1);
        foreach (var c in s.Commands) { c.Prepare(sys); Assert.True(c.Invoke(sys) >= 0, c.Describe()); }
        expected =
        [
            "atomic container 1 refs = 1", "rwsem container 1 group_lock", "cell container 1 groups",
            .. File(1, "container 1"), .. File(2, "group 1"),
            "mutex container 1 mutex", "cell container 1 tbl", "cell container 1 enabled",
            .. File(3, "device 1:0000:01:00.0"), .. Proc(3),
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), sync.Created.Order(StringComparer.Ordinal));

        // DEV-4: the first DMA brings the table's cache and its lock, even one that faults; a second brings nothing.
        sync.Created.Clear();
        Assert.Equal(-Errno.EFAULT, sys.DeviceDma(1, 0x3f000, DmaDirection.Read, new byte[8]));
        Assert.Equal(-Errno.EFAULT, sys.DeviceDma(1, 0x3f000, DmaDirection.Read, new byte[8]));
        Assert.Equal(["spinlock table 1 iotlb"], sync.Created);
    }
}
