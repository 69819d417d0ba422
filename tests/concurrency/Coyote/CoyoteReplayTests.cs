using TceVerify.Concurrency;
using TceVerify.Coyote;
using TceVerify.Scheduling;
using TceVerify.TestKit;
using TceVerify.Variants;
using Xunit;

namespace TceVerify.Tests.Concurrency.Coyote;

/// <summary>
/// What a user of the Coyote engine relies on: a failure is deterministic per seed and comes with a one-line trace
/// that replays it; bad traces, strategies and checks are refused with one clear message; and a build whose engine
/// assembly was not rewritten is recognised.
/// </summary>
public class CoyoteReplayTests
{
    static readonly ConcurrentScenario MapVsDisable = Scenarios.Get("map-vs-disable");
    static readonly Variant MapCheckThenAct = VariantCatalog.Get("map-check-then-act");

    static CoyoteRun Run(uint seed) => new(MapVsDisable, CoyoteStrategy.Random, seed, 2_000) { Parts = MapCheckThenAct.CreateParts, VariantName = MapCheckThenAct.Name };

    [Fact]
    [Spec("INV-4")]
    public void Same_seed_same_failure_same_trace()
    {
        var first = CoyoteEngine.Explore(Run(7) with { ConfirmByReplay = false });
        var second = CoyoteEngine.Explore(Run(7) with { ConfirmByReplay = false });
        Assert.NotNull(first.Failure);
        Assert.Equal(first.Failure!.Schedule, second.Failure?.Schedule);
        Assert.Equal(first.Failure.Message, second.Failure?.Message);
        Assert.Equal(first.Failure.Trace, second.Failure?.Trace);
        Assert.Equal(first.Steps, second.Steps);
    }

    [Fact]
    [Spec("INV-4", "LOCK-7")]
    public void The_trace_replays_the_failure_with_its_history()
    {
        var found = CoyoteEngine.Explore(Run(3));
        var failure = Assert.IsType<CoyoteFailure>(found.Failure);
        Assert.Equal(BugKind.FinalCheckFailure, failure.Kind);
        Assert.True(failure.Reproduced);
        Assert.StartsWith(CoyoteTrace.Prefix, failure.Trace);
        Assert.DoesNotContain('\n', failure.Trace);
        var replay = CoyoteEngine.Replay(MapVsDisable, MapCheckThenAct.CreateParts, MapCheckThenAct.Name, failure.Trace);
        Assert.Equal(1, replay.Schedules);
        Assert.Equal(failure.Message, replay.Failure?.Message);
        Assert.Equal(failure.Schedule, replay.Failure?.Schedule);
        // Both threads' calls completed, as the history of the failing schedule shows.
        Assert.Equal(MapVsDisable.CallCount, replay.Failure!.History.Count);
        Assert.Equal($"CoyoteEngine.Replay(Scenarios.Get(\"map-vs-disable\"), VariantCatalog.Get(\"map-check-then-act\").CreateParts, \"map-check-then-act\", \"{failure.Trace}\")", found.ReplayCommand);
        Assert.Contains("replay: " + found.ReplayCommand, found.ToString());
        var decoded = CoyoteTrace.Decode(failure.Trace);
        Assert.Equal(("random", 3u, failure.Schedule), (decoded.Strategy, decoded.Seed, decoded.Schedule));
    }

    [Theory]
    [InlineData("", "expected it to start with 'COY1:'")]
    [InlineData("TCE1:AQA", "trace of our engine")]
    [InlineData("COY1:not*base64", "not what this tool wrote")]
    [InlineData("COY1:AAAA", "not what this tool wrote")]
    public void A_bad_trace_is_refused_with_a_clear_message(string trace, string expected)
    {
        var e = Assert.Throws<TraceFormatException>(() => CoyoteEngine.Replay(MapVsDisable, null, "pristine", trace));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_truncated_trace_is_refused()
    {
        var trace = CoyoteEngine.Explore(Run(3) with { ConfirmByReplay = false }).Failure!.Trace;
        Assert.Throws<TraceFormatException>(() => CoyoteEngine.Replay(MapVsDisable, MapCheckThenAct.CreateParts, MapCheckThenAct.Name, trace[..(trace.Length / 2)]));
    }

    [Fact]
    public void A_trace_that_no_longer_applies_is_reported_as_a_divergence()
    {
        // Coyote stops a schedule that cannot follow its trace without a word: another scenario, or the pristine
        // implementation (whose calls take other steps), must not look like a passing replay.
        var trace = CoyoteEngine.Explore(Run(3) with { ConfirmByReplay = false }).Failure!.Trace;
        foreach (var (scenario, variant) in new[] { (Scenarios.AttachEnableRelease(), MapCheckThenAct), (MapVsDisable, (Variant?)null) })
        {
            var replay = CoyoteEngine.Replay(scenario, variant is null ? null : variant.CreateParts, variant?.Name ?? "pristine", trace);
            Assert.Equal(BugKind.ReplayDivergence, replay.Failure?.Kind);
            Assert.Contains("replay diverged", replay.Failure!.Message);
            Assert.Equal(trace, replay.Failure.Trace);
        }
    }

    [Fact]
    public void Strategies_have_names_and_an_unknown_name_lists_them()
    {
        foreach (var s in CoyoteStrategies.All) Assert.Equal(s, CoyoteStrategies.Parse(s.Name()));
        Assert.Equal(8, CoyoteStrategies.All.Count);
        var e = Assert.Throws<ArgumentException>(() => CoyoteStrategies.Parse("pct"));
        Assert.Contains("fair-prioritization", e.Message);
        Assert.Contains("q-learning", e.Message);
    }

    [Theory]
    [InlineData(TceVerify.Variants.Checks.LockDiscipline)]
    [InlineData(TceVerify.Variants.Checks.DataRace)]
    public void Checks_of_our_engine_alone_are_refused(string check)
    {
        var e = Assert.Throws<ArgumentException>(() => CoyoteEngine.Explore(Run(1) with { Check = check }));
        Assert.Contains("does not run under Coyote", e.Message);
    }

    [Fact]
    public void An_assembly_the_rewrite_missed_is_recognised()
    {
        // The compiler's output in obj/ is what bin/ holds before the rewrite (and after an incremental build copies it
        // again): the check must tell it from the rewritten copy this process loaded.
        string loaded = typeof(CoyoteEngine).Assembly.Location;
        Assert.True(CoyoteBuild.IsRewritten(loaded));
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "TceVerify.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var compiled = Directory.GetFiles(Path.Combine(root!.FullName, "src", "TceCoyote", "obj"), Path.GetFileName(loaded), SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}ref", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(compiled);
        foreach (var path in compiled) Assert.False(CoyoteBuild.IsRewritten(path), path);
        Assert.Contains("not rewritten by Coyote", new CoyoteNotRewrittenException().Message);
    }
}
