namespace TceVerify.Scheduling;

/// <summary>One event of a failing schedule: the logical thread (-1: the setup, before the threads), the scheduling
/// decision it took (null for an event that is not a decision: an unlock, a data choice, a thread's end), what it did,
/// and the described state after it (null when states were not described).</summary>
public sealed record ScheduleEvent(int Thread, int? Step, string Label, string? State);
