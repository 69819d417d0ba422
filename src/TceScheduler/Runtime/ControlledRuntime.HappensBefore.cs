namespace TceVerify.Scheduling;

/// <summary>
/// Vector-clock happens-before tracking for data-race detection (FastTrack-style epochs on
/// <see cref="SharedCell"/>). Slot 0 is the setup pseudo-thread, slot i+1 logical thread i.
/// Edges: spawn, join, end of iteration, mutex/rw-semaphore release->acquire, atomics.
/// </summary>
public sealed partial class ControlledRuntime
{
    internal const int ClockLength = MaxThreads + 1;

    /// <summary>False inside check callbacks (they only observe) or when detection is off.</summary>
    internal bool TracksRaces => _raceDetection && _suppress == 0;

    /// <summary>Clock slots in use this iteration (setup + spawned threads).</summary>
    internal int ClockWidth => _threadCount + 1;

    internal void Acquire(LogicalThread t, int[]? released)
    {
        if (released is null || !TracksRaces) return;
        Join(t.Clock, released, ClockWidth);
    }

    internal void Release(LogicalThread t, ref int[]? into)
    {
        if (!TracksRaces) return;
        into ??= new int[ClockLength];
        Join(into, t.Clock, ClockWidth);
        t.Clock[t.Slot]++;
    }

    /// <summary>Name of the thread owning a clock slot, for race reports.</summary>
    internal string SlotName(int slot) => slot == 0 ? "setup" : _threads[slot - 1]!.ToString();

    private void OnSpawn(LogicalThread parent, LogicalThread child)
    {
        if (!_raceDetection) return;
        Array.Copy(parent.Clock, child.Clock, ClockLength);
        child.Clock[child.Slot] = 1;
        parent.Clock[parent.Slot]++;
    }

    private static void ResetSetupClock(LogicalThread setup)
    {
        Array.Clear(setup.Clock);
        setup.Clock[setup.Slot] = 1;
    }

    /// <summary>End checks observe everything the threads did.</summary>
    private void JoinAllIntoSetup(LogicalThread setup)
    {
        if (!_raceDetection) return;
        for (int i = 0; i < _threadCount; i++) Join(setup.Clock, _threads[i]!.Clock, ClockWidth);
        setup.Clock[setup.Slot]++;
    }

    private static void Join(int[] into, int[] from, int width)
    {
        for (int i = 0; i < width; i++)
        {
            if (from[i] > into[i]) into[i] = from[i];
        }
    }
}
