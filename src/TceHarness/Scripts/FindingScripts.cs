using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Harness.Scripts;

/// <summary>A named, hand-written program on a given platform.</summary>
public sealed record ScriptedProgram(string Name, PlatformConfig Config, IReadOnlyList<Command> Program, string Clauses);

/// <summary>
/// The minimal sequences of spec/findings.md (the sequential ones), written once and shared by the unit tests,
/// the differential suite and the variant checks: on TceImpl each gives the adopted outcome, on the finding's
/// variant the literal one.
/// </summary>
public static class FindingScripts
{
    // SETUP(1, g) gives process 1 container fd 3 and group fd 4.
    const int C = 3, G = 4;

    public static IReadOnlyList<ScriptedProgram> All { get; } =
    [
        Find1(), Find2(), Find3(), Find4(), Find5(), Find6(), Find7(), Find8(), Find10(), Find19(),
    ];

    public static ScriptedProgram Get(string name) => All.First(s => s.Name == name);

    static Script S(int pageShift = 12) => new(PlatformConfig.Small(pageShift));

    static ScriptedProgram P(string name, Script s, string clauses) => new(name, s.Config, s.Commands, clauses);

    public static ScriptedProgram Find1()
    {
        var s = S().Setup(1, 1, C, G).Enable(1, C);
        s.Map(1, C, s.Vaddr(1, 0), 0x3f000, 0x2000);
        return P("FIND-1", s, "FIND-1 MAP-9 INV-2");
    }

    public static ScriptedProgram Find2()
    {
        var s = S().Setup(1, 1, C, G);
        s.Map(1, C, s.Vaddr(1, 0), 0, 0x1000);
        return P("FIND-2", s, "FIND-2 MAP-3 INV-4");
    }

    public static ScriptedProgram Find3()
    {
        var s = S().Setup(1, 1, C, G).Enable(1, C);
        s.Map(1, C, s.Vaddr(1, 0), 0, 0x1000).Disable(1, C);
        return P("FIND-3", s, "FIND-3 DIS-2 INV-4");
    }

    public static ScriptedProgram Find4()
    {
        // Process 2's fds 3.. are free, so the passed container fd becomes its fd 3.
        var s = S().Setup(1, 1, C, G).Enable(1, C).PassFd(1, C, 2).Disable(2, 3);
        return P("FIND-4", s, "FIND-4 DIS-2 EN-5 INV-4");
    }

    public static ScriptedProgram Find5()
    {
        var s = S().Setup(1, 1, C, G).Enable(1, C).Exit(1);
        return P("FIND-5", s, "FIND-5 DIS-2 PROC-5 INV-4");
    }

    public static ScriptedProgram Find6()
    {
        var s = S(16).Setup(1, 1, C, G).Enable(1, C);
        for (int i = 0; i < 5; i++) s.Map(1, C, s.Vaddr(1, i), (ulong)i << 12, 0x1000);
        return P("FIND-6", s, "FIND-6 EN-5 INV-4");
    }

    public static ScriptedProgram Find7()
    {
        var s = S().HostAlloc(1, 1).Setup(1, 1, C, G).HostFree(1, 1, 1).HostAlloc(1, 1);
        return P("FIND-7", s, "FIND-7 TBL-9 TBL-1 INV-5");
    }

    public static ScriptedProgram Find8()
    {
        var s = S().HostStale(1, 5, 0x2000 | Abi.TcePciRead).Setup(1, 1, C, G);
        return P("FIND-8", s, "FIND-8 TBL-9 INV-3");
    }

    public static ScriptedProgram Find10()
    {
        var s = S().HostStale(1, 5, Memory.HostTce(5)).Setup(1, 1, C, G);
        return P("FIND-10", s, "FIND-10 TBL-9 INV-9");
    }

    public static ScriptedProgram Find19()
    {
        // Group 2 joins last, so it heads the list and its table is the one the literal code takes over first.
        var s = S().HostStale(2, 0x805, Memory.HostTce(0x805)).OpenContainer(1).OpenGroup(1, 1).OpenGroup(1, 2)
            .SetContainer(1, G, C).SetContainer(1, 5, C).SetIommu(1, C);
        return P("FIND-19", s, "FIND-19 CORE-4 INV-5");
    }

    /// <summary>QEMU's life cycle (kernel-semantics.md): set up, ENABLE, GET_INFO, clear the whole window, a few
    /// single-page maps and unmaps, then close everything.</summary>
    public static ScriptedProgram QemuLifecycle(int pageShift)
    {
        var s = S(pageShift).Setup(1, 1, C, G).Enable(1, C).GetInfo(1, C).Unmap(1, C, 0, 64 << 12);
        for (int i = 0; i < 6; i++) s.Map(1, C, s.Vaddr(1, i % 6) + ((ulong)i << 12) % s.Config.PageSize, (ulong)(10 + i) << 12, 0x1000);
        s.Unmap(1, C, 12 << 12, 0x2000).Map(1, C, s.Vaddr(1, 0), 12 << 12, 0x1000).Close(1, G).Close(1, C);
        return P($"qemu-lifecycle-{pageShift}", s, "MAP-13 UNMAP-8 REL-1 INV-4");
    }
}
