using TceVerify.Contract;
using TceVerify.Harness.Programs;
using TceVerify.Model;

namespace TceVerify.Concurrency;

/// <summary>The operations the pair matrix races against each other.</summary>
public enum Op
{
    SetContainer, UnsetContainer, SetIommu, Enable, Disable, Map, Unmap, GetInfo, GetStatus,
    DeviceOpen, DeviceClose, GroupClose, ContainerClose, Exit, HostAllocFree,
    /// <summary>A host path leaves a stale TCE in table 1 (HOST-6).</summary>
    HostStale,
    /// <summary>The platform is told to fail a coming TCE write of table 1 (HOST-7).</summary>
    Inject,
    /// <summary>A MAP of entries 0 .. 2 that fails part way: its third page is read-only (MAP-10, MAP-11).</summary>
    PartialMap,
}

/// <summary>How far the sequential prefix of a pair scenario goes (process 1; fds: container 3, group 1 4,
/// group 2 5, device of group 1 6).</summary>
public enum Stage { Opened, Joined, Iommu, Enabled, Mapped, IommuDevice, EnabledDevice, MappedDevice }

/// <summary>
/// Every pair of operations (the same operation twice included: two enables, two overlapping maps, two unsets,
/// ...), each as a 2-thread scenario in one process and as one where the second thread is a forked child that
/// shares every fd. Pairs that can meet on one object do: SET_CONTAINER and UNSET_CONTAINER work on the same group,
/// and the failing MAP covers the entries the MAP and the UNMAP of the matrix touch. The prefix is chosen with the model: of the stages, the one where the two operations, run
/// one after the other in either order, succeed most often (ties: the furthest stage, where more state can race,
/// though one with an open device fd only when it does strictly better).
/// </summary>
public static class PairMatrix
{
    public static IReadOnlyList<Op> Ops { get; } = Enum.GetValues<Op>();

    /// <summary>Pid of the forked child (processes 1 and 2 exist at boot, STATE-3).</summary>
    public const int Child = 3;
    public const int ContainerFd = 3, Group1Fd = 4, Group2Fd = 5, DeviceFd = 6;

    static readonly PlatformConfig Config = PlatformConfig.Small();

    static readonly Lazy<IReadOnlyList<ConcurrentScenario>> AllLazy = new(() =>
    {
        var list = new List<ConcurrentScenario>();
        foreach (bool fork in new[] { false, true })
            for (int i = 0; i < Ops.Count; i++)
                for (int j = i; j < Ops.Count; j++)
                    list.Add(Build(Ops[i], Ops[j], fork));
        return list;
    });

    /// <summary>Every unordered pair (with the diagonal), in one process and with the second thread in a child.</summary>
    public static IReadOnlyList<ConcurrentScenario> All => AllLazy.Value;

    public static string NameOf(Op a, Op b, bool secondProcess) => $"pair/{a}+{b}/{(secondProcess ? "fork" : "1p")}";

    public static ConcurrentScenario Build(Op a, Op b, bool secondProcess)
    {
        var stage = ChooseStage(a, b, secondProcess);
        int pidB = secondProcess ? Child : 1;
        var threads = new List<ThreadProgram>
        {
            new($"A:{a}", Calls(a, 1, slot: 1, twin: false, partner: b)),
            new($"B:{b}", Calls(b, pidB, slot: 2, twin: a == b, partner: a)),
        };
        return new ConcurrentScenario(NameOf(a, b, secondProcess), Config, Prefix(stage, secondProcess), threads)
        {
            Clauses = ["LOCK-6", "LOCK-7", "INV-11"],
        };
    }

    /// <summary>The stage whose prefix lets the pair succeed most often when run sequentially on the model.</summary>
    public static Stage ChooseStage(Op a, Op b, bool secondProcess)
    {
        int pidB = secondProcess ? Child : 1;
        (Stage Stage, int Score) plain = (Stage.Opened, -1), device = (Stage.IommuDevice, -1);
        foreach (var stage in Enum.GetValues<Stage>())
        {
            int score = 0;
            foreach (bool aFirst in new[] { true, false })
            {
                var model = new ModelSystem(Config);
                foreach (var c in Prefix(stage, secondProcess)) Run(model, c);
                var first = aFirst ? Calls(a, 1, 1, false, b) : Calls(b, pidB, 2, a == b, a);
                var second = aFirst ? Calls(b, pidB, 2, a == b, a) : Calls(a, 1, 1, false, b);
                if (first.All(c => Run(model, c) >= 0)) score++;
                if (second.All(c => Run(model, c) >= 0)) score++;
            }
            // Ties: the later stage. A stage with a device fd open is used only when it does strictly better than
            // every stage without (an open device changes what UNSET and the releases do).
            if (stage >= Stage.IommuDevice) { if (score >= device.Score) device = (stage, score); }
            else if (score >= plain.Score) plain = (stage, score);
        }
        return device.Score > plain.Score ? device.Stage : plain.Stage;
    }

    static long Run(ITceSystem s, Command c)
    {
        c.Prepare(s);
        return c.Invoke(s);
    }

    public static IReadOnlyList<Command> Prefix(Stage stage, bool secondProcess)
    {
        var s = new Script(Config).OpenContainer(1).OpenGroup(1, 1).OpenGroup(1, 2);
        if (stage >= Stage.Joined) s.SetContainer(1, Group1Fd, ContainerFd);
        if (stage >= Stage.Iommu) s.SetIommu(1, ContainerFd);
        bool device = stage >= Stage.IommuDevice;
        var level = device ? stage - Stage.IommuDevice + Stage.Iommu : stage;
        if (level >= Stage.Enabled) s.Enable(1, ContainerFd);
        if (level >= Stage.Mapped) s.Map(1, ContainerFd, s.Vaddr(1, 0), 0, 0x1000);
        if (device) s.GetDeviceFd(1, Group1Fd, Config.Groups[0].Devices[0]);
        if (secondProcess) s.Fork(1);
        return s.Commands;
    }

    /// <summary>The calls of one operation by <paramref name="pid"/>; <paramref name="twin"/> shifts a map so two
    /// maps overlap by one page instead of coinciding (and makes the second of two host writes or injections differ);
    /// against SET_CONTAINER (group 2 joins), UNSET_CONTAINER leaves with that same group.</summary>
    public static IReadOnlyList<Command> Calls(Op op, int pid, int slot, bool twin, Op? partner = null)
    {
        var t = new ThreadScript(Config, slot);
        switch (op)
        {
            case Op.SetContainer: t.SetContainer(pid, Group2Fd, ContainerFd); break;
            case Op.UnsetContainer: t.UnsetContainer(pid, partner == Op.SetContainer ? Group2Fd : Group1Fd); break;
            case Op.SetIommu: t.SetIommu(pid, ContainerFd); break;
            case Op.Enable: t.Enable(pid, ContainerFd); break;
            case Op.Disable: t.Disable(pid, ContainerFd); break;
            case Op.Map:
                if (twin) t.Map(pid, ContainerFd, Script.VaddrOf(Config, 1, 3), 0x2000, 0x2000);
                else t.Map(pid, ContainerFd, Script.VaddrOf(Config, 1, 1), 0x1000, 0x2000);
                break;
            case Op.Unmap: t.Unmap(pid, ContainerFd, 0, twin ? 0x2000UL : 0x1000UL); break;
            case Op.GetInfo: t.GetInfo(pid, ContainerFd); break;
            case Op.GetStatus: t.GetStatus(pid, Group1Fd); break;
            case Op.DeviceOpen: t.GetDeviceFd(pid, Group1Fd, Config.Groups[0].Devices[0]); break;
            case Op.DeviceClose: t.Close(pid, DeviceFd); break;
            case Op.GroupClose: t.Close(pid, Group1Fd); break;
            case Op.ContainerClose: t.Close(pid, ContainerFd); break;
            case Op.Exit: t.Exit(pid); break;
            case Op.HostAllocFree: t.HostAlloc(1, 1).HostFree(1, 1, 1); break;
            // Two stale writes: entries 5 and 0x14, pools 0 and 1 of table 1 (one occupancy word before issue 11).
            case Op.HostStale: t.Add(new HostStaleCmd(1, twin ? 0x14 : 5, (twin ? 0x3000UL : 0x2000UL) | Abi.TcePciRead)); break;
            case Op.Inject: t.Add(new InjectCmd(1, twin ? 2 : 1)); break;
            case Op.PartialMap:
                // Pages 0x14, 0x15 and the read-only 0x16 (-EFAULT at the third); the twin starts a page later.
                if (twin) t.Map(pid, ContainerFd, Script.VaddrOf(Config, 1, 5), 0x1000, 0x2000);
                else t.Map(pid, ContainerFd, Script.VaddrOf(Config, 1, 4), 0, 0x3000);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
        return t.Commands;
    }
}
