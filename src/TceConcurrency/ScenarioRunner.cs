using TceVerify.Contract;
using TceVerify.Harness.Invariants;
using TceVerify.Harness.Observation;
using TceVerify.Impl;
using TceVerify.Model;
using TceVerify.Scheduling;

namespace TceVerify.Concurrency;

/// <summary>
/// Explores the interleavings of one scenario on TceImpl (or a variant) under the controlled scheduler. Each
/// iteration builds a fresh system on <see cref="ControlledSync"/>, runs the prefix, starts the threads, and when
/// they all finish checks the state invariants (INV-1..4, 7, 9) on the implementation's snapshot and that the
/// history of results is linearizable against the model (INV-11). Deadlock, livelock, uncontrolled blocking,
/// data races and exceptions are the engine's checks (INV-8).
/// </summary>
public sealed class ScenarioRunner(ConcurrentScenario scenario, Func<KernelParts?>? parts = null, bool linearizability = true)
{
    readonly World _afterPrefix = PrefixOnModel(scenario);

    public ConcurrentScenario Scenario => scenario;

    public TestReport Explore(Configuration configuration) => new TestingEngine(configuration, Iteration).Run();

    /// <summary>The test body the engine runs once per iteration.</summary>
    public void Iteration(IterationContext ctx)
    {
        var system = new ImplSystem(scenario.Config, ControlledSync.Instance, parts?.Invoke());
        foreach (var c in scenario.Prefix)
        {
            c.Prepare(system);
            c.Invoke(system);
        }
        var history = new List<HistoryEntry>();
        int clock = 0;
        for (int t = 0; t < scenario.Threads.Count; t++)
        {
            int thread = t;
            var program = scenario.Threads[t];
            ctx.Spawn(program.Name, () =>
            {
                for (int i = 0; i < program.Commands.Count; i++)
                {
                    var cmd = program.Commands[i];
                    int callAt = clock++;
                    cmd.Prepare(system);
                    long result = cmd.Invoke(system);
                    history.Add(new HistoryEntry(thread, program.Name, i, cmd, result, callAt, clock++));
                }
            });
        }
        ctx.DescribeState(() => string.Join("; ", history.Select(h => $"{h.ThreadName}#{h.Index}={Errno.Describe(h.Result)}")));
        ctx.AddFinalCheck(() => Check(system, history));
    }

    string? Check(ImplSystem system, List<HistoryEntry> history)
    {
        var snapshot = system.Snapshot();
        var violations = InvariantChecker.CheckState(scenario.Config, Observed.Parse(snapshot));
        if (violations.Count > 0)
            return "invariants broken after the threads finished: " + string.Join("; ", violations.Take(6)) + "\nhistory:\n  " + string.Join("\n  ", history);
        if (!linearizability) return null;
        var verdict = Linearizability.Check(_afterPrefix, history, snapshot);
        return verdict.Ok ? null : verdict.Explanation;
    }

    static World PrefixOnModel(ConcurrentScenario scenario)
    {
        var model = new ModelSystem(scenario.Config);
        foreach (var c in scenario.Prefix)
        {
            c.Prepare(model);
            c.Invoke(model);
        }
        return model.State;
    }
}
