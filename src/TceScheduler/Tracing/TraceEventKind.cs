namespace TceVerify.Scheduling;

internal enum TraceEventKind : byte
{
    /// <summary>A scheduling decision chose this thread to perform its pending operation.</summary>
    Scheduled,
    /// <summary>A non-preempting operation (unlock, up_read, ...).</summary>
    Operation,
    /// <summary>A data choice; <see cref="TraceEvent.Value"/> holds the value.</summary>
    DataChoice,
    /// <summary>The thread's body returned.</summary>
    Finished,
}
