namespace TceVerify.Scheduling;

/// <summary>
/// One row of the readable trace. Labels are kept as (operation, target) references so that
/// recording never concatenates strings on the hot path.
/// </summary>
internal struct TraceEvent
{
    internal int Thread;   // -1 = setup
    internal int Step;     // decision number (1-based) current when the event happened
    internal TraceEventKind Kind;
    internal string Operation;
    internal string? Target;
    internal int Value;
    internal string? State; // described state after this event (verbose runs only)

    internal readonly string Label => Kind switch
    {
        TraceEventKind.DataChoice => $"{Operation} -> {Value}",
        _ => Target is null ? Operation : Operation + " " + Target,
    };
}
