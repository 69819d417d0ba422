using System.Buffers.Binary;
using System.Collections.Immutable;
using TceVerify.Contract;

namespace TceVerify.Model.Rules;

/// <summary>User-memory access: ABI-5 (copy_from_user), ABI-6 (copy_to_user), ABI-9 (an int), ABI-10 (a name),
/// and the byte-level helpers PROC-8 (poke/peek) shares with them.</summary>
public static class UserMemory
{
    /// <summary>STATE-3: the mapping of the system page holding a user address, or null when unmapped.</summary>
    public static UserPage? PageAt(World w, Mm mm, ulong addr) =>
        mm.Vm.TryGetValue(addr >> w.Config.PageShift, out var p) ? p : null;

    /// <summary>STATE-2: the absolute physical byte address of a user address inside a mapped page.</summary>
    public static long PhysicalAddress(World w, UserPage page, ulong addr) =>
        page.Pfn * (long)w.Config.PageSize + (long)(addr & (w.Config.PageSize - 1));

    /// <summary>ABI-5, PROC-8: whether [addr, addr + n) wraps past 2^64.</summary>
    public static bool Wraps(ulong addr, ulong n) => n != 0 && addr > ulong.MaxValue - (n - 1);

    /// <summary>STATE-2: one byte of physical memory (bytes start at zero).</summary>
    public static byte ReadPhysical(World w, long phys) => w.Bytes.TryGetValue(phys, out var b) ? b : (byte)0;

    /// <summary>STATE-2: sets one byte of physical memory in a builder of the sparse byte map.</summary>
    public static void WritePhysical(ImmutableSortedDictionary<long, byte>.Builder bytes, long phys, byte value)
    {
        if (value == 0) bytes.Remove(phys);
        else bytes[phys] = value;
    }

    /// <summary>
    /// Reads n bytes of an address space when every byte lies in a mapped page (either protection) and the range
    /// does not wrap; otherwise null and nothing is read. Shared by ABI-5 and PROC-8.
    /// </summary>
    public static byte[]? ReadMapped(World w, Mm mm, ulong addr, int n)
    {
        if (Wraps(addr, (ulong)n)) return null;                                 // ABI-5 / PROC-8: the range wraps
        var result = new byte[n];
        for (int i = 0; i < n; i++)
        {
            ulong a = addr + (ulong)i;
            if (PageAt(w, mm, a) is not { } page) return null;                   // ABI-5 / PROC-8: an unmapped byte
            result[i] = ReadPhysical(w, PhysicalAddress(w, page, a));
        }
        return result;
    }

    /// <summary>ABI-5 copy_from_user: current's address space; null means -EFAULT (nothing read).</summary>
    public static byte[]? CopyFromUser(World w, Caller c, ulong addr, int n)
    {
        if (!c.HasMm) return null;                                               // STATE-9: no mm, no address space
        return ReadMapped(w, w.MmOf(c.Pid), addr, n);                            // ABI-5
    }

    /// <summary>
    /// ABI-6 copy_to_user: writes ascending, stopping at the first byte whose page is unmapped or read-only; the
    /// bytes written before the stop stay written. Returns 0, or -EFAULT with those partial writes.
    /// </summary>
    public static Step CopyToUser(World w, Caller c, ulong addr, byte[] data)
    {
        if (!c.HasMm) return Step.Fail(w, Errno.EFAULT);                        // STATE-9: no mm, nothing written
        var mm = w.MmOf(c.Pid);
        var bytes = w.Bytes.ToBuilder();
        long result = 0;
        for (int i = 0; i < data.Length; i++)
        {
            if (Wraps(addr, (ulong)i + 1)) { result = -Errno.EFAULT; break; }    // ABI-6: past 2^64 is never mapped
            ulong a = addr + (ulong)i;
            if (PageAt(w, mm, a) is not { Writable: true } page)                 // ABI-6: unmapped or read-only
            {
                result = -Errno.EFAULT;
                break;
            }
            WritePhysical(bytes, PhysicalAddress(w, page, a), data[i]);
        }
        return new Step(w with { Bytes = bytes.ToImmutable() }, result);         // ABI-6, INV-5: partial writes stay
    }

    /// <summary>ABI-9: reads the int32 at addr; null means -EFAULT.</summary>
    public static int? ReadInt32(World w, Caller c, ulong addr)
    {
        var raw = CopyFromUser(w, c, addr, 4);                                   // ABI-9 (ABI-5)
        return raw is null ? null : BinaryPrimitives.ReadInt32LittleEndian(raw);
    }

    /// <summary>
    /// ABI-10: reads a NUL-terminated name one byte at a time, at most one system page of bytes. Returns 0 with the
    /// name (without its NUL), -EFAULT on an unmapped byte before the NUL, -EINVAL when no NUL comes in time.
    /// </summary>
    public static long ReadName(World w, Caller c, ulong addr, out string name)
    {
        name = "";
        var chars = new System.Text.StringBuilder();
        ulong limit = w.Config.PageSize;
        for (ulong i = 0; i < limit; i++)
        {
            if (!c.HasMm) return -Errno.EFAULT;                                  // STATE-9: no address space
            if (Wraps(addr, i + 1)) return -Errno.EFAULT;                         // ABI-10 (ABI-5): past 2^64 faults
            ulong a = addr + i;
            if (PageAt(w, w.MmOf(c.Pid), a) is not { } page) return -Errno.EFAULT; // ABI-10: unmapped before the NUL
            byte b = ReadPhysical(w, PhysicalAddress(w, page, a));
            if (b == 0)
            {
                name = chars.ToString();
                return 0;
            }
            chars.Append((char)b);
        }
        return -Errno.EINVAL;                                                     // ABI-10: no NUL within a page
    }
}
