namespace TceVerify.Scheduling;

/// <summary>
/// Hooks for one field of shared state: call <see cref="OnRead"/> / <see cref="OnWrite"/> right
/// before reading / writing the field. Each hook is a scheduling point followed by a
/// happens-before check: two accesses from different threads, at least one a write, that no
/// lock, rw-semaphore, atomic, spawn or join orders, are reported as a data race, even when the
/// final value happens to be right.
/// </summary>
public class SharedCell : ControlledObject
{
    private int _writeSlot = -1;
    private int _writeEpoch;
    private int _writeStep;
    private string? _writeLabel;
    private int[]? _readEpochs;
    private int[]? _readSteps;
    private string?[]? _readLabels;

    public SharedCell(string name)
        : base(name) { }

    /// <param name="label">Trace label; defaults to "read &lt;name&gt;".</param>
    public void OnRead(string? label = null)
    {
        LogicalThread? t = Enter();
        if (t is null) return;
        ControlledRuntime rt = t.Runtime;
        rt.SchedulePoint(t, label ?? "read", label is null ? Name : null, isYield: false);
        if (!rt.TracksRaces) return;
        int slot = t.Slot;
        if (_writeSlot >= 0 && _writeSlot != slot && _writeEpoch > t.Clock[_writeSlot])
        {
            ReportRace(rt, t, _writeSlot, _writeLabel ?? "write " + Name, _writeStep, label ?? "read " + Name);
        }
        _readEpochs ??= new int[ControlledRuntime.ClockLength];
        _readSteps ??= new int[ControlledRuntime.ClockLength];
        _readLabels ??= new string?[ControlledRuntime.ClockLength];
        _readEpochs[slot] = t.Clock[slot];
        _readSteps[slot] = rt.CurrentStep;
        _readLabels[slot] = label;
    }

    /// <param name="label">Trace label; defaults to "write &lt;name&gt;".</param>
    public void OnWrite(string? label = null)
    {
        LogicalThread? t = Enter();
        if (t is null) return;
        ControlledRuntime rt = t.Runtime;
        rt.SchedulePoint(t, label ?? "write", label is null ? Name : null, isYield: false);
        if (!rt.TracksRaces) return;
        int slot = t.Slot;
        string mine = label ?? "write " + Name;
        if (_writeSlot >= 0 && _writeSlot != slot && _writeEpoch > t.Clock[_writeSlot])
        {
            ReportRace(rt, t, _writeSlot, _writeLabel ?? "write " + Name, _writeStep, mine);
        }
        if (_readEpochs is not null)
        {
            for (int u = 0, width = rt.ClockWidth; u < width; u++)
            {
                if (u != slot && _readEpochs[u] > t.Clock[u])
                {
                    ReportRace(rt, t, u, _readLabels![u] ?? "read " + Name, _readSteps![u], mine);
                }
            }
            Array.Clear(_readEpochs, 0, rt.ClockWidth); // ordered after every earlier read, or reported above
        }
        _writeSlot = slot;
        _writeEpoch = t.Clock[slot];
        _writeStep = rt.CurrentStep;
        _writeLabel = label;
    }

    private void ReportRace(ControlledRuntime rt, LogicalThread t, int otherSlot, string otherLabel, int otherStep, string label)
    {
        rt.Fail(BugKind.DataRace,
            $"data race on '{Name}': {rt.SlotName(otherSlot)} '{otherLabel}' (step {otherStep}) and {t} '{label}' (step {rt.CurrentStep}) are not ordered by any lock, rw-semaphore, atomic, spawn or join");
    }

    private protected override void ResetForIteration()
    {
        _writeSlot = -1;
        _writeEpoch = 0;
        _writeLabel = null;
        if (_readEpochs is not null) Array.Clear(_readEpochs);
        ResetValue();
    }

    /// <summary>Lets <see cref="SharedCell{T}"/> restore its initial value in a new iteration.</summary>
    private protected virtual void ResetValue() { }
}
