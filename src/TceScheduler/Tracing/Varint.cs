namespace TceVerify.Scheduling;

/// <summary>LEB128 unsigned varints for the compact trace form.</summary>
internal static class Varint
{
    internal static void Write(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }
        output.Add((byte)value);
    }

    internal static ulong Read(byte[] input, ref int position, string field)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= input.Length)
            {
                throw new TraceFormatException($"invalid trace: truncated while reading {field} at byte {position}");
            }
            byte b = input[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new TraceFormatException($"invalid trace: {field} is not a valid varint (byte {position})");
    }

    internal static int ReadInt(byte[] input, ref int position, string field)
    {
        ulong v = Read(input, ref position, field);
        if (v > int.MaxValue) throw new TraceFormatException($"invalid trace: {field} = {v} is out of range");
        return (int)v;
    }
}
