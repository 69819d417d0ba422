using TceVerify.Contract;
using TceVerify.Harness.Differential;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Programs;
using TceVerify.Harness.Scripts;
using TceVerify.Impl;
using TceVerify.Model;
using TceVerify.TestKit;
using TceVerify.Tests.Properties.Infrastructure;
using TceVerify.Tests.Properties.Properties;
using Xunit;

namespace TceVerify.Tests.Properties.Regressions;

/// <summary>
/// The minimal sequences of spec/findings.md (FindingScripts) and the QEMU life cycle, replayed without FsCheck on the
/// model and the implementation: every step must agree (DifferentialRunner: results, state, invariants,
/// transitions) and pass every property's step check. Paste new regression tests from failure reports here.
/// </summary>
public sealed class FindingScriptRegressions
{
    /// <summary>Every check of every property of the catalog, once.</summary>
    static readonly IReadOnlyList<StepCheck> AllChecks = Catalog.Every.SelectMany(p => p.Checks).Distinct().ToList();

    static void Replay(ScriptedProgram script)
    {
        var runner = new DifferentialRunner(script.Config, c => new ModelSystem(c), c => new ImplSystem(c));
        var result = runner.Run(script.Program);
        Assert.True(result.Ok, FailureReport.Render(runner, script.Program, result));

        var campaign = new CampaignRunner(c => new ImplSystem(c), c => new ModelSystem(c), AllChecks);
        var outcome = campaign.Run(Platforms.Of(script.Config), script.Program);
        Assert.True(outcome.Result.Ok, FailureReport.Render(runner, script.Program, outcome.Result));
    }

    [Fact, Spec("FIND-1", "MAP-9", "INV-2")] public void Find1_map_past_the_window_is_rejected() => Replay(FindingScripts.Find1());
    [Fact, Spec("FIND-2", "MAP-3", "INV-4")] public void Find2_map_without_enable_is_rejected() => Replay(FindingScripts.Find2());
    [Fact, Spec("FIND-3", "DIS-2", "INV-4")] public void Find3_disable_clears_the_window() => Replay(FindingScripts.Find3());
    [Fact, Spec("FIND-4", "DIS-2", "INV-4")] public void Find4_disable_by_another_process_uncharges_the_payer() => Replay(FindingScripts.Find4());
    [Fact, Spec("FIND-5", "PROC-5", "INV-4")] public void Find5_exit_uncharges_the_payer() => Replay(FindingScripts.Find5());
    [Fact, Spec("FIND-6", "EN-5", "INV-4")] public void Find6_64k_pages_are_charged_one_page_per_entry() => Replay(FindingScripts.Find6());
    [Fact, Spec("FIND-7", "TBL-9", "TBL-1")] public void Find7_failed_take_over_keeps_bit0() => Replay(FindingScripts.Find7());
    [Fact, Spec("FIND-8", "TBL-9", "INV-3")] public void Find8_take_over_puts_no_leftover() => Replay(FindingScripts.Find8());
    [Fact, Spec("FIND-10", "TBL-9", "INV-9")] public void Find10_take_over_flushes() => Replay(FindingScripts.Find10());
    [Fact, Spec("FIND-19", "CORE-4", "INV-5")] public void Find19_set_iommu_with_two_groups_changes_nothing() => Replay(FindingScripts.Find19());
    [Fact, Spec("MAP-13", "UNMAP-8", "REL-1")] public void Qemu_lifecycle_4k() => Replay(FindingScripts.QemuLifecycle(12));
    [Fact, Spec("MAP-13", "UNMAP-8", "REL-1", "STATE-1")] public void Qemu_lifecycle_64k() => Replay(FindingScripts.QemuLifecycle(16));

    /// <summary>Every finding script is replayed above.</summary>
    [Fact]
    public void Every_finding_script_has_a_regression_test()
    {
        var names = typeof(FindingScriptRegressions).GetMethods().Select(m => m.Name).ToList();
        foreach (var s in FindingScripts.All)
            Assert.Contains(names, n => n.StartsWith(s.Name.Replace("-", "").Replace("FIND", "Find") + "_", StringComparison.Ordinal));
    }
}
