namespace TceVerify.Scheduling;

public sealed partial class ControlledRuntime
{
    /// <summary>
    /// Runs one iteration on the calling (driver) thread: the test body as setup, then the logical
    /// threads under the strategy, then the end checks. Returns once every logical thread has
    /// finished or been unwound, or when the watchdog gives up on an uncontrolled blocking call
    /// (the runtime is then abandoned and must not be reused).
    /// </summary>
    internal IterationOutcome RunIteration(Action<IterationContext> test, ISchedulingStrategy strategy, int iteration, bool verbose)
    {
        if (_abandoned) throw new InvalidOperationException("This runtime was abandoned after uncontrolled blocking.");
        ResetIteration(strategy, iteration, verbose);
        // The driver acts as the setup pseudo-thread, so checks it runs see this runtime.
        LogicalThread? previous = LogicalThread.Current;
        LogicalThread.Current = _setup;
        try
        {
            RunAsSetup(() => test(_context), "the test body", BugKind.UnhandledException);
            if (!_aborting)
            {
                LogicalThread? first = Decide(null, isYield: false);
                if (first is not null)
                {
                    _running = first;
                    Wake(first);
                    if (!WaitForCompletion()) return Abandon();
                }
            }
            if (!_aborting) RunEndChecks();
            return new IterationOutcome(_bugKind, _bugMessage, _bugException, _cut, _decisions, _dataChoices, Abandoned: false) { Detail = _bugDetail };
        }
        finally
        {
            LogicalThread.Current = previous;
        }
    }

    /// <summary>Lets idle workers exit. Called once the engine is done with this runtime.</summary>
    internal void Shutdown() => _pool.Shutdown();

    private void ResetIteration(ISchedulingStrategy strategy, int iteration, bool verbose)
    {
        Epoch++;
        Iteration = iteration;
        _strategy = strategy;
        _verbose = verbose;
        _threadCount = 0;
        _decisions = 0;
        _dataChoices = 0;
        _progress = 0;
        _suppress = 0;
        _aborting = false;
        _cut = false;
        _running = null;
        ClearBug();
        _invariants.Clear();
        _finalChecks.Clear();
        _describer = null;
        Trace.Clear();
        Events.Clear();
        _setup.Reset("setup", null);
        ResetSetupClock(_setup);
    }

    private void RunAsSetup(Action action, string what, BugKind kind)
    {
        try
        {
            action();
        }
        catch (ExecutionCanceledException)
        {
            // a bug was already recorded by the primitive that threw
        }
        catch (AssertionFailureException e)
        {
            RaiseBug(kind == BugKind.UnhandledException ? BugKind.AssertionFailure : kind, $"assertion failed in {what}: {e.Message}", e);
        }
        catch (Exception e)
        {
            RaiseBug(kind, $"{what} threw {e.GetType().FullName}: {e.Message}", e);
        }
    }

    private void RunEndChecks()
    {
        JoinAllIntoSetup(_setup);
        RunAsSetup(() =>
        {
            if (_verbose) CaptureState();
            if (_invariants.Count > 0 && !CheckInvariants()) return;
            foreach (Func<FailedCheck?> check in _finalChecks)
            {
                if (check() is { } failed)
                {
                    RaiseBug(BugKind.FinalCheckFailure, $"end-of-iteration check failed: {failed.Message}", detail: failed.Detail);
                    return;
                }
            }
        }, "an end-of-iteration check", BugKind.FinalCheckFailure);
    }

    /// <summary>Waits for the iteration to finish; false when no scheduling progress was seen for the blocking timeout.</summary>
    private bool WaitForCompletion()
    {
        int poll = Math.Clamp(_blockingTimeoutMs / 4, 1, 250);
        int lastProgress = _progress;
        long lastChange = Environment.TickCount64;
        while (!_done.Wait(poll))
        {
            int progress = _progress;
            long now = Environment.TickCount64;
            if (progress != lastProgress || System.Diagnostics.Debugger.IsAttached) // a breakpoint is not a hang
            {
                lastProgress = progress;
                lastChange = now;
            }
            else if (now - lastChange >= _blockingTimeoutMs)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The running thread is stuck outside the scheduler's control. Report it, wake every parked
    /// thread so it unwinds and exits, and leave the stuck one behind: it exits when it returns.
    /// </summary>
    private IterationOutcome Abandon()
    {
        LogicalThread? stuck = _running;
        string where = stuck is null ? "a logical thread" : stuck.ToString();
        string label = stuck?.PendingLabel ?? "?";
        string message = $"uncontrolled blocking: {where} did not reach its next scheduling point within {_blockingTimeoutMs} ms after '{label}' (step {_decisions}); it is probably blocked on a real lock, event, sleep or I/O, or looping without scheduling points. The iteration was abandoned.";
        int decisions = _decisions;
        int dataChoices = _dataChoices;
        _abandoned = true;
        _aborting = true;
        for (int i = 0; i < _threadCount; i++)
        {
            LogicalThread? t = _threads[i];
            if (t is { Started: true, Finished: false, Worker: { } worker } && !ReferenceEquals(t, stuck)) worker.Gate.Signal();
        }
        _pool.Shutdown();
        return new IterationOutcome(BugKind.UncontrolledBlocking, message, null, false, decisions, dataChoices, Abandoned: true);
    }

    internal void OnThreadFaulted(LogicalThread t, Exception e)
    {
        if (_abandoned || e is ExecutionCanceledException) return;
        if (e is AssertionFailureException)
        {
            RaiseBug(BugKind.AssertionFailure, $"assertion failed in {t}: {e.Message}", e);
        }
        else
        {
            RaiseBug(BugKind.UnhandledException, $"{t} threw {e.GetType().FullName}: {e.Message}", e);
        }
    }

    /// <summary>Called on the worker after the body of <paramref name="t"/> returned or unwound.</summary>
    internal void OnThreadFinished(LogicalThread t)
    {
        t.Finished = true;
        Events.Add(t.Id, _decisions, TraceEventKind.Finished, _aborting ? "unwound" : "end", null);
        LogicalThread? next = null;
        if (!_aborting) next = Decide(t, isYield: false);
        if (_aborting) next = NextToUnwind();
        _pool.Return(t.Worker!);
        t.Worker = null;
        if (next is null)
        {
            _running = null;
            _done.Signal();
        }
        else
        {
            _running = next;
            Wake(next);
        }
    }

    /// <summary>Parked threads are unwound one at a time, so cleanup code still runs alone.</summary>
    private LogicalThread? NextToUnwind()
    {
        for (int i = 0; i < _threadCount; i++)
        {
            LogicalThread t = _threads[i]!;
            if (t.Started && !t.Finished) return t;
        }
        return null;
    }
}
