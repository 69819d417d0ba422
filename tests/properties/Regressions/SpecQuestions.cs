using TceVerify.Contract;
using TceVerify.Harness.Differential;
using TceVerify.Harness.Programs;
using TceVerify.Impl;
using TceVerify.Model;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Properties.Regressions;

/// <summary>
/// Sequences the property campaign found where the spec's clauses and INV-5 disagreed, and the rule adopted since.
/// </summary>
public sealed class SpecQuestions
{
    /// <summary>
    /// Found by the campaign: when take-over cleared only in-use TCEs, a stale value without permission bits (HOST-6)
    /// stayed in the window; a MAP built over it, failed at the next page and undid the entry to 0, so a failed call
    /// changed a stored TCE (INV-5). Adopted: TBL-9 zeroes every non-zero window TCE, so the failed MAP now changes
    /// nothing, and the full checks (INV-5 included) pass.
    /// </summary>
    [Fact]
    [Spec("INV-5", "INV-6", "TBL-9", "TBL-5", "MAP-11", "HOST-6")]
    public void Take_over_zeroes_a_value_without_permissions()
    {
        var config = PlatformConfig.Small(12);
        var s = new Script(config).HostStale(2, 0x81b, 0xe800).Setup(1, 2, 3, 4).Enable(1, 3);
        s.Map(1, 3, 0x17000, 0x81b000, 0x2000);                                 // page 0x18 is unmapped: fails at page 1
        var runner = new DifferentialRunner(config, c => new ModelSystem(c), c => new ImplSystem(c), Checks.All);
        var result = runner.Run(s.Commands);
        Assert.True(result.Ok, FailureReport.Render(runner, s.Commands, result));

        var model = new ModelSystem(config);
        foreach (var c in s.Commands.Take(s.Commands.Count - 1)) { c.Prepare(model); c.Invoke(model); }
        Assert.DoesNotContain(model.Snapshot().Lines, l => l.StartsWith("table 002 tce 0000081b", StringComparison.Ordinal));
        s.Commands[^1].Prepare(model);
        Assert.Equal(-Errno.EFAULT, s.Commands[^1].Invoke(model));
    }
}
