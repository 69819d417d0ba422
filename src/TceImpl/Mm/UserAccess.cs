using System.Buffers.Binary;
using TceVerify.Contract;

namespace TceVerify.Impl.Mm;

/// <summary>
/// The uaccess helpers the driver and the core use on behalf of <c>current</c> (ABI-5, ABI-6, ABI-9, ABI-10).
/// With no mm (the exit path, STATE-9) nothing is mapped, so every access faults.
/// </summary>
internal static class UserAccess
{
    /// <summary>ABI-5 copy_from_user: all or nothing; -EFAULT on an unmapped byte or a wrap past 2^64.</summary>
    internal static int CopyFromUser(in Current cur, ulong addr, Span<byte> dst)
    {
        var mm = cur.Mm;
        if (mm is null) return -Errno.EFAULT; // ABI-5, STATE-9: no mm, nothing mapped
        return mm.Read(addr, dst);
    }

    /// <summary>ABI-6 copy_to_user: ascending, stops at the first unmapped or read-only byte (-EFAULT);
    /// bytes before the stop stay written.</summary>
    internal static int CopyToUser(in Current cur, ulong addr, ReadOnlySpan<byte> src)
    {
        var mm = cur.Mm;
        if (mm is null) return src.Length == 0 ? 0 : -Errno.EFAULT; // ABI-6, STATE-9
        return mm.WriteUser(addr, src);
    }

    /// <summary>ABI-9 get_user of an int32.</summary>
    internal static int GetUserInt32(in Current cur, ulong addr, out int value)
    {
        Span<byte> b = stackalloc byte[4];
        int ret = CopyFromUser(cur, addr, b);
        // Stryker disable once Conditional
        value = ret == 0 ? BinaryPrimitives.ReadInt32LittleEndian(b) : 0;
        return ret;
    }

    /// <summary>ABI-10 strndup_user, limited to one system page.</summary>
    internal static int StrndupUser(in Current cur, ulong addr, int max, out byte[]? s)
    {
        var mm = cur.Mm;
        if (mm is null)
        {
            s = null;
            return -Errno.EFAULT; // ABI-10, STATE-9: no mm, nothing mapped
        }
        return mm.ReadString(addr, max, out s);
    }
}
