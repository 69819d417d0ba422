using System.Text.Json;
using System.Text.Json.Nodes;
using TceVerify.Campaigns;
using TceVerify.Cli.Infrastructure;
using TceVerify.Coyote;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>
/// hunt --engine coyote: Microsoft Coyote hunts through the same command (scenarios, generated scenarios, variants,
/// seeds, shards, budgets, workers, JSON, interrupts, grouped failures), writes the same trace files with a COY1 trace,
/// prints replay commands that run as printed, and replay says REPRODUCED, PASSES NOW or THE TRACE NO LONGER APPLIES
/// as for our engine. Coyote runs the semantic checks only (final invariants, linearizability, deadlocks).
/// </summary>
public sealed class CoyoteHuntTests : IClassFixture<CoyoteHuntTests.Found>
{
    /// <summary>FIND-11 (two threads set two containers on one group at once) found by Coyote on its literal variant,
    /// as a human hunt prints it and as the trace file it writes; and a trace file of our engine, for the mix-ups.</summary>
    public sealed class Found : IDisposable
    {
        public TempDir Dir { get; } = new();
        public CliResult Hunt { get; }
        public string Trace { get; }
        public JsonObject TraceJson => (JsonObject)JsonNode.Parse(File.ReadAllText(Trace))!;
        public JsonObject BuiltinJson { get; }

        public Found()
        {
            Hunt = CliRunner.Run("hunt", "--engine", "coyote", "--variant", "literal-set-container-unlocked", "--scenario", "double-set-container",
                "--iterations", "200", "--workers", "1", "--out", Path.Combine(Dir.Path, "coyote"));
            Assert.True(Hunt.Code == ExitCodes.Failure, Hunt.ToString());
            Trace = Assert.Single(Directory.GetFiles(Path.Combine(Dir.Path, "coyote")));
            var ours = CliRunner.Run("hunt", "--variant", "literal-set-container-unlocked", "--scenario", "double-set-container",
                "--iterations", "200", "--workers", "1", "--out", Path.Combine(Dir.Path, "builtin"));
            Assert.True(ours.Code == ExitCodes.Failure, ours.ToString());
            BuiltinJson = (JsonObject)JsonNode.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(Dir.Path, "builtin")).Single()))!;
        }

        public void Dispose() => Dir.Dispose();
    }

    readonly Found _found;

    public CoyoteHuntTests(Found found) => _found = found;

    static string Relative(string path) =>
        Path.GetRelativePath(Directory.GetCurrentDirectory(), path).Replace('\\', '/') is var rel && !rel.StartsWith("..", StringComparison.Ordinal) ? rel : path;

    [Fact]
    public void A_coyote_hunt_finds_the_race_by_its_harm_and_writes_a_trace_file_with_a_COY1_trace()
    {
        var r = _found.Hunt;
        // FIND-11's harm, a group on two containers (INV-7): Coyote runs no lock discipline, so LOCK-3 cannot be it.
        Assert.Contains("FAIL double-set-container: FinalCheckFailure (INV-7)", r.Out);
        Assert.Contains("(coyote portfolio)", r.Out);
        Assert.Contains($"replay {Relative(_found.Trace)}", r.Out);
        Assert.Matches(@"engine\s+\|\s+coyote \(Microsoft Coyote\), strategy portfolio", r.Out);
        Assert.Contains("semantic checks only (Coyote runs neither the lock discipline", r.Out);
        CliRunner.AssertFits(r.Out);

        var t = _found.TraceJson;
        Assert.Equal("tceverify/1", t["format"]!.GetValue<string>());
        Assert.Equal("schedule", t["kind"]!.GetValue<string>());
        Assert.Equal("coyote", t["engine"]!.GetValue<string>());
        Assert.Equal("double-set-container", t["scenario"]!.GetValue<string>());
        Assert.Equal("literal-set-container-unlocked", t["variant"]!.GetValue<string>());
        Assert.Equal("portfolio", t["strategy"]!.GetValue<string>());
        Assert.Equal("FinalCheckFailure", t["bugKind"]!.GetValue<string>());
        Assert.Equal("INV-7", t["clause"]!.GetValue<string>());
        Assert.True(t["semanticOnly"]!.GetValue<bool>());
        Assert.False(t["dataRaceDetection"]!.GetValue<bool>());
        string trace = t["trace"]!.GetValue<string>();
        Assert.StartsWith(CoyoteTrace.Prefix, trace);
        // The file's strategy, seed and iteration are the trace's own (replay checks them against each other).
        var decoded = CoyoteTrace.Decode(trace);
        Assert.Equal((decoded.Strategy, (ulong)decoded.Seed, decoded.Schedule - 1),
            (t["strategy"]!.GetValue<string>(), t["seed"]!.GetValue<ulong>(), t["iteration"]!.GetValue<int>()));
        // Both threads' calls are listed: a failure of the final state comes after every call returned.
        Assert.Contains("set-c1#", t["readableTrace"]!.GetValue<string>());
        Assert.Contains("set-c2#", t["readableTrace"]!.GetValue<string>());
        Assert.Contains(" replay ", t["replay"]!.GetValue<string>());
    }

    [Fact]
    public void The_coyote_trace_file_replays_REPRODUCED_and_no_longer_applies_to_the_pristine_implementation()
    {
        var r = CliRunner.Run("replay", _found.Trace);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        Assert.Contains("with Coyote", r.Out);
        Assert.Contains("REPRODUCED: FinalCheckFailure (INV-7)", r.Out);
        Assert.DoesNotContain("DIFFERENT", r.Out);
        Assert.Contains("Calls (call/return positions):", r.Out);
        Assert.Contains("set-c2#", r.Out);
        CliRunner.AssertFits(r.Out);

        // The pristine implementation takes the group lock the variant drops: more scheduling points than the trace
        // recorded, so its schedule cannot be followed (as with our engine's traces).
        var pristine = CliRunner.Run("replay", _found.Trace, "--variant", "impl");
        Assert.True(pristine.Code == ExitCodes.Diverged, pristine.ToString());
        Assert.Contains("THE TRACE NO LONGER APPLIES", pristine.Out);
    }

    [Fact]
    public void A_coyote_trace_of_a_bug_that_was_fixed_passes_now()
    {
        // literal-uncharge-current (FIND-7) returns the charge to the process that disables, not to the one that paid:
        // in passed-fd-disable-vs-map the fd was passed to another process, so the final state's locked_vm is wrong. The
        // fix takes the same locks in the same order, so the schedule replays step for step on TceImpl, and passes.
        using var dir = new TempDir();
        var h = CliRunner.Run("hunt", "--engine", "coyote", "--variant", "literal-uncharge-current", "--scenario", "passed-fd-disable-vs-map",
            "--iterations", "100", "--workers", "1", "--out", dir.Path);
        Assert.True(h.Code == ExitCodes.Failure, h.ToString());
        string file = Assert.Single(dir.Files());
        var reproduced = CliRunner.Run("replay", file);
        Assert.True(reproduced.Code == ExitCodes.Failure, reproduced.ToString());
        Assert.Contains("REPRODUCED: FinalCheckFailure", reproduced.Out);

        var fixedNow = CliRunner.Run("replay", file, "--variant", "impl");
        Assert.True(fixedNow.Code == ExitCodes.Ok, fixedNow.ToString());
        Assert.Contains("PASSES NOW", fixedNow.Out);
        Assert.Contains("(recorded: FinalCheckFailure", fixedNow.Out);
        Assert.Contains("Calls (call/return positions):", fixedNow.Out);
    }

    [Fact]
    public void A_coyote_trace_given_on_the_command_line_replays_too()
    {
        string trace = _found.TraceJson["trace"]!.GetValue<string>();
        string[] args = ["replay", "--scenario", "double-set-container", "--variant", "literal-set-container-unlocked", "--trace", trace];
        foreach (var r in new[] { CliRunner.Run(args), CliRunner.Run([.. args, "--engine", "coyote"]) })
        {
            Assert.True(r.Code == ExitCodes.Failure, r.ToString());
            Assert.Contains("with Coyote", r.Out);
            Assert.Contains("REPRODUCED: FinalCheckFailure (INV-7)", r.Out);
        }
    }

    [Fact]
    public void The_pristine_implementation_passes_a_coyote_hunt()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("hunt", "--engine", "coyote", "--scenario", "map-vs-disable", "--scenario", "double-set-container", "--iterations", "100",
            "--workers", "1", "--out", dir.Path);
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        Assert.Matches(@"schedules explored\s+\|\s+100 ", r.Out);
        Assert.Contains("2 of 2 scenarios explored, 50 schedules each", r.Out);
        Assert.Matches(@"failures\s+\|\s+none", r.Out);
        Assert.Empty(dir.Files());
        CliRunner.AssertFits(r.Out);
    }

    public static TheoryData<string> CoyoteStrategyNames => [.. CoyoteStrategies.All.Select(s => s.Name())];

    [Theory]
    [MemberData(nameof(CoyoteStrategyNames))]
    public void Every_coyote_strategy_hunts(string strategy)
    {
        var r = CliRunner.Run("hunt", "--engine", "coyote", "--strategy", strategy, "--format", "json", "--scenario", "double-set-container",
            "--iterations", "10", "--workers", "1");
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        var json = r.Json();
        Assert.Equal(strategy, json.GetProperty("strategy").GetString());
        Assert.Equal(10, json.GetProperty("schedules").GetInt64());
    }

    [Fact]
    public void The_json_of_a_coyote_hunt_names_the_engine_and_its_checks_and_groups_its_failures()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("hunt", "--engine", "coyote", "--strategy", "random", "--format", "json", "--variant", "literal-set-container-unlocked",
            "--scenario", "double-set-container", "--scenario", "two-groups-one-container", "--iterations", "200", "--workers", "1", "--out", dir.Path);
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        var json = r.Json();
        Assert.Equal("hunt", json.GetProperty("command").GetString());
        Assert.Equal("coyote", json.GetProperty("engine").GetString());
        Assert.Equal("random", json.GetProperty("strategy").GetString());
        Assert.True(json.GetProperty("semanticOnly").GetBoolean());
        Assert.Contains("Coyote runs neither the lock discipline nor the race detector", json.GetProperty("concurrencyChecks").GetString());
        Assert.Equal("0/1", json.GetProperty("shard").GetString());
        Assert.Equal(2, json.GetProperty("scenarios").GetInt32());
        Assert.Equal(1, json.GetProperty("exitCode").GetInt32());
        var failures = json.GetProperty("failures").EnumerateArray().ToList();
        Assert.NotEmpty(failures);
        Assert.Equal(failures.Count, dir.Files().Length);
        Assert.Equal(failures.Select(f => f.GetProperty("clause").GetString()).Distinct().Order(),
            json.GetProperty("broken").EnumerateArray().Select(e => e.GetString()).Order());
        foreach (var f in failures)
        {
            foreach (var field in new[] { "scenario", "kind", "clause", "where", "message", "file", "replay" })
                Assert.Equal(JsonValueKind.String, f.GetProperty(field).ValueKind);
            Assert.StartsWith(CoyoteTrace.Prefix, f.GetProperty("trace").GetString());
            Assert.True(f.GetProperty("occurrences").GetInt32() >= 1);
            Assert.Equal(f.GetProperty("occurrences").GetInt32(), f.GetProperty("foundIn").GetArrayLength());
            Assert.True(f.GetProperty("witness").GetProperty("size").GetInt32() >= 1);
            Assert.Equal(JsonValueKind.Number, f.GetProperty("seed").ValueKind);
            Assert.Equal(JsonValueKind.Number, f.GetProperty("iteration").ValueKind);
            Assert.False(f.GetProperty("clause").GetString()!.StartsWith("LOCK-", StringComparison.Ordinal), "Coyote runs no lock discipline");
        }
    }

    [Fact]
    public void A_coyote_unit_starts_from_its_seed_times_the_batch_so_shards_never_share_a_schedule()
    {
        // Shard 1 of 3: unit seeds 1, 4, 7, ...; Coyote runs schedule k of a batch from seed c with the seed c + k, so
        // unit seed s starts from s * batch: the first unit of shard 1 with --batch 10 starts from Coyote seed 10.
        var r = CliRunner.Run("hunt", "--engine", "coyote", "--format", "json", "--variant", "literal-set-container-unlocked", "--scenario",
            "double-set-container", "--shard", "1/3", "--batch", "10", "--iterations", "100", "--workers", "1", "--out", _found.Dir.Path + "/shard");
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        var json = r.Json();
        Assert.Equal(1UL, json.GetProperty("firstSeed").GetUInt64());
        var failure = Assert.Single(json.GetProperty("failures").EnumerateArray());
        ulong seed = failure.GetProperty("seed").GetUInt64();
        Assert.Equal(0UL, seed % 10);
        Assert.Equal(1UL, seed / 10 % 3); // a unit seed of shard 1/3
        Assert.Equal(seed, CoyoteTrace.Decode(failure.GetProperty("trace").GetString()!).Seed);
    }

    [Theory]
    [InlineData(3, 0UL, 100)]
    [InlineData(8, 5UL, 7)]
    public void Coyote_seed_ranges_of_units_and_shards_are_disjoint(int shards, ulong baseSeed, int batch)
    {
        var ranges = new List<(ulong From, ulong To)>();
        for (int i = 0; i < shards; i++)
        {
            var settings = new HuntSettings(Target.Impl, [], Strategy.Portfolio, baseSeed, new Shard(i, shards), null, null, batch, 1, false)
            {
                Coyote = CoyoteStrategy.Random,
            };
            foreach (var unitSeed in settings.Shard.Seeds(baseSeed, 20))
            {
                ulong from = settings.CoyoteSeedOf(unitSeed)!.Value;
                ranges.Add((from, from + (ulong)batch - 1));
            }
        }
        var sorted = ranges.OrderBy(r => r.From).ToList();
        for (int k = 1; k < sorted.Count; k++) Assert.True(sorted[k].From > sorted[k - 1].To, $"{sorted[k - 1]} overlaps {sorted[k]}");
        var last = new HuntSettings(Target.Impl, [], Strategy.Portfolio, 0, Shard.Whole, null, null, batch, 1, false) { Coyote = CoyoteStrategy.Random };
        Assert.Null(last.CoyoteSeedOf(uint.MaxValue / (ulong)batch + 1)); // past Coyote's 32-bit seeds
    }

    [Fact]
    public void Workers_do_not_change_what_a_coyote_hunt_finds()
    {
        string[] args = ["hunt", "--engine", "coyote", "--format", "json", "--variant", "map-check-then-act", "--scenario", "map-vs-disable",
            "--scenario", "map-vs-unset", "--scenario", "double-set-container", "--keep-going", "--batch", "20", "--iterations", "240", "--out",
            _found.Dir.Path + "/workers"];
        var one = CliRunner.Run([.. args, "--workers", "1"]);
        var two = CliRunner.Run([.. args, "--workers", "2"]);
        Assert.True(one.Code == ExitCodes.Failure, one.ToString());
        static string Found(CliResult r) => string.Join("\n", r.Json().GetProperty("failures").EnumerateArray()
            .Select(f => $"{f.GetProperty("scenario")} {f.GetProperty("seed")} {f.GetProperty("iteration")} {f.GetProperty("trace")} {f.GetProperty("occurrences")}"));
        Assert.Equal(Found(one), Found(two));
        Assert.Equal(one.Json().GetProperty("schedules").GetInt64(), two.Json().GetProperty("schedules").GetInt64());
    }

    [Fact]
    public void A_coyote_hunt_in_generated_scenarios_writes_their_definition_and_replays_them()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("hunt", "--engine", "coyote", "--format", "json", "--variant", GeneratedVariant, "--threads", "3",
            "--seed", "80", "--iterations", "100", "--batch", "20", "--workers", "1", "--out", dir.Path); // gen/83 sets two containers
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        string file = dir.Files().First();
        var t = JsonNode.Parse(File.ReadAllText(file))!;
        Assert.StartsWith("gen/", t["scenario"]!.GetValue<string>());
        Assert.Equal(3, t["scenarioDefinition"]!["threads"]!.AsArray().Count);
        var replay = CliRunner.Run("replay", file);
        Assert.True(replay.Code == ExitCodes.Failure, replay.ToString());
        Assert.Contains("REPRODUCED", replay.Out);
        Assert.DoesNotContain("DIFFERENT", replay.Out);
    }

    const string GeneratedVariant = "literal-set-container-unlocked"; // FIND-11 in a generated scenario that sets two containers

    [Fact]
    public void An_interrupted_coyote_hunt_exits_130_with_its_summary()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = CliRunner.Run(cts.Token, "hunt", "--engine", "coyote", "--iterations", "100000");
        Assert.True(r.Code == ExitCodes.Interrupted, r.ToString());
        Assert.Contains("(interrupted)", r.Out);
        Assert.Contains("coyote (Microsoft Coyote)", r.Out);
    }

    [Fact]
    public async Task A_coyote_hunt_stops_in_the_middle_of_its_batches_when_interrupted()
    {
        // A hundred million schedules would take days: the interrupt must stop the batches in progress.
        using var cts = new CancellationTokenSource();
        var output = new TriggerWriter("budget", () => cts.CancelAfter(TimeSpan.FromSeconds(2)));
        var run = Task.Run(() => CliRunner.Run(output, cts.Token, "hunt", "--engine", "coyote", "--scenario", "map-vs-disable", "--batch", "1000000",
            "--iterations", "100000000", "--workers", "2"));
        var r = await run.WaitAsync(TimeSpan.FromMinutes(2)); // a hang fails instead of blocking the run
        Assert.True(r.Code == ExitCodes.Interrupted, r.ToString());
        Assert.Contains("(interrupted)", r.Out);
    }

    [Fact]
    public async Task A_coyote_replay_command_printed_by_the_built_tool_runs_as_printed()
    {
        using var dir = new TempDir();
        using var p = Tool.Start(dir.Path, "hunt", "--engine", "coyote", "--variant", "literal-set-container-unlocked", "--scenario", "double-set-container",
            "--iterations", "200", "--workers", "1", "--out", "traces");
        var (replay, r) = await Tool.ReplayAsPrinted(dir.Path, p);
        Assert.True(r.Code == ExitCodes.Failure, $"'{replay}':\n{r}");
        Assert.Contains("REPRODUCED", r.Out);
        Assert.Contains("with Coyote", r.Out);
    }
}
