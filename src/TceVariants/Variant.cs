using TceVerify.Impl;

namespace TceVerify.Variants;

/// <summary>
/// A small, named deviation of TceImpl: one overridden hook (or one dropped lock), kept out of the production
/// classes. The literal Linux 3.10 behaviours of spec/findings.md and the bug catalog (docs/catalog.md) are
/// variants; the property and concurrency suites must reject every one of them, each by the check recorded in
/// <see cref="Expected"/> (the self-test, src/TceCampaigns/SelfTest, proves it).
/// </summary>
public sealed class Variant
{
    readonly Func<KernelParts> _parts;

    internal Variant(string name, string group, string description, IReadOnlyList<string> clauses, bool concurrencyOnly,
        Catch expected, Func<KernelParts> parts)
    {
        Name = name;
        Group = group;
        Description = description;
        Clauses = clauses;
        ConcurrencyOnly = concurrencyOnly;
        Expected = expected;
        _parts = parts;
        if (concurrencyOnly != (expected.Suite == CatchSuite.Concurrency))
            throw new ArgumentException($"variant {name}: a concurrency-only entry is caught by the concurrency suite, and only such an entry");
    }

    public string Name { get; }

    /// <summary>Where the entry comes from: "finding", "first patch", "error path", "precedence", "rollback",
    /// "flush", "pages", "accounting", "lifecycle", "locking".</summary>
    public string Group { get; }

    public string Description { get; }

    /// <summary>The spec clauses it breaks: the finding, the adopted clause(s), the invariant(s).</summary>
    public IReadOnlyList<string> Clauses { get; }

    /// <summary>Only a concurrent schedule shows it; sequential runs behave as the pristine implementation.</summary>
    public bool ConcurrencyOnly { get; }

    /// <summary>The suite and check expected to reject it (and, for the concurrency suite, the scenarios to run).</summary>
    public Catch Expected { get; }

    /// <summary>For an entry only a lock checker catches: where its harm shows with the semantic checks alone, or why
    /// none can (<see cref="Harms"/>); null for every other entry.</summary>
    public Harm? Harm => Harms.Of(Name);

    /// <summary>The same deviation recorded with another expected check: what the self-test reports when a property is
    /// weakened, or an entry is attributed to the wrong check.</summary>
    public Variant ExpectedBy(Catch expected) =>
        new(Name, Group, Description, Clauses, expected.Suite == CatchSuite.Concurrency, expected, _parts);

    /// <summary>The parts to pass to <c>new ImplSystem(config, sync, parts)</c>.</summary>
    public KernelParts CreateParts() => _parts();

    public override string ToString() => Name;
}

/// <summary>The suite a catalog entry is expected to be caught by.</summary>
public enum CatchSuite
{
    /// <summary>Sequential programs (tests/properties): differential comparison and the per-step checks.</summary>
    Properties,
    /// <summary>Systematic interleavings (tests/concurrency): the controlled scheduler and its checks.</summary>
    Concurrency,
}

/// <summary>
/// The check expected to reject a catalog entry: its suite, its name (a check of <see cref="Checks"/>), the spec
/// clause its report must name (null: any), and for the concurrency suite the scenarios (by name) to explore.
/// </summary>
public sealed record Catch(CatchSuite Suite, string Check, string? Clause, IReadOnlyList<string> Scenarios)
{
    public override string ToString() =>
        Check + (Clause is null ? "" : $" ({Clause})") + (Scenarios.Count == 0 ? "" : $" on {string.Join(", ", Scenarios)}");
}

/// <summary>The names of the checks a <see cref="Catch"/> may name.</summary>
public static class Checks
{
    // Properties suite: a differential comparison with the model ...
    public const string Result = "result";
    public const string State = "state";
    // ... or one per-step check (TceVerify.Harness.Generation.StepChecks, by Name), judged without the model.
    public const string Alignment = "alignment";
    public const string WindowBounds = "window bounds";
    public const string Rollback = "rollback";
    public const string Attach = "attach";
    public const string Isolation = "INV-1 isolation";
    public const string PinBalance = "INV-3 pin balance";
    public const string Accounting = "INV-4 accounting";
    public const string FailureAtomicity = "INV-5 failure atomicity";
    public const string CleanHandOver = "INV-6 clean hand-over";
    public const string CoreConsistency = "INV-7 core consistency";
    public const string Flushed = "INV-9 flushed";
    // Issue 11: rules the model comparison alone used to guard.
    public const string MemlockLimit = "EN-5 memlock limit";
    public const string DirtyOnClear = "TBL-7 dirty on clear";
    public const string WriteBack = "ABI-8 write-back";
    // Issue 15: the device.
    public const string DmaIsolation = "INV-12 DMA isolation";
    public const string NoDmaAfterUnmap = "INV-13 no DMA after unmap";

    // Concurrency suite: the controlled scheduler's checks, one at a time.
    public const string LockDiscipline = "lock discipline";
    public const string DataRace = "data race";
    public const string Deadlock = "deadlock";
    public const string Linearizability = "linearizability";
    public const string Invariants = "final invariants";
    public const string EveryStep = "every step";

    public static IReadOnlyList<string> Sequential { get; } =
        [Result, State, Alignment, WindowBounds, Rollback, Attach, Isolation, PinBalance, Accounting, FailureAtomicity, CleanHandOver, CoreConsistency, Flushed,
         MemlockLimit, DirtyOnClear, WriteBack, DmaIsolation, NoDmaAfterUnmap];

    public static IReadOnlyList<string> Concurrent { get; } = [LockDiscipline, DataRace, Deadlock, Linearizability, Invariants, EveryStep];

    internal static Catch Seq(string check, string? clause = null) => new(CatchSuite.Properties, check, clause, []);

    internal static Catch Conc(string check, string? clause, params string[] scenarios) => new(CatchSuite.Concurrency, check, clause, scenarios);
}
