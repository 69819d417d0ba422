namespace TceVerify.Scheduling;

/// <summary>One recorded decision: the thread scheduled at a step, or a data choice value.</summary>
public readonly record struct TraceStep(bool IsDataChoice, int Value)
{
    public static TraceStep Thread(int threadId) => new(false, threadId);

    public static TraceStep Data(int value) => new(true, value);

    internal int Encode() => (Value << 1) | (IsDataChoice ? 1 : 0);

    internal static TraceStep Decode(int encoded) => new((encoded & 1) != 0, (int)((uint)encoded >> 1));

    public override string ToString() => IsDataChoice ? $"data({Value})" : $"thread({Value})";
}
