using TceVerify.Contract;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Programs;
using TceVerify.Harness.Scripts;
using TceVerify.Impl.Sync;
using TceVerify.Impl;
using TceVerify.Model;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

/// <summary>
/// Every call takes and releases its locks in balance (LOCK-2, LOCK-3, LOCK-8). RealSync's mutex is System.Threading.Lock, which is recursive, so a lock that is never released, or released by a
/// path that never took it, is invisible to a single-threaded test that uses it. <see cref="BalancedSync"/> is strict
/// instead: locks are not recursive, only a held lock can be released, and between two calls nothing may be held
/// (every call takes and releases its locks, LOCK-2, LOCK-3, LOCK-8).
/// </summary>
public sealed class LockBalanceTests
{
    /// <summary>A single-threaded sync layer that fails on any lock misuse a concurrent run would turn into a deadlock.</summary>
    sealed class BalancedSync : ISyncLayer
    {
        readonly List<string> _held = new();

        public IReadOnlyList<string> Held => _held;

        public IKMutex CreateMutex(LockId id) => new Mutex(this, id.Name);
        public IKMutex CreateSpinLock(LockId id) => new Mutex(this, id.Name);
        public IKRwSemaphore CreateRwSemaphore(LockId id) => new RwSemaphore(this, id.Name);
        public IKAtomic CreateAtomic(string name, long initial) => new Atomic(initial);
        public ISharedCell CreateCell(string name) => Cell.Instance;

        static Exception Misuse(string what) => new InvalidOperationException("lock misuse: " + what);

        sealed class Mutex(BalancedSync s, string name) : IKMutex
        {
            bool _locked;

            public void Lock()
            {
                if (_locked) throw Misuse($"'{name}' taken while held (a single thread would deadlock)");
                _locked = true;
                s._held.Add(name);
            }

            public void Unlock()
            {
                if (!_locked) throw Misuse($"'{name}' released while not held");
                _locked = false;
                s._held.Remove(name);
            }
        }

        sealed class RwSemaphore(BalancedSync s, string name) : IKRwSemaphore
        {
            int _readers;
            bool _writer;

            public void DownRead()
            {
                if (_writer) throw Misuse($"'{name}' taken for reading while held for writing");
                _readers++;
                s._held.Add(name + " (read)");
            }

            public void UpRead()
            {
                if (_readers == 0) throw Misuse($"'{name}' released for reading while not held for reading");
                _readers--;
                s._held.Remove(name + " (read)");
            }

            public void DownWrite()
            {
                if (_writer || _readers > 0) throw Misuse($"'{name}' taken for writing while held");
                _writer = true;
                s._held.Add(name);
            }

            public void UpWrite()
            {
                if (!_writer) throw Misuse($"'{name}' released for writing while not held for writing");
                _writer = false;
                s._held.Remove(name);
            }
        }

        sealed class Atomic(long value) : IKAtomic
        {
            long _value = value;
            public long Read() => _value;
            public void Set(long v) => _value = v;
            public long Add(long delta) => _value += delta;

            public long CompareExchange(long expected, long v)
            {
                long old = _value;
                if (old == expected) _value = v;
                return old;
            }

            public long DecrementIfPositive()
            {
                long next = _value - 1;
                if (next >= 0) _value = next;
                return next;
            }

            public bool IncrementUnlessZero()
            {
                if (_value == 0) return false;
                _value++;
                return true;
            }
        }

        sealed class Cell : ISharedCell
        {
            public static readonly Cell Instance = new();
            public void Read() { }
            public void Write() { }
        }
    }

    /// <summary>Runs a program on the implementation with <see cref="BalancedSync"/> and on the model, and checks after
    /// every call that nothing is still held and that the result is the model's.</summary>
    static void RunBalanced(PlatformConfig config, IReadOnlyList<Command> program, string label)
    {
        var sync = new BalancedSync();
        var impl = new ImplSystem(config, sync);
        var model = new ModelSystem(config);
        for (int i = 0; i < program.Count; i++)
        {
            var c = program[i];
            c.Prepare(model);
            c.Prepare(impl);
            long expected = c.Invoke(model);
            long actual;
            try { actual = c.Invoke(impl); }
            catch (InvalidOperationException ex) { throw new Xunit.Sdk.XunitException($"{label} step {i + 1} ({c.Describe()}): {ex.Message}"); }
            Assert.True(sync.Held.Count == 0, $"{label} step {i + 1} ({c.Describe()}) returned holding {string.Join(", ", sync.Held)}");
            Assert.True(expected == actual, $"{label} step {i + 1} ({c.Describe()}): model {Errno.Describe(expected)}, implementation {Errno.Describe(actual)}");
        }
    }

    public static TheoryData<string> Scripts()
    {
        var d = new TheoryData<string>();
        foreach (var s in FindingScripts.All) d.Add(s.Name);
        return d;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    [Spec("LOCK-2", "LOCK-3", "LOCK-8")]
    public void Finding_scripts_release_every_lock(string name)
    {
        var s = FindingScripts.Get(name);
        RunBalanced(s.Config, s.Program, name);
    }

    public static TheoryData<Workload, int> Workloads()
    {
        var d = new TheoryData<Workload, int>();
        foreach (var w in Enum.GetValues<Workload>())
            foreach (int shift in new[] { 12, 16 })
                d.Add(w, shift);
        return d;
    }

    /// <summary>Generated programs of every workload (fixed seeds): every call releases what it took, including the error
    /// paths and the release paths (close, unset, exit) that the clause suites reach only once or twice.</summary>
    [Theory]
    [MemberData(nameof(Workloads))]
    [Spec("LOCK-2", "LOCK-3", "LOCK-4", "LOCK-5", "LOCK-8")]
    public void Generated_programs_release_every_lock(Workload workload, int pageShift)
    {
        var config = PlatformConfig.Small(pageShift);
        for (int seed = 0; seed < 6; seed++)
        {
            var program = new ProgramGenerator(config, c => new ModelSystem(c)).Generate(9000 + seed, 80, workload);
            RunBalanced(config, program, $"{workload} seed {9000 + seed} (page shift {pageShift})");
        }
    }

    [Fact]
    [Spec("LOCK-2")]
    public void Balanced_sync_rejects_the_misuses_it_is_for()
    {
        var s = new BalancedSync();
        var m = s.CreateMutex(LockId.ContainerMutex(1));
        m.Lock();
        Assert.Throws<InvalidOperationException>(m.Lock);
        m.Unlock();
        Assert.Throws<InvalidOperationException>(m.Unlock);
        var rw = s.CreateRwSemaphore(LockId.MmapSem(1));
        rw.DownRead();
        Assert.Throws<InvalidOperationException>(rw.DownWrite);
        rw.UpRead();
        Assert.Throws<InvalidOperationException>(rw.UpRead);
        rw.DownWrite();
        Assert.Throws<InvalidOperationException>(rw.DownRead);
        rw.UpWrite();
        Assert.Empty(s.Held);
    }
}
