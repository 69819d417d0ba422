namespace TceVerify.Scheduling;

/// <summary>
/// Base of controlled primitives. State is reset lazily on first use in a new iteration, so a
/// primitive may be created once and reused, though creating it in the test body is clearer.
/// </summary>
public abstract class ControlledObject
{
    private ControlledRuntime? _runtime;
    private int _epoch;

    private protected ControlledObject(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
    }

    public string Name { get; }

    /// <summary>The calling logical thread (setup included), or null when running uncontrolled.</summary>
    private protected LogicalThread? Enter()
    {
        LogicalThread? t = LogicalThread.Current;
        if (t is null)
        {
            if (_runtime is not null)
            {
                _runtime = null;
                ResetForIteration();
            }
            return null;
        }
        ControlledRuntime runtime = t.Runtime;
        runtime.ThrowIfAborting();
        if (!ReferenceEquals(_runtime, runtime) || _epoch != runtime.Epoch)
        {
            _runtime = runtime;
            _epoch = runtime.Epoch;
            ResetForIteration();
        }
        return t;
    }

    private protected abstract void ResetForIteration();

    private protected static void ClearClock(int[]? clock)
    {
        if (clock is not null) Array.Clear(clock);
    }

    public override string ToString() => $"{GetType().Name} '{Name}'";
}
