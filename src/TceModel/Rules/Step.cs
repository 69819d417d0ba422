namespace TceVerify.Model.Rules;

/// <summary>
/// STATE-9: the process an operation runs on behalf of ("current"). HasMm is false only on the exit path
/// (PROC-5), where current has no mm.
/// </summary>
public readonly record struct Caller(int Pid, bool HasMm)
{
    /// <summary>A live process making a call (PROC-1 has been checked).</summary>
    public static Caller Live(int pid) => new(pid, HasMm: true);

    /// <summary>The exit path of PROC-5: the exiting process, with no mm.</summary>
    public static Caller Exiting(int pid) => new(pid, HasMm: false);
}

/// <summary>The result of a rule: the new world and the call's result (>= 0, or -errno, ABI-2).</summary>
public readonly record struct Step(World World, long Result)
{
    public bool Failed => Result < 0;

    /// <summary>A failure that changes nothing (INV-5): the world given is the original one.</summary>
    public static Step Fail(World original, int errno) => new(original, -(long)errno);

    public static Step Ok(World world, long result = 0) => new(world, result);
}

/// <summary>The result of a driver callback that also updates the driver's data (STATE-6).</summary>
public readonly record struct DriverStep(World World, DriverData Data, long Result)
{
    public bool Failed => Result < 0;
}
