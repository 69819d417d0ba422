namespace TceVerify.Scheduling;

/// <summary>Thrown by <see cref="ControlledRuntime.Assert"/>; reported as <see cref="BugKind.AssertionFailure"/>, with
/// <see cref="Detail"/> as the report's <see cref="BugReport.Detail"/>.</summary>
public sealed class AssertionFailureException(string message, object? detail = null) : Exception(message)
{
    /// <summary>What the test says about the failure, as data (the engine only carries it).</summary>
    public object? Detail { get; } = detail;
}

/// <summary>A check that failed: its message, and what the test says about it as data (<see cref="BugReport.Detail"/>).</summary>
public sealed record FailedCheck(string Message, object? Detail = null);
