namespace TceVerify.Scheduling;

/// <summary>
/// Controlled runtime: exactly one logical thread runs at a time, each on a pooled OS thread
/// gated on its own semaphore; at every scheduling point a strategy picks the next one.
/// The static members are the ambient API for code under test: they act on the logical thread
/// running on the calling OS thread and are no-ops (or plain sequential behaviour) outside a
/// controlled run, so shared code can also run uncontrolled.
/// </summary>
public sealed partial class ControlledRuntime
{
    /// <summary>Maximum logical threads per iteration (vector clocks and PCT masks are sized by it).</summary>
    public const int MaxThreads = 64;

    private readonly WorkerPool _pool = new();
    private readonly Gate _done = new(spin: false);
    private readonly LogicalThread _setup;
    private readonly LogicalThread?[] _threads = new LogicalThread?[MaxThreads];
    private readonly int[] _enabled = new int[MaxThreads];
    private readonly List<Func<FailedCheck?>> _invariants = [];
    private readonly List<Func<FailedCheck?>> _finalChecks = [];
    private readonly IterationContext _context;
    private readonly int _maxSteps;
    private readonly bool _stepBoundIsBug;
    private readonly bool _raceDetection;
    private readonly int _blockingTimeoutMs;

    private ISchedulingStrategy _strategy = null!;
    private Func<string>? _describer;
    private int _threadCount;
    private int _decisions;
    private int _dataChoices;
    private int _suppress;          // >0 while running invariants, predicates or describers
    private bool _verbose;
    private bool _cut;
    private volatile int _progress; // read by the watchdog
    private volatile bool _aborting;
    private volatile bool _abandoned;
    private volatile LogicalThread? _running;

    internal ControlledRuntime(Configuration configuration)
    {
        _maxSteps = configuration.MaxSchedulingSteps;
        _stepBoundIsBug = configuration.ReportLivelockAsBug;
        _raceDetection = configuration.DataRaceDetection;
        _blockingTimeoutMs = (int)Math.Clamp(configuration.UncontrolledBlockingTimeout.TotalMilliseconds, 1, int.MaxValue);
        _setup = new LogicalThread(this, -1);
        _context = new IterationContext(this);
    }

    /// <summary>Incremented every iteration; primitives reset their state when it changes.</summary>
    internal int Epoch { get; private set; }

    internal int Iteration { get; private set; }

    internal TraceBuffer Trace { get; } = new();

    internal EventLog Events { get; } = new();

    internal bool IsAbandoned => _abandoned;

    internal int WorkersCreated => _pool.Created;

    /// <summary>Decision number of the current step (1-based; 0 during setup).</summary>
    internal int CurrentStep => _decisions;

    internal IReadOnlyList<string> ThreadNames
    {
        get
        {
            var names = new string[_threadCount];
            for (int i = 0; i < _threadCount; i++) names[i] = _threads[i]!.Name;
            return names;
        }
    }

    // ---- ambient API -------------------------------------------------------------------

    /// <summary>True when the caller runs as a logical thread of a controlled iteration.</summary>
    public static bool IsControlled => LogicalThread.Current is { IsSetup: false };

    /// <summary>Spawn-order id of the calling logical thread, -1 in setup or uncontrolled code.</summary>
    public static int CurrentThreadId => LogicalThread.Current?.Id ?? -1;

    /// <summary>Name of the calling logical thread ("setup" in the test body), null if uncontrolled.</summary>
    public static string? CurrentThreadName => LogicalThread.Current?.Name;

    /// <summary>A preemption point: the strategy may run another thread before the caller continues.</summary>
    public static void SchedulingPoint(string label)
    {
        if (LogicalThread.Current is { } t) t.Runtime.SchedulePoint(t, label, null, isYield: false);
    }

    /// <summary>
    /// A scheduling point that also says "I am spinning": PCT lowers the caller's priority and DFS
    /// tries other threads first, so busy-wait loops make progress under unfair strategies.
    /// </summary>
    public static void Yield(string label)
    {
        if (LogicalThread.Current is { } t) t.Runtime.SchedulePoint(t, label, null, isYield: true);
    }

    /// <summary>
    /// Blocks the logical thread until <paramref name="predicate"/> holds (a scheduling point even
    /// if it already holds). The predicate is evaluated by the scheduler, so it must be cheap and
    /// side-effect free. Outside a logical thread it must already hold.
    /// </summary>
    public static void WaitUntil(Func<bool> predicate, string label)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        if (LogicalThread.Current is { } t) t.Runtime.WaitUntil(t, predicate, label, null, null);
        else if (!predicate()) throw new InvalidOperationException($"WaitUntil('{label}') would block outside a controlled run.");
    }

    /// <summary>Fails the iteration (as <see cref="BugKind.AssertionFailure"/>) when false.</summary>
    public static void Assert(bool condition, string message, object? detail = null)
    {
        if (!condition) throw new AssertionFailureException(message, detail);
    }

    /// <summary>Data choice in [0, maxExclusive) made by the strategy and recorded in the trace; 0 when uncontrolled.</summary>
    public static int RandomInt(int maxExclusive, string label)
    {
        if (LogicalThread.Current is { } t) return t.Runtime.NextInt(t, maxExclusive, label);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExclusive, 1);
        return 0;
    }

    /// <summary>Boolean data choice recorded in the trace; false when uncontrolled.</summary>
    public static bool RandomBool(string label) => RandomInt(2, label) == 1;

    /// <summary>Starts a new logical thread (from the test body or from another logical thread).</summary>
    public static int Spawn(string name, Action body)
    {
        LogicalThread t = LogicalThread.Current ?? throw new InvalidOperationException("Spawn is only available inside a controlled run.");
        return t.Runtime.Spawn(t, name, body);
    }

    /// <summary>Blocks until logical thread <paramref name="threadId"/> has finished (a happens-before edge).</summary>
    public static void Join(int threadId)
    {
        LogicalThread t = LogicalThread.Current ?? throw new InvalidOperationException("Join is only available inside a controlled run.");
        t.Runtime.Join(t, threadId);
    }

    internal static LogicalThread CurrentIn(ControlledRuntime runtime)
    {
        LogicalThread? t = LogicalThread.Current;
        if (t is null || !ReferenceEquals(t.Runtime, runtime))
        {
            throw new InvalidOperationException("This IterationContext can only be used from its own test body, logical threads and checks.");
        }
        return t;
    }
}
