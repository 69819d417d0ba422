namespace TceVerify.Impl.Mm;

/// <summary>
/// <c>current</c> (STATE-9): the process a call runs for, and its mm, which is null only on the exit path
/// (PROC-5). Passed down every call chain by reference; a struct so the hot paths allocate nothing.
/// </summary>
internal readonly struct Current(Process task, MmStruct? mm)
{
    internal readonly Process Task = task;
    internal readonly MmStruct? Mm = mm;
}
