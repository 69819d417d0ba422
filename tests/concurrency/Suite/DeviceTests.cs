using TceVerify.Contract;
using TceVerify.Harness.Programs;
using TceVerify.Concurrency;
using TceVerify.Scheduling;
using TceVerify.TestKit;
using TceVerify.Variants;
using Xunit;

namespace TceVerify.Tests.Concurrency;

/// <summary>
/// Issue 15: the device DMAs from its own thread while the user takes a mapping down and the host reuses the page.
/// Pristine, TBL-7 puts the pages only after the flush, so every DMA lands in a page still pinned or faults; the literal
/// order of FIND-26 .. FIND-28 lets a DMA through a stale cached translation read the host's frame (INV-12), and
/// FIND-29's order shows only behind FIND-3. The device thread reads: its DMAs observe, they are not linearized (DEV-6).
/// </summary>
public class DeviceTests
{
    public static TheoryData<string, string> LiteralOrders => new()
    {
        { "literal-unmap-puts-before-flush", "dma-vs-unmap-and-reuse" },
        { "literal-disable-puts-before-flush", "dma-vs-disable-and-reuse" },
    };

    [Theory]
    [MemberData(nameof(LiteralOrders))]
    [Spec("FIND-26", "FIND-27", "FIND-28", "INV-12", "DEV-2", "PAGE-3")]
    public void The_literal_order_lets_the_device_read_a_reused_frame(string variant, string scenario)
    {
        var v = VariantCatalog.Get(variant);
        var runner = new ScenarioRunner(Scenarios.Get(scenario), v.CreateParts, ConcurrencyChecks.OptionsFor(ConcurrencyChecks.Invariants), variant);
        var outcome = Scale.ExploreThoroughly(runner, randomIterations: 2_000, dfsCap: 5_000);
        Assert.False(outcome.Passed, $"{variant} passed {scenario}");
        Assert.Equal("INV-12", outcome.Clause);
        Assert.True(outcome.Reproduced, outcome.ToString());
        // The device's own record: the DMA reached the host's frame, or a frame nobody pins.
        Assert.Matches("DMA through table 1 entry 0x0 .* reached frame 0x0, (a frame the host holds|a free frame)", outcome.Message);
    }

    /// <summary>The same schedules on pristine: the pages are put after the flush, so no DMA reaches a freed frame.
    /// Exhaustive within preemption bound 2.</summary>
    [Theory]
    [InlineData("dma-vs-unmap-and-reuse")]
    [InlineData("dma-vs-disable-and-reuse")]
    [InlineData("dma-vs-release-and-reuse")]
    [InlineData("dma-vs-rollback-and-reuse")]
    [Spec("TBL-7", "TBL-8", "DEV-3", "INV-12", "INV-13")]
    public void Pristine_puts_after_the_flush_in_every_schedule(string scenario)
    {
        Scale.AssertExhaustedClean(new ScenarioRunner(Scenarios.Get(scenario), RunnerOptions.SemanticOnly with { EveryStep = true }));
    }

    /// <summary>FIND-29: the hand-back's literal order is latent in the adopted design (disable empties the window before
    /// it), so alone it passes every schedule; behind FIND-3's literal disable, which leaves the mappings to the
    /// hand-back, the device writes into the reused frame. FIND-3 alone passes the scenario: the harm is FIND-29's.</summary>
    [Fact]
    [Spec("FIND-29", "FIND-3", "TBL-10", "INV-12")]
    public void The_release_order_is_latent_behind_disable()
    {
        Scale.AssertExhaustedClean(new ScenarioRunner(Scenarios.DmaVsReleaseAndReuse(), LatentLiterals.ReleasePutsBeforeFlushAlone, RunnerOptions.SemanticOnly));

        var find3 = VariantCatalog.Get("literal-disable-keeps-mappings");
        var disableOnly = new ScenarioRunner(Scenarios.DmaVsReleaseAndReuse(), find3.CreateParts, RunnerOptions.SemanticOnly, find3.Name);
        Assert.True(disableOnly.Run(Scale.Dfs(2, cap: 50_000)).Passed);

        var both = VariantCatalog.Get("literal-release-puts-before-flush");
        var caught = Scale.ExploreThoroughly(new ScenarioRunner(Scenarios.DmaVsReleaseAndReuse(), both.CreateParts, ConcurrencyChecks.OptionsFor(ConcurrencyChecks.Invariants), both.Name), 2_000);
        Assert.False(caught.Passed);
        Assert.Equal("INV-12", caught.Clause);
    }

    /// <summary>INV-12 at every step sees the literal order at the put itself, with no DMA after it: the cached
    /// translation outlives the page's last pin.</summary>
    [Fact]
    [Spec("INV-12", "FIND-26", "DEV-2")]
    public void Every_step_check_sees_the_translation_outlive_the_pin()
    {
        var v = VariantCatalog.Get("literal-unmap-puts-before-flush");
        var options = RunnerOptions.EngineOnly with { EveryStep = true };
        var runner = new ScenarioRunner(Scenarios.DmaVsUnmapAndReuse(), v.CreateParts, options, v.Name);
        var outcome = runner.Run(Scale.Dfs(1, cap: 5_000));
        Assert.Equal(BugKind.InvariantViolation, outcome.Kind);
        Assert.Equal("INV-12", outcome.Clause);
        Assert.Contains("frame 0x0 is reachable by the device through 1 translation(s) (table 1 entry 0x0 (cached)) but holds 0 pin(s)", outcome.Message);
    }

    /// <summary>DEV-6: a device thread only reads, and its DMAs are left out of the history LOCK-7 linearizes; they are
    /// judged by INV-12 and INV-13. A scenario with a DMA write in a thread is refused with one clear reason.</summary>
    [Fact]
    [Spec("DEV-6", "LOCK-7", "INV-11")]
    public void Device_threads_read_and_stay_out_of_the_linearized_history()
    {
        var s = Scenarios.DmaVsUnmapAndReuse();
        var writes = s.WithThreads([.. s.Threads.Take(2), new ThreadProgram("device", [new DmaCmd(1, 0, 16, DmaDirection.Write, 0xD1)])]);
        var refused = Assert.Throws<ArgumentException>(() => new ScenarioRunner(writes));
        Assert.Contains("a device thread reads (DEV-6)", refused.Message);

        // With every check on, pristine passes every schedule within preemption bound 2, and the device's reads did run:
        // some fault (after the flush), some read the page through the cache (before it).
        var runner = new ScenarioRunner(s);
        var results = new HashSet<long>();
        var engine = new TestingEngine(Scale.Dfs(2, cap: 50_000), ctx =>
        {
            runner.Iteration(ctx);
            ctx.AddFinalCheck(() =>
            {
                results.Add(runner.LastHistory.Single(h => h.Command is DmaCmd).Result);
                return null;
            });
        });
        var report = engine.Run();
        Assert.Null(report.FirstBug);
        Assert.True(report.IsExhausted, report.Summary);
        Assert.Contains(-(long)Errno.EFAULT, results);
        Assert.Contains(results, r => r >= 0);
    }

    /// <summary>FIND-31: a failed MAP's pins are never seen alone. Pristine holds current's mmap_sem from the first pin to
    /// the end of the rollback, so the munmap waits and the host finds the page busy only while it is still mapped;
    /// pinning page by page, the host finds busy a page the failed MAP never kept.</summary>
    [Fact]
    [Spec("FIND-31", "MAP-10", "MAP-11", "PAGE-1", "PAGE-3", "INV-11")]
    public void A_failed_map_never_shows_its_pins_alone()
    {
        Scale.AssertExhaustedClean(new ScenarioRunner(Scenarios.ReuseVsFailingMap()));

        var v = VariantCatalog.Get("literal-map-pins-page-by-page");
        var outcome = new ScenarioRunner(Scenarios.ReuseVsFailingMap(), v.CreateParts, RunnerOptions.SemanticOnly, v.Name).Run(Scale.Dfs(2, cap: 50_000));
        Assert.False(outcome.Passed);
        Assert.Equal("INV-11", outcome.Clause);
        Assert.Contains("host_reuse pfn 0x0 -> -EBUSY", outcome.Message);
        Assert.Contains("-EIO", outcome.Message);
    }
}
