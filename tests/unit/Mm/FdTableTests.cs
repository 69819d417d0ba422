using TceVerify.Contract;
using TceVerify.Harness.Programs;
using TceVerify.Impl.Mm;
using TceVerify.Impl.Sync;
using TceVerify.TestKit;
using Xunit;
using static TceVerify.Tests.Unit.IommuTableTests;

namespace TceVerify.Tests.Unit;

/// <summary>Files (STATE-4, PROC-2, PROC-6): fget after the last close, and fd tables that outgrow their first array.</summary>
public sealed class FdTableTests
{
    sealed class CountingRwSemaphore : IKRwSemaphore
    {
        public int Readers, Writers;
        public void DownRead() { Assert.Equal(0, Writers); Readers++; }
        public void UpRead() { Assert.True(Readers > 0); Readers--; }
        public void DownWrite() { Assert.Equal(0, Readers); Assert.Equal(0, Writers); Writers = 1; }
        public void UpWrite() { Assert.Equal(1, Writers); Writers = 0; }
    }

    sealed class CountingSync : ISyncLayer
    {
        public readonly List<CountingRwSemaphore> Semaphores = new();
        public IKMutex CreateMutex(LockId id) => RealSync.Instance.CreateMutex(id);
        public IKMutex CreateSpinLock(LockId id) => RealSync.Instance.CreateSpinLock(id);
        public IKAtomic CreateAtomic(string name, long initial) => RealSync.Instance.CreateAtomic(name, initial);
        public ISharedCell CreateCell(string name) => RealSync.Instance.CreateCell(name);
        public IKRwSemaphore CreateRwSemaphore(LockId id)
        {
            var s = new CountingRwSemaphore();
            Semaphores.Add(s);
            return s;
        }
    }

    sealed class PlainFile(ISyncLayer sync) : KFile(sync, 1, "plain")
    {
        public int Releases;
        internal override long Ioctl(in Current cur, uint cmd, ulong arg) => -Errno.ENOTTY;
        protected override void Release(in Current cur) => Releases++;
    }

    /// <summary>PROC-6: the last entry's drop releases the file once; a later fget fails (PROC-2: -EBADF for its
    /// caller) and leaves the file's user count as it was.</summary>
    [Fact]
    [Spec("PROC-2", "PROC-6", "LOCK-7")]
    public void Fget_after_the_last_close_fails_and_holds_nothing()
    {
        var sync = new CountingSync();
        var f = new PlainFile(sync);
        var users = Assert.Single(sync.Semaphores);
        var mem = new PhysicalMemory(16, 12);
        var cur = new Current(Proc(mem), null);
        Assert.True(f.TryGet());
        Assert.Equal(1, users.Readers);
        f.Put();
        f.Entries.Add(1);                                      // a second fd table entry
        f.DropEntry(cur);
        Assert.Equal(0, f.Releases);
        Assert.True(f.TryGet());
        f.Put();
        f.DropEntry(cur);
        Assert.Equal(1, f.Releases);
        Assert.False(f.TryGet());
        Assert.Equal(0, users.Readers);
        Assert.False(f.TryGet());
        Assert.Equal(0, users.Readers);
    }

    /// <summary>STATE-4: the lowest free fd is used, however many are open, and numbers freed in the middle are reused.</summary>
    [Fact]
    [Spec("STATE-4", "PROC-6")]
    public void Many_open_files_get_the_lowest_free_numbers()
    {
        var config = PlatformConfig.Small();
        var s = new Script(config);
        for (int i = 0; i < 20; i++) s.OpenContainer(1);   // fds 3 .. 22
        s.Close(1, 5).Close(1, 17).OpenContainer(1).OpenContainer(1).OpenContainer(1).Fork(1).OpenContainer(3);
        ImplSystemSequenceTests.Agree(config, s.Commands);
    }
}
