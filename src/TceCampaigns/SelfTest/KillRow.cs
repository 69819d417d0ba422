using TceVerify.Variants;

namespace TceVerify.Campaigns;

/// <summary>
/// What the self-test found for one catalog entry: whether its recorded check caught it, where (the program or
/// scenario, the step), how much work it took (commands run, or schedules explored, up to and including the failing
/// one), the length of the shortest failing program found, and how long it took.
/// </summary>
public sealed record KillRow
{
    public required string Name { get; init; }
    public required string Group { get; init; }
    /// <summary>"sequential" or "concurrency-only".</summary>
    public required string Kind { get; init; }
    public required IReadOnlyList<string> Clauses { get; init; }
    /// <summary>The recorded check (<see cref="Catch.ToString"/>).</summary>
    public required string Expected { get; init; }
    public required bool Caught { get; init; }
    /// <summary>The check that reported the failure ("result", "INV-3 pin balance", "data race", ...); null if none.</summary>
    public string? CaughtBy { get; init; }
    /// <summary>The spec clauses the failure report names (first first).</summary>
    public IReadOnlyList<string> ReportedClauses { get; init; } = [];
    /// <summary>Caught by the recorded check, naming the recorded clause.</summary>
    public required bool AsExpected { get; init; }
    /// <summary>Where it failed: "script FIND-1", "Adversarial seed 20121125 on small-64k", "scenario map-vs-disable".</summary>
    public string Where { get; init; } = "";
    /// <summary>The failing step of that program (1-based), or the failing schedule's scheduling decisions.</summary>
    public int Step { get; init; }
    /// <summary>Commands run (sequential) or schedules explored (concurrency) up to and including the failure.</summary>
    public long Work { get; init; }
    /// <summary>"commands" or "schedules".</summary>
    public required string WorkUnit { get; init; }
    /// <summary>Length of the shortest failing program found by shrinking (0: not shrunk).</summary>
    public int Shrunk { get; init; }
    /// <summary>The first line of the failure.</summary>
    public string Detail { get; init; } = "";
    /// <summary>How to replay it (a program's commands, or the replay command of a schedule).</summary>
    public string Replay { get; init; } = "";
    /// <summary>When the entry escaped its recorded check: the checks that do catch it.</summary>
    public IReadOnlyList<string> AlsoCaughtBy { get; init; } = [];
    public TimeSpan Elapsed { get; init; }

    /// <summary>"caught"; "caught by the wrong check" (the run failed, but not with the recorded check or clause);
    /// "escaped its check" (the recorded check passed; <see cref="AlsoCaughtBy"/> names the checks that do catch it);
    /// or "SURVIVED" (nothing caught it).</summary>
    public string Verdict => AsExpected ? "caught" : Caught ? "caught by the wrong check" : AlsoCaughtBy.Count > 0 ? "escaped its check" : "SURVIVED";

    /// <summary>Commands or schedules to the first failure, as shown in the kill table.</summary>
    public string ToFirstFailure => !Caught ? $"none in {Work} {WorkUnit}"
        : WorkUnit == "schedules" ? $"schedule {Work} ({Step} steps)"
        : $"{Work} commands (step {Step}{(Shrunk > 0 ? $", shrunk to {Shrunk}" : "")})";
}

/// <summary>The pristine implementation under every check at once, on one workload or scenario.</summary>
public sealed record PristineRow(string Suite, string Target, bool Passed, long Work, string WorkUnit, TimeSpan Elapsed, string Failure);
