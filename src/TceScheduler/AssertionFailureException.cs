namespace TceVerify.Scheduling;

/// <summary>Thrown by <see cref="ControlledRuntime.Assert"/>; reported as <see cref="BugKind.AssertionFailure"/>.</summary>
public sealed class AssertionFailureException(string message) : Exception(message);
