using System.Collections.Immutable;
using TceVerify.Contract;

namespace TceVerify.Model.Rules;

/// <summary>Process calls (PROC) and the fd-table bookkeeping of STATE-4.</summary>
public static class ProcRules
{
    /// <summary>PROC-1: the pid exists and its mm has not exited.</summary>
    public static bool IsLive(World w, int pid) => w.Processes.TryGetValue(pid, out var p) && !p.Mm.Exited;

    /// <summary>STATE-4: the lowest fd number >= 3 free in a process's table.</summary>
    public static int LowestFreeFd(Process p)
    {
        int fd = 3;
        while (p.Fds.ContainsKey(fd)) fd++;
        return fd;
    }

    /// <summary>STATE-4: a new fd in pid's table referring to an existing file.</summary>
    public static (World World, int Fd) AddFd(World w, int pid, int fileId)
    {
        var p = w.Processes[pid];
        int fd = LowestFreeFd(p);
        return (w.WithProcess(p with { Fds = p.Fds.SetItem(fd, fileId) }), fd);
    }

    /// <summary>STATE-4: a new open file and a new fd for it in pid's table.</summary>
    public static (World World, int Fd) InstallFile(World w, int pid, OpenFile file)
    {
        int fileId = w.NextFileId;
        w = w with { Files = w.Files.SetItem(fileId, file), NextFileId = fileId + 1 };
        return AddFd(w, pid, fileId);
    }

    /// <summary>STATE-4: whether any fd entry of any process refers to the file.</summary>
    public static bool IsReferenced(World w, int fileId)
    {
        foreach (var p in w.Processes.Values)
            foreach (var f in p.Fds.Values)
                if (f == fileId) return true;
        return false;
    }

    /// <summary>PROC-3 fork(pid): a child with pid = the largest pid ever + 1, a live mm (locked_vm 0, the parent's
    /// limits and mappings) and a copy of the parent's fd table. Returns the child's pid.</summary>
    public static Step Fork(World w, int pid)
    {
        if (!IsLive(w, pid)) return Step.Fail(w, Errno.ESRCH);                                // PROC-1
        var parent = w.Processes[pid];
        int child = w.Processes.Keys.Max() + 1;                                                // STATE-3: processes are
                                                                                               // never removed, so the
                                                                                               // largest key is the largest
                                                                                               // pid that ever existed
        var mm = parent.Mm with { LockedVm = 0 };                                              // PROC-3: live, locked_vm 0,
                                                                                               // same limits, same mappings
        return Step.Ok(w.WithProcess(new Process(child, mm, parent.Fds)), child);              // PROC-3: same fds, files
    }

    /// <summary>PROC-4 pass(from, fd, to): the receiver gets a new fd for the same file.</summary>
    public static Step PassFd(World w, int from, int fd, int to)
    {
        if (!IsLive(w, from)) return Step.Fail(w, Errno.ESRCH);                                // PROC-4: from live
        if (!w.Processes[from].Fds.TryGetValue(fd, out var fileId))
            return Step.Fail(w, Errno.EBADF);                                                  // PROC-4: fd valid in from
        if (!IsLive(w, to)) return Step.Fail(w, Errno.ESRCH);                                  // PROC-4: to exists and live
        var (w2, newFd) = AddFd(w, to, fileId);                                                // PROC-4, STATE-4
        return Step.Ok(w2, newFd);
    }

    /// <summary>PROC-5 exit(pid): the mm exits and its address space is emptied (pins stay); then every fd is
    /// closed in ascending order as PROC-6, with current = the exiting process and no mm (STATE-9).</summary>
    public static Step Exit(World w, int pid)
    {
        if (!IsLive(w, pid)) return Step.Fail(w, Errno.ESRCH);                                // PROC-1
        var p = w.Processes[pid];
        w = w.WithProcess(p with
        {
            Mm = p.Mm with { Exited = true, Vm = ImmutableSortedDictionary<ulong, UserPage>.Empty }, // PROC-5, STATE-3
        });
        var exiting = Caller.Exiting(pid);                                                     // PROC-5, STATE-9: no mm
        foreach (int fd in p.Fds.Keys)                                                         // PROC-5: ascending order
            w = CloseEntry(w, exiting, fd);                                                    // PROC-5 -> PROC-6
        return Step.Ok(w);
    }

    /// <summary>PROC-6 close(pid, fd).</summary>
    public static Step Close(World w, int pid, int fd)
    {
        if (!IsLive(w, pid)) return Step.Fail(w, Errno.ESRCH);                                // PROC-1
        if (!w.Processes[pid].Fds.ContainsKey(fd)) return Step.Fail(w, Errno.EBADF);          // PROC-2
        return Step.Ok(CloseEntry(w, Caller.Live(pid), fd));                                   // PROC-6
    }

    /// <summary>PROC-6: removes the entry; when it was the last one referring to its file, the file is released
    /// in the caller's context (CORE-5, CORE-26, CORE-30).</summary>
    public static World CloseEntry(World w, Caller c, int fd)
    {
        var p = w.Processes[c.Pid];
        int fileId = p.Fds[fd];
        w = w.WithProcess(p with { Fds = p.Fds.Remove(fd) });                                  // PROC-6: entry removed
        if (IsReferenced(w, fileId)) return w;                                                 // STATE-4: not the last
        var file = w.Files[fileId];
        w = w with { Files = w.Files.Remove(fileId) };
        return CoreRules.ReleaseFile(w, c, file);                                              // PROC-6: released
    }

    /// <summary>PROC-7 mmap(pid, vpage, pfn, writable): maps (or replaces) one page; counts do not change.</summary>
    public static Step MapUserPage(World w, int pid, ulong vpage, long pfn, bool writable)
    {
        if (!IsLive(w, pid)) return Step.Fail(w, Errno.ESRCH);                                // PROC-1
        if (!w.IsFrame(pfn)) return Step.Fail(w, Errno.EINVAL);                                // PROC-7: outside the frames
        if (w.Page(pfn).Owner == FrameOwner.Host) return Step.Fail(w, Errno.EBUSY);             // PAGE-4: the host holds it
        var mm = w.MmOf(pid);
        return Step.Ok(w.WithMm(pid, mm with { Vm = mm.Vm.SetItem(vpage, new UserPage(pfn, writable)) })); // PROC-7, PAGE-4: no reuse
    }

    /// <summary>PROC-7 munmap(pid, vpage): removes one mapping; pins taken through it stay (STATE-2).</summary>
    public static Step UnmapUserPage(World w, int pid, ulong vpage)
    {
        if (!IsLive(w, pid)) return Step.Fail(w, Errno.ESRCH);                                // PROC-1
        var mm = w.MmOf(pid);
        if (!mm.Vm.ContainsKey(vpage)) return Step.Fail(w, Errno.EINVAL);                      // PROC-7: not mapped
        return Step.Ok(w.WithMm(pid, mm with { Vm = mm.Vm.Remove(vpage) }));                  // PROC-7
    }

    /// <summary>PROC-8 poke: the harness writes user memory; every byte mapped (protection ignored) or nothing.</summary>
    public static Step Poke(World w, int pid, ulong vaddr, ReadOnlySpan<byte> data)
    {
        if (!IsLive(w, pid)) return Step.Fail(w, Errno.ESRCH);                                // PROC-1
        var mm = w.MmOf(pid);
        if (UserMemory.Wraps(vaddr, (ulong)data.Length)) return Step.Fail(w, Errno.EFAULT);   // PROC-8: wraps
        for (int i = 0; i < data.Length; i++)
            if (UserMemory.PageAt(w, mm, vaddr + (ulong)i) is null)
                return Step.Fail(w, Errno.EFAULT);                                             // PROC-8: an unmapped byte
        var bytes = w.Bytes.ToBuilder();
        for (int i = 0; i < data.Length; i++)
        {
            ulong a = vaddr + (ulong)i;
            var page = UserMemory.PageAt(w, mm, a)!.Value;
            UserMemory.WritePhysical(bytes, UserMemory.PhysicalAddress(w, page, a), data[i]); // PROC-8: protection ignored
        }
        return Step.Ok(w with { Bytes = bytes.ToImmutable() });
    }

    /// <summary>PROC-8 peek: the harness reads user memory; every byte mapped or nothing is read.</summary>
    public static long Peek(World w, int pid, ulong vaddr, int length, out byte[] data)
    {
        data = [];
        if (!IsLive(w, pid)) return -Errno.ESRCH;                                              // PROC-1
        var read = UserMemory.ReadMapped(w, w.MmOf(pid), vaddr, length);                       // PROC-8
        if (read is null) return -Errno.EFAULT;                                                // PROC-8: wraps or unmapped
        data = read;
        return 0;
    }
}
