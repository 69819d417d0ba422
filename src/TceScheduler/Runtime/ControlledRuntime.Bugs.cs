using System.Text;

namespace TceVerify.Scheduling;

public sealed partial class ControlledRuntime
{
    private BugKind? _bugKind;
    private string? _bugMessage;
    private Exception? _bugException;
    private object? _bugDetail;

    private void ClearBug()
    {
        _bugKind = null;
        _bugMessage = null;
        _bugException = null;
        _bugDetail = null;
    }

    /// <summary>Records the first bug of the iteration and starts aborting it.</summary>
    internal void RaiseBug(BugKind kind, string message, Exception? exception = null, object? detail = null)
    {
        if (_aborting) return; // first bug wins; later failures are consequences of unwinding
        _bugKind = kind;
        _bugMessage = message;
        _bugException = exception;
        _bugDetail = detail ?? (exception as AssertionFailureException)?.Detail;
        _aborting = true;
        Events.Add(_running?.Id ?? -1, _decisions, TraceEventKind.Operation, "!! " + kind, null);
        if (_verbose) CaptureState();
    }

    private void OnStepBoundExceeded()
    {
        if (!_stepBoundIsBug)
        {
            _cut = true;
            _aborting = true;
            return;
        }
        var sb = new StringBuilder();
        sb.Append("livelock: the iteration exceeded ").Append(_maxSteps).Append(" scheduling steps without finishing; unfinished threads: ");
        AppendThreads(sb, blockedOnly: false);
        RaiseBug(BugKind.Livelock, sb.ToString());
    }

    private string DescribeDeadlock()
    {
        var sb = new StringBuilder("deadlock: every unfinished thread is blocked: ");
        AppendThreads(sb, blockedOnly: true);
        return sb.ToString();
    }

    private void AppendThreads(StringBuilder sb, bool blockedOnly)
    {
        bool first = true;
        for (int i = 0; i < _threadCount; i++)
        {
            LogicalThread t = _threads[i]!;
            if (t.Finished) continue;
            if (!first) sb.Append("; ");
            first = false;
            sb.Append(t).Append(blockedOnly || t.WaitPredicate is not null ? " waits at '" : " at '").Append(t.PendingLabel).Append('\'');
            if (t.WaitTarget?.DescribeHolders() is { } holders) sb.Append(" (").Append(holders).Append(')');
        }
    }

    private bool CheckInvariants()
    {
        _suppress++;
        try
        {
            for (int i = 0; i < _invariants.Count; i++)
            {
                if (_invariants[i]() is { } failed)
                {
                    RaiseBug(BugKind.InvariantViolation, $"invariant violated after step {_decisions}: {failed.Message}", detail: failed.Detail);
                    return false;
                }
            }
            return true;
        }
        catch (Exception e)
        {
            RaiseBug(BugKind.InvariantViolation, $"invariant threw after step {_decisions}: {e.GetType().Name}: {e.Message}", e);
            return false;
        }
        finally
        {
            _suppress--;
        }
    }

    /// <summary>Attaches the described state to the latest trace event (verbose runs only).</summary>
    private void CaptureState()
    {
        if (_describer is null) return;
        _suppress++;
        try
        {
            Events.SetLastState(_describer());
        }
        catch (Exception e)
        {
            Events.SetLastState($"<state describer threw {e.GetType().Name}: {e.Message}>");
        }
        finally
        {
            _suppress--;
        }
    }

    internal void AddInvariant(Func<FailedCheck?> check) => _invariants.Add(check ?? throw new ArgumentNullException(nameof(check)));

    internal void AddFinalCheck(Func<FailedCheck?> check) => _finalChecks.Add(check ?? throw new ArgumentNullException(nameof(check)));

    internal void SetDescriber(Func<string> describer) => _describer = describer ?? throw new ArgumentNullException(nameof(describer));
}
