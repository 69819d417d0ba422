using System.Buffers.Binary;

namespace TceVerify.Contract;

/// <summary>Constants and struct layouts of the user ABI (ABI-*). Structs are little-endian (ppc64le).</summary>
public static class Abi
{
    public const int IommuPageShift = 12;
    public const ulong IommuPageSize = 1UL << IommuPageShift;
    public const ulong IommuPageMask = ~(IommuPageSize - 1);

    public const ulong TcePciRead = 0x1;
    public const ulong TcePciWrite = 0x2;
    public const ulong TcePermMask = TcePciRead | TcePciWrite;

    public const ulong Type1Iommu = 1;
    public const ulong SpaprTceIommu = 2;
    public const int ApiVersion = 0;

    public const uint MapFlagRead = 1u << 0;
    public const uint MapFlagWrite = 1u << 1;

    public const uint GroupFlagViable = 1u << 0;
    public const uint GroupFlagContainerSet = 1u << 1;

    /// <summary>minsz of each struct ioctl: offsetofend of its last mandatory field.</summary>
    public const int TceInfoMinsz = 16;   // argsz, flags, dma32_window_start, dma32_window_size (u32 each)
    public const int DmaMapMinsz = 32;    // argsz, flags (u32); vaddr, iova, size (u64)
    public const int DmaUnmapMinsz = 24;  // argsz, flags (u32); iova, size (u64)
    public const int GroupStatusMinsz = 8; // argsz, flags (u32)

    public static bool InUse(ulong tce) => (tce & TcePermMask) != 0;

    public static byte[] DmaMap(uint argsz, uint flags, ulong vaddr, ulong iova, ulong size)
    {
        var b = new byte[DmaMapMinsz];
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0), argsz);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), flags);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), vaddr);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), iova);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(24), size);
        return b;
    }

    public static byte[] DmaUnmap(uint argsz, uint flags, ulong iova, ulong size)
    {
        var b = new byte[DmaUnmapMinsz];
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0), argsz);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), flags);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), iova);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), size);
        return b;
    }

    public static byte[] TceInfo(uint argsz) => Header(argsz, TceInfoMinsz);

    public static byte[] GroupStatus(uint argsz) => Header(argsz, GroupStatusMinsz);

    public static byte[] Int32(int value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        return b;
    }

    /// <summary>A NUL-terminated ASCII string (device names for GET_DEVICE_FD).</summary>
    public static byte[] CString(string s)
    {
        var b = new byte[s.Length + 1];
        for (int i = 0; i < s.Length; i++) b[i] = (byte)s[i];
        return b;
    }

    static byte[] Header(uint argsz, int size)
    {
        var b = new byte[size];
        BinaryPrimitives.WriteUInt32LittleEndian(b, argsz);
        return b;
    }
}
