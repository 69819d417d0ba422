namespace TceVerify.Scheduling;

/// <summary>A reproducible-trace string could not be parsed; the message says what is wrong.</summary>
public sealed class TraceFormatException(string message) : FormatException(message);
