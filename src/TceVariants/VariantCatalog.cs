using TceVerify.Impl;

namespace TceVerify.Variants;

/// <summary>
/// A small, named deviation of TceImpl that restores literal Linux 3.10 behaviour (findings.md). The property
/// and concurrency suites must reject every one of them.
/// </summary>
public sealed class Variant
{
    readonly Literal _literal;

    internal Variant(string name, string description, IReadOnlyList<string> clauses, bool concurrencyOnly, Literal literal)
    {
        Name = name;
        Description = description;
        Clauses = clauses;
        ConcurrencyOnly = concurrencyOnly;
        _literal = literal;
    }

    public string Name { get; }
    public string Description { get; }
    /// <summary>The spec clauses it breaks: the finding, the adopted clause(s), the invariant(s).</summary>
    public IReadOnlyList<string> Clauses { get; }
    /// <summary>Only a concurrent schedule shows it; sequential runs behave as the pristine implementation.</summary>
    public bool ConcurrencyOnly { get; }

    /// <summary>The parts to pass to <c>new ImplSystem(config, sync, parts)</c>.</summary>
    public KernelParts CreateParts() => new LiteralParts(_literal);

    public override string ToString() => Name;
}

/// <summary>Every variant of findings.md, by name.</summary>
public static class VariantCatalog
{
    public static IReadOnlyList<Variant> All { get; } =
    [
        new("literal-map-end-unchecked",
            "MAP_DMA checks only its first entry and builds size/4096 entries from there, past the window (FIND-1).",
            ["FIND-1", "MAP-9", "TBL-4", "INV-2"], false, Literal.MapEndUnchecked),
        new("literal-map-without-enable",
            "MAP_DMA never looks at enabled: memory is pinned that no locked_vm charge covers (FIND-2).",
            ["FIND-2", "MAP-3", "INV-4"], false, Literal.MapWithoutEnable),
        new("literal-disable-keeps-mappings",
            "DISABLE returns the charge but keeps every TCE and pin (FIND-3).",
            ["FIND-3", "DIS-2", "INV-4"], false, Literal.DisableKeepsMappings),
        new("literal-uncharge-current",
            "Disable returns the charge to current's mm, and to nobody on the exit path (FIND-4, FIND-5).",
            ["FIND-4", "FIND-5", "DIS-2", "REL-1", "PROC-5", "INV-4"], false, Literal.UnchargeCurrent),
        new("literal-charge-window-bytes",
            "ENABLE charges (it_size << 12) >> PAGE_SHIFT pages, which 64 KiB pages make too small (FIND-6).",
            ["FIND-6", "EN-5", "INV-4"], false, Literal.ChargeWindowBytes),
        new("literal-take-ownership-drops-bit0",
            "A failed take-over leaves the host's reserved bit 0 of it_map cleared (FIND-7).",
            ["FIND-7", "TBL-9", "TBL-1", "INV-5"], false, Literal.TakeOwnershipDropsBit0),
        new("literal-take-ownership-puts-stale",
            "Take-over puts the pages of leftover TCEs nobody pinned (FIND-8).",
            ["FIND-8", "TBL-9", "INV-3"], false, Literal.TakeOwnershipPutsStale),
        new("literal-ownership-without-pool-locks",
            "Take-over and release take no pool lock, so the host allocator races them (FIND-9).",
            ["FIND-9", "TBL-9", "TBL-10", "LOCK-4", "INV-1"], true, Literal.OwnershipWithoutPoolLocks),
        new("literal-ownership-without-flush",
            "Take-over and release clear TCEs without a flush (FIND-10).",
            ["FIND-10", "TBL-9", "TBL-10", "INV-9"], false, Literal.OwnershipWithoutFlush),
        new("literal-set-container-unlocked",
            "SET_CONTAINER checks container_users and increments it later, with no group lock (FIND-11).",
            ["FIND-11", "CORE-23", "CORE-24", "CORE-28", "INV-7"], true, Literal.SetContainerUnlocked),
        new("literal-get-device-fd-check-then-inc",
            "GET_DEVICE_FD checks for a container, opens the device, then takes its reference (FIND-12).",
            ["FIND-12", "CORE-27", "INV-7"], true, Literal.GetDeviceFdCheckThenInc),
        new("literal-3.10",
            "Every literal behaviour above at once: the merged Linux 3.10 code read literally.",
            ["FIND-1", "FIND-2", "FIND-3", "FIND-4", "FIND-5", "FIND-6", "FIND-7", "FIND-8", "FIND-9", "FIND-10",
             "FIND-11", "FIND-12", "MAP-3", "MAP-9", "TBL-4", "DIS-2", "REL-1", "PROC-5", "EN-5", "TBL-1", "TBL-9",
             "TBL-10", "LOCK-4", "CORE-23", "CORE-24", "CORE-27", "CORE-28",
             "INV-1", "INV-2", "INV-3", "INV-4", "INV-5", "INV-7", "INV-9"], false, Literal.All),
    ];

    /// <summary>The variant of that name; an unknown name is an <see cref="ArgumentException"/> listing the valid ones.</summary>
    public static Variant Get(string name)
    {
        foreach (var v in All)
            if (string.Equals(v.Name, name, StringComparison.Ordinal)) return v;
        var valid = new List<string>(All.Count);
        foreach (var v in All) valid.Add(v.Name);
        throw new ArgumentException($"unknown variant '{name}'; valid names: {string.Join(", ", valid)}", nameof(name));
    }
}
