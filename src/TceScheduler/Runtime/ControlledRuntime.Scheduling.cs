using System.Diagnostics.CodeAnalysis;

namespace TceVerify.Scheduling;

public sealed partial class ControlledRuntime
{
    internal void ThrowIfAborting()
    {
        if (_aborting) throw new ExecutionCanceledException();
    }

    /// <summary>True where scheduling is possible: a logical thread, not inside a check callback.</summary>
    private bool CanSchedule(LogicalThread t) => !t.IsSetup && _suppress == 0;

    internal void SchedulePoint(LogicalThread t, string operation, string? target, bool isYield)
    {
        if (_aborting) throw new ExecutionCanceledException();
        if (!CanSchedule(t)) return;
        t.PendingOperation = operation;
        t.PendingTarget = target;
        LogicalThread? next = Decide(t, isYield);
        if (!ReferenceEquals(next, t)) SwitchTo(t, next);
    }

    internal void WaitUntil(LogicalThread t, Func<bool> predicate, string operation, string? target, IWaitTarget? waitTarget)
    {
        if (_aborting) throw new ExecutionCanceledException();
        if (!CanSchedule(t))
        {
            if (predicate()) return;
            string label = target is null ? operation : operation + " " + target;
            throw new InvalidOperationException($"'{label}' would block in {(t.IsSetup ? "the test body or an end check" : "an invariant, predicate or state describer")}; only logical threads can block.");
        }
        t.PendingOperation = operation;
        t.PendingTarget = target;
        t.WaitPredicate = predicate;
        t.WaitTarget = waitTarget;
        LogicalThread? next = Decide(t, isYield: false);
        if (!ReferenceEquals(next, t)) SwitchTo(t, next);
        // Chosen only while the predicate held, and nothing ran since, so it still holds.
        t.WaitPredicate = null;
        t.WaitTarget = null;
    }

    internal int NextInt(LogicalThread t, int maxExclusive, string label)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExclusive, 1);
        if (_aborting) throw new ExecutionCanceledException();
        if (_suppress != 0) throw new InvalidOperationException("Data choices are not allowed inside invariants, predicates or state describers.");
        int value = _strategy.NextInt(maxExclusive);
        if (value < 0) Fail(_strategy.FailureKind, _strategy.Failure ?? "the strategy could not make a data choice");
        Trace.Add(TraceStep.Data(value));
        _dataChoices++;
        Events.Add(t.Id, _decisions, TraceEventKind.DataChoice, label, null, value);
        return value;
    }

    internal int Spawn(LogicalThread parent, string name, Action body)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(body);
        if (_aborting) throw new ExecutionCanceledException();
        if (_suppress != 0) throw new InvalidOperationException("Spawn is not allowed inside invariants, predicates or state describers.");
        if (_threadCount == MaxThreads) throw new InvalidOperationException($"At most {MaxThreads} logical threads per iteration.");
        int id = _threadCount;
        LogicalThread t = _threads[id] ??= new LogicalThread(this, id);
        t.Reset(name, body);
        OnSpawn(parent, t);
        _threadCount++;
        Events.Add(parent.Id, _decisions, TraceEventKind.Operation, "spawn", $"T{id} '{name}'");
        return id;
    }

    internal void Join(LogicalThread t, int threadId)
    {
        if ((uint)threadId >= (uint)_threadCount) throw new ArgumentOutOfRangeException(nameof(threadId));
        LogicalThread target = _threads[threadId]!;
        WaitUntil(t, () => target.Finished, "join", $"T{threadId} '{target.Name}'", null);
        Acquire(t, target.Clock);
    }

    internal void RecordOperation(LogicalThread t, string operation, string? target)
    {
        if (_suppress == 0) Events.Add(t.Id, _decisions, TraceEventKind.Operation, operation, target);
    }

    /// <summary>
    /// Runs invariants, computes the enabled set and asks the strategy. Returns the thread to run,
    /// or null when the iteration is over (all finished) or must be aborted (bug, step bound).
    /// </summary>
    private LogicalThread? Decide(LogicalThread? current, bool isYield)
    {
        if (_verbose) CaptureState();
        if (_invariants.Count > 0 && !CheckInvariants()) return null;

        int enabled = 0;
        bool unfinished = false;
        for (int i = 0; i < _threadCount; i++)
        {
            LogicalThread t = _threads[i]!;
            if (t.Finished) continue;
            unfinished = true;
            if (t.WaitPredicate is { } p && !Evaluate(t, p)) continue;
            _enabled[enabled++] = i;
        }
        if (_aborting) return null; // a predicate threw
        if (enabled == 0)
        {
            if (unfinished) RaiseBug(BugKind.Deadlock, DescribeDeadlock());
            return null;
        }

        int step = ++_decisions;
        _progress = step;
        if (step > _maxSteps)
        {
            OnStepBoundExceeded();
            return null;
        }
        int currentId = current is { IsSetup: false, Finished: false } ? current.Id : -1;
        int choice = _strategy.NextThread(new ReadOnlySpan<int>(_enabled, 0, enabled), currentId, isYield);
        if (choice < 0)
        {
            RaiseBug(_strategy.FailureKind, _strategy.Failure ?? "the strategy could not choose a thread");
            return null;
        }
        Trace.Add(TraceStep.Thread(choice));
        LogicalThread next = _threads[choice]!;
        Events.Add(choice, step, TraceEventKind.Scheduled, next.PendingOperation, next.PendingTarget);
        return next;
    }

    /// <summary>Hands the token to <paramref name="next"/> and parks <paramref name="current"/> until it is chosen again.</summary>
    private void SwitchTo(LogicalThread current, LogicalThread? next)
    {
        if (next is null) throw new ExecutionCanceledException(); // unwind this thread first
        _running = next;
        Wake(next);
        current.Worker!.Gate.Wait();
        if (_aborting) throw new ExecutionCanceledException();
    }

    private void Wake(LogicalThread next)
    {
        if (next.Worker is { } worker)
        {
            worker.Gate.Signal();
            return;
        }
        if (_abandoned) return;
        next.Started = true;
        worker = _pool.Rent();
        next.Worker = worker;
        worker.Assigned = next;
        worker.Gate.Signal();
    }

    private bool Evaluate(LogicalThread t, Func<bool> predicate)
    {
        _suppress++;
        try
        {
            return predicate();
        }
        catch (Exception e)
        {
            RaiseBug(BugKind.UnhandledException, $"the wait predicate of {t} at '{t.PendingLabel}' threw {e.GetType().Name}: {e.Message}", e);
            return false;
        }
        finally
        {
            _suppress--;
        }
    }

    /// <summary>Reports a bug found by a primitive in the calling thread and unwinds it.</summary>
    [DoesNotReturn]
    internal void Fail(BugKind kind, string message)
    {
        RaiseBug(kind, message);
        throw new ExecutionCanceledException();
    }
}
