namespace TceVerify.Scheduling;

/// <summary>
/// One-shot hand-off gate of a logical thread, built on its own <see cref="SemaphoreSlim"/>.
/// A flag records whether the waiter is asleep, so the signaller touches the semaphore only
/// when it must, and a signal that arrives before the waiter parks costs no kernel call.
/// </summary>
internal sealed class Gate
{
    private const int Idle = 0;
    private const int Signaled = 1;
    private const int Sleeping = 2;

    /// <summary>
    /// Extra spin iterations before sleeping. Measured on a 2-core VM: extra spinning did not beat
    /// the short spin <see cref="SemaphoreSlim.Wait()"/> already does and hurt under CPU load
    /// (busy spinning starves the one running thread), so it is off by default.
    /// </summary>
    internal static int SpinIterations = 0;

    private readonly SemaphoreSlim _semaphore = new(0, int.MaxValue);
    private readonly bool _spin;
    private int _state;

    internal Gate(bool spin = true) => _spin = spin;

    internal void Signal()
    {
        if (Interlocked.Exchange(ref _state, Signaled) == Sleeping) _semaphore.Release();
    }

    internal void Wait() => Wait(Timeout.Infinite);

    /// <returns>False if <paramref name="timeoutMs"/> elapsed without a signal.</returns>
    internal bool Wait(int timeoutMs)
    {
        var spinner = new SpinWait();
        for (int i = _spin ? SpinIterations : 0; i > 0; i--)
        {
            if (Volatile.Read(ref _state) == Signaled)
            {
                Volatile.Write(ref _state, Idle);
                return true;
            }
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        if (Interlocked.CompareExchange(ref _state, Sleeping, Idle) == Signaled)
        {
            Volatile.Write(ref _state, Idle);
            return true;
        }
        if (!_semaphore.Wait(timeoutMs))
        {
            if (Interlocked.CompareExchange(ref _state, Idle, Sleeping) == Sleeping) return false;
            _semaphore.Wait(); // a signal raced with the timeout and released the semaphore
        }
        Volatile.Write(ref _state, Idle);
        return true;
    }
}
