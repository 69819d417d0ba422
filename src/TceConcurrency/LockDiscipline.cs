using System.Text.RegularExpressions;
using TceVerify.Contract;
using TceVerify.Impl.Sync;
using TceVerify.Scheduling;

namespace TceVerify.Concurrency;

/// <summary>
/// Checks the locking protocol of spec/locking.md at every lock operation and shared-cell access of TceImpl, in
/// every schedule, whether or not the schedule makes a race visible:
/// <list type="bullet">
/// <item>LOCK-2 order: <c>group.lock</c> -> container <c>group_lock</c> -> container <c>mutex</c> -> <c>mmap_sem</c>
/// -> pool locks; never two of one kind except pool locks of one table in ascending order; <c>files</c> (and the
/// implementation's other leaf locks, <c>tasklist</c> and <c>containers</c>) are leaves: nothing is taken while one
/// is held.</item>
/// <item>LOCK-8: a process's exit lock, fork's lock and a file's in-flight users come before <c>group.lock</c> (exit locks of two
/// processes in pid order); the in-flight users' read side is a reference (fget) and may be taken under anything, but
/// its write side (the final release, which waits for the calls in flight) never under a LOCK-2 lock; the pid table and
/// the container registry are leaves like <c>files</c>.</item>
/// <item>LOCK-4: every access to a pool's TCEs holds that pool's lock.</item>
/// <item>LOCK-9: every access to a word of a table's bitmaps (<c>it_map</c>, the occupancy map) holds every pool lock
/// whose range meets the entries that word covers: the table says which entries, the platform's geometry (TBL-2,
/// TBL-3) which locks guard them.</item>
/// <item>LOCK-5: every access to <c>locked_vm</c> holds that mm's <c>mmap_sem</c> for writing.</item>
/// <item>LOCK-3 (with LOCK-6 for <c>tbl</c>): <c>enabled</c> is accessed under the container mutex; <c>tbl</c> is read under the mutex
/// or <c>group_lock</c> and written under both (<c>group_lock</c> for writing); a group's container pointer is
/// written under <c>group.lock</c> (adopted, FIND-11); a container's group list is read under <c>group_lock</c> and
/// written under it for writing.</item>
/// </list>
/// The lock rules know TceImpl's locks by their <see cref="LockId"/> (kind and object ids, as data), its shared cells
/// by the names it gives them (ISyncLayer); <see cref="DisciplineStats"/>
/// counts how often each rule was checked, so a test can prove the rules are live. A violation fails the running
/// logical thread with an assertion naming the clause.
/// </summary>
public sealed class LockDiscipline(IReadOnlyList<GroupConfig> groups, DisciplineStats? stats = null)
{
    /// <summary>The rank of the first lock of LOCK-2's chain (<c>group.lock</c>): the LOCK-8 locks rank below it.</summary>
    const int Lock2Rank = 3;

    /// <summary>What the discipline knows about one lock: its id, its rank in LOCK-2 / LOCK-8, and whether it is a leaf
    /// (taken alone: a process's <c>files</c>, the pid table, the container registry).</summary>
    public sealed record LockInfo(LockId Lock, int Rank, bool Leaf)
    {
        public string Name => Lock.Name;
        public LockKind Kind => Lock.Kind;
        public int Id => Lock.Id;
        public int Sub => Lock.Sub;
    }

    /// <summary>The lock-set rule of one shared cell.</summary>
    public sealed record CellInfo(string Name, string Clause, Func<LockDiscipline, bool, string?> Check)
    {
        internal int ClauseIndex { get; } = DisciplineStats.IndexOf(Clause);
    }

    readonly record struct Hold(LockInfo Lock, bool Write);

    readonly List<Hold>?[] _held = new List<Hold>?[ControlledRuntime.MaxThreads + 1]; // by thread id + 1 (setup: 0)
    readonly DisciplineStats _stats = stats ?? new DisciplineStats();

    public DisciplineStats Stats => _stats;

    static readonly Regex PoolTcesRx = new(@"^table (\d+) pool (\d+) tces$", RegexOptions.Compiled);
    static readonly Regex WordRx = new(@"^table (\d+) (?:it_map|occupancy) word \d+$", RegexOptions.Compiled);
    static readonly Regex LockedVmRx = new(@"^proc (\d+) locked_vm$", RegexOptions.Compiled);
    static readonly Regex EnabledRx = new(@"^container (\d+) enabled$", RegexOptions.Compiled);
    static readonly Regex TblRx = new(@"^container (\d+) tbl$", RegexOptions.Compiled);
    static readonly Regex GroupContainerRx = new(@"^group (\d+) container$", RegexOptions.Compiled);
    static readonly Regex ContainerGroupsRx = new(@"^container (\d+) groups$", RegexOptions.Compiled);

    static readonly System.Collections.Concurrent.ConcurrentDictionary<LockId, LockInfo> LockCache = new();
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CellInfo?> CellCache = new(StringComparer.Ordinal);

    /// <summary>The rank of a lock, by its id.</summary>
    public LockInfo Classify(LockId id) => LockCache.GetOrAdd(id, ClassifyUncached);

    /// <summary>The lock-set rule of a cell by name; null when the protocol says nothing about it.</summary>
    public CellInfo? CellRule(string name) => CellCache.GetOrAdd(name, CellRuleUncached);

    static LockInfo ClassifyUncached(LockId id) => id.Kind switch
    {
        LockKind.ProcessExit => new(id, 0, false),
        LockKind.Fork => new(id, 1, false),
        LockKind.FileUsers => new(id, 2, false),
        LockKind.GroupLock => new(id, Lock2Rank, false),
        LockKind.ContainerGroupLock => new(id, Lock2Rank + 1, false),
        LockKind.ContainerMutex => new(id, Lock2Rank + 2, false),
        LockKind.TableInject => new(id, Lock2Rank + 3, false),
        LockKind.MmapSem => new(id, Lock2Rank + 4, false),
        LockKind.Pool => new(id, Lock2Rank + 5, false),
        LockKind.Iotlb => new(id, Lock2Rank + 6, false),
        LockKind.Files or LockKind.TaskList or LockKind.Containers or LockKind.PageAllocator => new(id, Lock2Rank + 7, true),
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "a lock kind the discipline does not rank"),
    };

    static CellInfo? CellRuleUncached(string name)
    {
        Match m;
        if ((m = PoolTcesRx.Match(name)).Success)
        {
            int table = Int(m, 1), pool = Int(m, 2);
            return new(name, "LOCK-4", (d, _) => d.Holds(LockKind.Pool, table, pool, write: false) ? null : $"'{name}' accessed without 'table {table} pool {pool}'");
        }
        if ((m = LockedVmRx.Match(name)).Success)
        {
            int pid = Int(m, 1);
            return new(name, "LOCK-5", (d, _) => d.Holds(LockKind.MmapSem, pid, 0, write: true) ? null : $"'{name}' accessed without 'proc {pid} mmap_sem' held for writing");
        }
        if ((m = EnabledRx.Match(name)).Success)
        {
            int c = Int(m, 1);
            return new(name, "LOCK-3", (d, _) => d.Holds(LockKind.ContainerMutex, c, 0, write: false) ? null : $"'{name}' accessed without 'container {c} mutex'");
        }
        if ((m = TblRx.Match(name)).Success)
        {
            int c = Int(m, 1);
            return new(name, "LOCK-3", (d, write) =>
            {
                bool mutex = d.Holds(LockKind.ContainerMutex, c, 0, write: false);
                if (write)
                    return mutex && d.Holds(LockKind.ContainerGroupLock, c, 0, write: true) ? null
                        : $"'{name}' written without 'container {c} mutex' and 'container {c} group_lock' held for writing";
                return mutex || d.Holds(LockKind.ContainerGroupLock, c, 0, write: false) ? null
                    : $"'{name}' read without 'container {c} mutex' or 'container {c} group_lock'";
            });
        }
        if ((m = GroupContainerRx.Match(name)).Success)
        {
            int g = Int(m, 1);
            return new(name, "LOCK-3", (d, write) => !write || d.Holds(LockKind.GroupLock, g, 0, write: false) ? null : $"'{name}' written without 'group {g} lock'");
        }
        if ((m = ContainerGroupsRx.Match(name)).Success)
        {
            int c = Int(m, 1);
            return new(name, "LOCK-3", (d, write) => d.Holds(LockKind.ContainerGroupLock, c, 0, write) ? null
                : $"'{name}' {(write ? "written" : "read")} without 'container {c} group_lock'{(write ? " held for writing" : "")}");
        }
        return null;
    }

    static int Int(Match m, int g) => int.Parse(m.Groups[g].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);

    List<Hold> Mine()
    {
        int slot = ControlledRuntime.CurrentThreadId + 1;
        return _held[slot] ??= new List<Hold>(4);
    }

    bool Holds(LockKind kind, int id, int sub, bool write)
    {
        foreach (var h in Mine())
            if (h.Lock.Kind == kind && h.Lock.Id == id && h.Lock.Sub == sub && (!write || h.Write)) return true;
        return false;
    }

    /// <summary>The lock-set rule of a word of a table's bitmap (LOCK-9) that holds the bits of entries
    /// <c>[first, end)</c>: every pool lock whose range meets them, computed from the platform's geometry (TBL-3; guard
    /// entries count for the nearest pool, TBL-2). Null for a name that is not a table's bitmap word.</summary>
    public CellInfo? WordRule(string name, long first, long end) =>
        WordCache.GetOrAdd((name, first, end), k => WordRuleUncached(k.Name, k.First, k.End));

    static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Name, long First, long End), CellInfo?> WordCache = new();

    static CellInfo? WordRuleUncached(string name, long first, long end)
    {
        var m = WordRx.Match(name);
        if (!m.Success || first >= end) return null;
        int table = Int(m, 1);
        string covers = $"entries 0x{first:x}..0x{end - 1:x}";
        return new(name, "LOCK-9", (d, _) =>
        {
            var g = d.Group(table);
            int from = Memory.PoolOf(g, first), to = Memory.PoolOf(g, end - 1);
            for (int k = from; k <= to; k++)
                if (!d.Holds(LockKind.Pool, table, k, write: false))
                    return $"'{name}' ({covers}, pools {from}..{to}) accessed without 'table {table} pool {k}': every pool lock whose range meets a word guards it";
            return null;
        });
    }

    GroupConfig Group(int table) =>
        table >= 1 && table <= groups.Count ? groups[table - 1] : throw new ArgumentOutOfRangeException(nameof(table), $"no table {table} on this platform");

    /// <summary>The locks of LOCK-8 (call lifetime): a process's exit lock, fork's lock, a file's in-flight users, and the
    /// leaf pid table and container registry; the order among the others is LOCK-2's.</summary>
    static bool Lock8(LockInfo l) => l.Kind is LockKind.ProcessExit or LockKind.Fork or LockKind.FileUsers or LockKind.TaskList or LockKind.Containers;

    /// <summary>Checks LOCK-2 and LOCK-8 before the calling thread waits for <paramref name="info"/>.</summary>
    public void BeforeAcquire(LockInfo info, bool write)
    {
        _stats.Count(Lock8(info) ? 5 : 0);
        foreach (var h in Mine())
        {
            var held = h.Lock;
            string? why = null;
            if (held.Leaf)
                why = $"takes '{info.Name}' while holding '{held.Name}', which is taken alone and released before any other lock";
            else if (info.Leaf || held.Kind == LockKind.FileUsers)
                continue; // a leaf may be taken under anything; nothing may be taken under it
            else if (info.Kind == LockKind.FileUsers)
            {
                // A file's in-flight reference (fget) is a reference count, not a lock of LOCK-2: it may be taken
                // under anything. Its write side (the final release) waits for every call on the file, so it must
                // not be taken while holding a lock of LOCK-2 that such a call may wait for.
                if (write && held.Rank >= Lock2Rank) why = $"waits for the calls in flight on '{info.Name}' while holding '{held.Name}'";
            }
            else if (held.Rank > info.Rank)
                why = $"takes '{info.Name}' while holding '{held.Name}', against the order group.lock -> group_lock -> mutex -> table inject -> mmap_sem -> pool locks";
            else if (held.Rank == info.Rank)
            {
                bool ok = info.Kind switch
                {
                    LockKind.Pool => held.Id == info.Id && held.Sub < info.Sub,   // ascending pools of one table
                    LockKind.ProcessExit => held.Id < info.Id,                    // two processes, ascending pid
                    LockKind.FileUsers => held.Id != info.Id && !write && !h.Write, // in-flight references of two files
                    _ => false,
                };
                if (!ok) why = $"takes '{info.Name}' while holding '{held.Name}': never two locks of one kind, except pool locks in ascending order";
            }
            if (why is not null) Fail(Lock8(held) || Lock8(info) ? "LOCK-8" : "LOCK-2", why);
        }
    }

    public void Acquired(LockInfo info, bool write) => Mine().Add(new Hold(info, write));

    public void Released(LockInfo info)
    {
        var mine = Mine();
        for (int i = mine.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(mine[i].Lock, info))
            {
                mine.RemoveAt(i);
                return;
            }
        }
    }

    /// <summary>Checks the lock-set rule of a cell right after the access was scheduled.</summary>
    public void Accessed(CellInfo rule, bool write)
    {
        _stats.Count(rule.ClauseIndex);
        if (rule.Check(this, write) is { } why) Fail(rule.Clause, why);
    }

    void Fail(string clause, string why)
    {
        string who = ControlledRuntime.CurrentThreadName ?? "uncontrolled code";
        string holding = string.Join(", ", Mine().Select(h => h.Lock.Name + (h.Write ? "" : " (read)")));
        ControlledRuntime.Assert(false, $"{clause} violated: {who} {why} (holding: {(holding.Length == 0 ? "nothing" : holding)})", ConcurrencyChecks.Failure(ConcurrencyChecks.LockDiscipline, [clause]));
    }
}

/// <summary>How often each locking rule (LOCK-2 .. LOCK-6, LOCK-8, LOCK-9) was checked, across the iterations that share this object.</summary>
public sealed class DisciplineStats
{
    static readonly string[] Clauses = ["LOCK-2", "LOCK-3", "LOCK-4", "LOCK-5", "LOCK-6", "LOCK-8", "LOCK-9"];
    readonly long[] _counts = new long[Clauses.Length];

    static int Index(string clause) => Array.IndexOf(Clauses, clause) is var i and >= 0
        ? i : throw new ArgumentException($"not a checked clause: {clause}", nameof(clause));

    public void Count(string clause) => _counts[Index(clause)]++;

    internal void Count(int index) => _counts[index]++;

    internal static int IndexOf(string clause) => Index(clause);

    public long this[string clause] => _counts[Index(clause)];

    public override string ToString() => string.Join(", ", Clauses.Select((c, i) => $"{c}: {_counts[i]}"));
}
