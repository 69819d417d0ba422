using System.Buffers.Binary;
using TceVerify.Contract;
using TceVerify.Harness.Invariants;

namespace TceVerify.Harness.Programs;

public sealed record OpenContainerCmd(int Pid) : Command
{
    public override long Invoke(ITceSystem s) => s.OpenContainer(Pid);
    public override string Describe() => $"open_container pid {Pid}";
    public override string ToCode() => $"new OpenContainerCmd({Pid})";
}

public sealed record OpenGroupCmd(int Pid, int Group) : Command
{
    public override long Invoke(ITceSystem s) => s.OpenGroup(Pid, Group);
    public override string Describe() => $"open_group pid {Pid} group {Group}";
    public override string ToCode() => $"new OpenGroupCmd({Pid}, {Group})";
}

public sealed record CloseCmd(int Pid, int Fd) : Command
{
    public override long Invoke(ITceSystem s) => s.Close(Pid, Fd);
    public override string Describe() => $"close pid {Pid} fd {Fd}";
    public override string ToCode() => $"new CloseCmd({Pid}, {Fd})";
}

public sealed record ForkCmd(int Pid) : Command
{
    public override long Invoke(ITceSystem s) => s.Fork(Pid);
    public override string Describe() => $"fork pid {Pid}";
    public override string ToCode() => $"new ForkCmd({Pid})";
}

public sealed record PassFdCmd(int From, int Fd, int To) : Command
{
    public override long Invoke(ITceSystem s) => s.PassFd(From, Fd, To);
    public override string Describe() => $"pass_fd pid {From} fd {Fd} -> pid {To}";
    public override string ToCode() => $"new PassFdCmd({From}, {Fd}, {To})";
}

public sealed record ExitCmd(int Pid) : Command
{
    public override long Invoke(ITceSystem s) => s.Exit(Pid);
    public override string Describe() => $"exit pid {Pid}";
    public override string ToCode() => $"new ExitCmd({Pid})";
}

public sealed record MapPageCmd(int Pid, ulong Vpage, long Pfn, bool Writable) : Command
{
    public override long Invoke(ITceSystem s) => s.MapUserPage(Pid, Vpage, Pfn, Writable);
    public override string Describe() => $"mmap pid {Pid} vpage {Hex(Vpage)} -> pfn {HexL(Pfn)} {(Writable ? "rw" : "ro")}";
    public override string ToCode() => $"new MapPageCmd({Pid}, 0x{Vpage:x}UL, 0x{Pfn:x}, {(Writable ? "true" : "false")})";
}

public sealed record UnmapPageCmd(int Pid, ulong Vpage) : Command
{
    public override long Invoke(ITceSystem s) => s.UnmapUserPage(Pid, Vpage);
    public override string Describe() => $"munmap pid {Pid} vpage {Hex(Vpage)}";
    public override string ToCode() => $"new UnmapPageCmd({Pid}, 0x{Vpage:x}UL)";
}

public sealed record HostAllocCmd(int Group, long Pages) : Command
{
    public override long Invoke(ITceSystem s) => s.HostAlloc(Group, Pages);
    public override string Describe() => $"host_alloc group {Group} pages {Pages}";
    public override string ToCode() => $"new HostAllocCmd({Group}, {Pages})";
}

public sealed record HostFreeCmd(int Group, long Entry, long Pages) : Command
{
    public override long Invoke(ITceSystem s) => s.HostFree(Group, Entry, Pages);
    public override string Describe() => $"host_free group {Group} entry {HexL(Entry)} pages {Pages}";
    public override string ToCode() => $"new HostFreeCmd({Group}, 0x{Entry:x}, {Pages})";
}

public sealed record HostStaleCmd(int Group, long Entry, ulong Tce) : Command
{
    public override long Invoke(ITceSystem s) => s.HostWriteStale(Group, Entry, Tce);
    public override string Describe() => $"host_write_stale group {Group} entry {HexL(Entry)} tce {Hex(Tce)}";
    public override string ToCode() => $"new HostStaleCmd({Group}, 0x{Entry:x}, 0x{Tce:x}UL)";
}

public sealed record InjectCmd(int Group, int Nth) : Command
{
    public override long Invoke(ITceSystem s) => s.InjectTceWriteFailure(Group, Nth);
    public override string Describe() => $"inject group {Group} nth {Nth}";
    public override string ToCode() => $"new InjectCmd({Group}, {Nth})";
    public override FailureAllowance Allowance => FailureAllowance.None;
}

/// <summary>
/// HOST-8, DEV-1: a device of <paramref name="Group"/> DMAs <paramref name="Length"/> bytes at <paramref name="Iova"/>.
/// A write sends <paramref name="Length"/> bytes of <paramref name="Fill"/>; a read that succeeds returns a digest of
/// the bytes read (FNV-1a 64, masked to 62 bits, so never negative), so that comparing results compares what was read.
/// The buffer is clamped to [0, DmaMaxBytes + 1] bytes: every length past DmaMaxBytes gets DEV-1's -EINVAL the same way
/// (a negative length as 0), and no generated command allocates more than that.
/// </summary>
public sealed record DmaCmd(int Group, ulong Iova, int Length, DmaDirection Direction, byte Fill) : Command
{
    public override long Invoke(ITceSystem s)
    {
        var data = new byte[Math.Clamp(Length, 0, Memory.DmaMaxBytes + 1)];
        if (Direction == DmaDirection.Write) data.AsSpan().Fill(Fill);
        long r = s.DeviceDma(Group, Iova, Direction, data);
        return r < 0 || Direction == DmaDirection.Write ? r : Digest(data);
    }

    /// <summary>FNV-1a 64 of the bytes, masked to 62 bits: a non-negative result that no errno collides with.</summary>
    public static long Digest(ReadOnlySpan<byte> bytes)
    {
        ulong h = 0xcbf29ce484222325UL;
        foreach (var b in bytes) h = (h ^ b) * 0x100000001b3UL;
        return (long)(h & ((1UL << 62) - 1));
    }

    public override string Describe() =>
        $"dma group {Group} {(Direction == DmaDirection.Write ? "write" : "read")} iova {Hex(Iova)} len {Length}" +
        (Direction == DmaDirection.Write ? $" fill 0x{Fill:x2}" : "");

    public override string ToCode() => $"new DmaCmd({Group}, 0x{Iova:x}UL, {Length}, DmaDirection.{Direction}, 0x{Fill:x2})";
}

/// <summary>HOST-8, PAGE-3: the host kernel takes frame <paramref name="Pfn"/> if it is free.</summary>
public sealed record HostReuseCmd(long Pfn) : Command
{
    public override long Invoke(ITceSystem s) => s.HostReuse(Pfn);
    public override string Describe() => $"host_reuse pfn {(Pfn >= 0 ? $"0x{Pfn:x}" : Pfn.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
    public override string ToCode() => $"new HostReuseCmd({(Pfn >= 0 ? $"0x{Pfn:x}" : Pfn.ToString(System.Globalization.CultureInfo.InvariantCulture))})";
}

/// <summary>An ioctl whose arg is a plain value (or an address used as is, with nothing staged).</summary>
public sealed record IoctlCmd(int Pid, int Fd, uint Cmd, ulong Arg) : Command
{
    public override long Invoke(ITceSystem s) => s.Ioctl(Pid, Fd, Cmd, Arg);
    public override string Describe() => $"{Ioctls.Name(Cmd)} pid {Pid} fd {Fd} arg {Hex(Arg)}";
    public override string ToCode() => $"new IoctlCmd({Pid}, {Fd}, 0x{Cmd:x8}u, 0x{Arg:x}UL)";
    public override FailureAllowance Allowance => ArgAllowance.For(Cmd);
}

/// <summary>An ioctl whose argument bytes are first written at a user address (ABI-4), then passed by address.</summary>
public sealed record IoctlArgCmd(int Pid, int Fd, uint Cmd, ulong Addr, byte[] Bytes) : Command
{
    public override void Prepare(ITceSystem s) => s.PokeUser(Pid, Addr, Bytes);
    public override long Invoke(ITceSystem s) => s.Ioctl(Pid, Fd, Cmd, Addr);
    public override bool Stages => true;
    public override FailureAllowance Allowance => ArgAllowance.For(Cmd);

    public override string Describe() => $"{Ioctls.Name(Cmd)} pid {Pid} fd {Fd} {ArgText.Decode(Cmd, Bytes)} @{Hex(Addr)}";

    public override string ToCode() => $"new IoctlArgCmd({Pid}, {Fd}, 0x{Cmd:x8}u, 0x{Addr:x}UL, Convert.FromHexString(\"{Convert.ToHexString(Bytes)}\"))";

    public bool Equals(IoctlArgCmd? other) =>
        other is not null && Pid == other.Pid && Fd == other.Fd && Cmd == other.Cmd && Addr == other.Addr && Bytes.AsSpan().SequenceEqual(other.Bytes);

    public override int GetHashCode() => HashCode.Combine(Pid, Fd, Cmd, Addr, Bytes.Length);
}

/// <summary>What INV-5 allows a failed ioctl to change, by command (ABI-6, MAP-11, HOST-7).</summary>
public static class ArgAllowance
{
    public static FailureAllowance For(uint cmd)
    {
        if (cmd == Ioctls.SpaprTceGetInfo || cmd == Ioctls.GroupGetStatus) return new(UserMemory: true, false, false);
        if (cmd == Ioctls.MapDma) return new(false, DirtyBits: true, InjectCountdown: true);
        return FailureAllowance.None;
    }
}

/// <summary>Decodes known ioctl structs for readable programs.</summary>
public static class ArgText
{
    public static string Decode(uint cmd, byte[] b)
    {
        if (cmd == Ioctls.MapDma && b.Length >= Abi.DmaMapMinsz)
            return $"{{argsz {U32(b, 0)} flags {Flags(U32(b, 4))} vaddr 0x{U64(b, 8):x} iova 0x{U64(b, 16):x} size 0x{U64(b, 24):x}}}";
        if (cmd == Ioctls.UnmapDma && b.Length >= Abi.DmaUnmapMinsz)
            return $"{{argsz {U32(b, 0)} flags {U32(b, 4)} iova 0x{U64(b, 8):x} size 0x{U64(b, 16):x}}}";
        if ((cmd == Ioctls.SpaprTceGetInfo || cmd == Ioctls.GroupGetStatus) && b.Length >= 4)
            return $"{{argsz {U32(b, 0)}{(b.Length > 4 ? $" +{b.Length - 4} bytes" : "")}}}";
        if (cmd == Ioctls.GroupSetContainer && b.Length == 4)
            return $"{{fd {BinaryPrimitives.ReadInt32LittleEndian(b)}}}";
        if (cmd == Ioctls.GroupGetDeviceFd && b.Length > 0 && b[^1] == 0)
            return $"\"{System.Text.Encoding.ASCII.GetString(b, 0, b.Length - 1)}\"";
        return "bytes " + Convert.ToHexString(b);
    }

    static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));
    static ulong U64(byte[] b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at));

    static string Flags(uint f) => f switch
    {
        0 => "0",
        Abi.MapFlagRead => "R",
        Abi.MapFlagWrite => "W",
        Abi.MapFlagRead | Abi.MapFlagWrite => "RW",
        _ => $"0x{f:x}",
    };
}
