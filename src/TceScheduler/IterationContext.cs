namespace TceVerify.Scheduling;

/// <summary>
/// Handed to the test body once per iteration. The body builds fresh state, spawns the logical
/// threads and registers checks; the threads start only after the body returns. The same object
/// is the explicit (non-ambient) API of the runtime for this iteration.
/// </summary>
public sealed class IterationContext
{
    private readonly ControlledRuntime _runtime;

    internal IterationContext(ControlledRuntime runtime) => _runtime = runtime;

    /// <summary>Zero-based iteration number.</summary>
    public int Iteration => _runtime.Iteration;

    /// <summary>Registers a logical thread; returns its id (spawn order, as recorded in traces).</summary>
    public int Spawn(string name, Action body) => _runtime.Spawn(ControlledRuntime.CurrentIn(_runtime), name, body);

    /// <summary>Checked before every scheduling decision and at the end; return null when it holds, else a message.</summary>
    public void AddInvariant(Func<string?> check) => _runtime.AddInvariant(Typed(check));

    /// <summary>The same, with what the test says about a failure as data (<see cref="BugReport.Detail"/>).</summary>
    public void AddInvariantWithDetail(Func<FailedCheck?> check) => _runtime.AddInvariant(check);

    /// <summary>Checked once after all threads finished normally; return null when it holds, else a message.</summary>
    public void AddFinalCheck(Func<string?> check) => _runtime.AddFinalCheck(Typed(check));

    /// <summary>The same, with what the test says about a failure as data (<see cref="BugReport.Detail"/>).</summary>
    public void AddFinalCheckWithDetail(Func<FailedCheck?> check) => _runtime.AddFinalCheck(check);

    static Func<FailedCheck?> Typed(Func<string?> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return () => check() is { } message ? new FailedCheck(message) : null;
    }

    /// <summary>Describes the shared state for the readable trace (called per step only when rendering a bug).</summary>
    public void DescribeState(Func<string> describer) => _runtime.SetDescriber(describer);

    public void SchedulingPoint(string label)
    {
        LogicalThread t = ControlledRuntime.CurrentIn(_runtime);
        _runtime.SchedulePoint(t, label, null, isYield: false);
    }

    public void Yield(string label)
    {
        LogicalThread t = ControlledRuntime.CurrentIn(_runtime);
        _runtime.SchedulePoint(t, label, null, isYield: true);
    }

    public void WaitUntil(Func<bool> predicate, string label)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        _runtime.WaitUntil(ControlledRuntime.CurrentIn(_runtime), predicate, label, null, null);
    }

    public int RandomInt(int maxExclusive, string label) => _runtime.NextInt(ControlledRuntime.CurrentIn(_runtime), maxExclusive, label);

    public bool RandomBool(string label) => RandomInt(2, label) == 1;

    public void Join(int threadId) => _runtime.Join(ControlledRuntime.CurrentIn(_runtime), threadId);

    public static void Assert(bool condition, string message, object? detail = null) => ControlledRuntime.Assert(condition, message, detail);
}
