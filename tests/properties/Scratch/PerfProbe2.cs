using System.Diagnostics;
using TceVerify.Contract;
using TceVerify.Harness.Generation;
using TceVerify.Harness.Invariants;
using TceVerify.Harness.Observation;
using TceVerify.Impl;
using TceVerify.Model;
using Xunit;
using Xunit.Abstractions;

namespace TceVerify.Tests.Properties.Scratch;

public class PerfProbe2(ITestOutputHelper output)
{
    [Fact]
    public void Components()
    {
        var config = PlatformConfig.Small();
        var gen = new ProgramGenerator(config, c => new ModelSystem(c));
        var progs = Enumerable.Range(0, 60).Select(s => gen.Generate(s, 60, Workload.Mixed)).ToList();
        for (int round = 0; round < 2; round++)
        {
        var sw = new Stopwatch();
        TimeSpan mStep = default, mSnap = default, iStep = default, iSnap = default, parse = default, inv = default, eq = default, stage = default, trans = default;
        long n = 0; int lines = 0;
        foreach (var p in progs)
        {
            var m = new ModelSystem(config); var im = new ImplSystem(config);
            var prev = Observed.Parse(im.Snapshot());
            foreach (var c in p)
            {
                sw.Restart(); var before = Staging.Apply(config, prev, c); stage += sw.Elapsed;
                sw.Restart(); c.Prepare(m); var r = c.Invoke(m); mStep += sw.Elapsed;
                sw.Restart(); var ms = m.Snapshot(); mSnap += sw.Elapsed;
                sw.Restart(); c.Prepare(im); c.Invoke(im); iStep += sw.Elapsed;
                sw.Restart(); var isn = im.Snapshot(); iSnap += sw.Elapsed;
                sw.Restart(); bool e = ms.Equals(isn); eq += sw.Elapsed;
                sw.Restart(); var o = Observed.Parse(isn); parse += sw.Elapsed;
                sw.Restart(); InvariantChecker.CheckState(config, o); inv += sw.Elapsed;
                sw.Restart(); var v = new List<Violation>(); InvariantChecker.CheckHandOver(config, before, o, v); if (r < 0) InvariantChecker.CheckFailureAtomicity(before, o, c.Allowance, v); trans += sw.Elapsed;
                prev = o;
                n++; lines += isn.Lines.Count;
            }
        }
        double us(TimeSpan t) => t.TotalMicroseconds / n;
        output.WriteLine($"n={n} avg lines {lines / n} stage {us(stage):F0} mStep {us(mStep):F0} mSnap {us(mSnap):F0} iStep {us(iStep):F0} iSnap {us(iSnap):F0} eq {us(eq):F0} parse {us(parse):F0} inv {us(inv):F0} trans {us(trans):F0}");
        }
    }
}
