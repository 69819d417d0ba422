namespace TceVerify.Scheduling;

/// <summary>
/// A pooled OS thread that runs logical threads one after another. It runs a body only when
/// its gate is signalled, so at most one worker executes user code at any time.
/// </summary>
internal sealed class Worker
{
    internal Worker(int index)
    {
        var thread = new Thread(Loop, maxStackSize: 4 * 1024 * 1024)
        {
            IsBackground = true, // a thread stuck in uncontrolled blocking must not keep the process alive
            Name = $"tce-worker-{index}",
        };
        thread.Start();
    }

    internal Gate Gate { get; } = new();

    /// <summary>The logical thread to run at the next signal; null means exit.</summary>
    internal LogicalThread? Assigned;

    private void Loop()
    {
        while (true)
        {
            Gate.Wait();
            LogicalThread? t = Assigned;
            if (t is null) return;
            Assigned = null;
            ControlledRuntime runtime = t.Runtime;
            LogicalThread.Current = t;
            try
            {
                t.Body!();
            }
            catch (Exception e)
            {
                runtime.OnThreadFaulted(t, e);
            }
            // An abandoned runtime's workers leave: the driver has already moved on without them.
            if (runtime.IsAbandoned) return;
            // Current stays set so that checks run by the next decision see this runtime.
            runtime.OnThreadFinished(t); // last touch of shared state: it may hand this worker on
            LogicalThread.Current = null;
        }
    }
}
