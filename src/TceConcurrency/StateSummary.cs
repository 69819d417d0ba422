using System.Text;
using TceVerify.Contract;
using TceVerify.Harness.Observation;

namespace TceVerify.Concurrency;

/// <summary>
/// A one-line, model-level description of a state for readable traces: groups (container, users, devices open),
/// containers (count, groups, driver, tbl, enabled, payer), tables (owner, it_map bits, in-use window TCEs, unflushed),
/// and every non-zero locked_vm.
/// </summary>
public static class StateSummary
{
    public static string Describe(PlatformConfig config, Observed o)
    {
        var sb = new StringBuilder();
        foreach (var (id, g) in o.Groups.OrderBy(x => x.Key))
        {
            sb.Append('g').Append(id).Append('{');
            sb.Append(g.Opened ? "open" : "closed");
            if (g.Container is { } c) sb.Append(" c").Append(c);
            sb.Append(" users=").Append(g.Users);
            int devs = g.DeviceOpens.Values.Sum();
            if (devs > 0) sb.Append(" dev=").Append(devs);
            sb.Append("} ");
        }
        foreach (var (id, c) in o.Containers.OrderBy(x => x.Key))
        {
            sb.Append('c').Append(id).Append("{refs=").Append(c.Refs);
            if (c.Groups.Count > 0) sb.Append(" g=").Append(string.Join(",", c.Groups));
            if (c.Driver) sb.Append(" drv");
            if (c.Tbl is { } t) sb.Append(" tbl=").Append(t);
            if (c.Enabled) sb.Append(" en");
            if (c.Payer is { } p) sb.Append(" payer=").Append(p);
            sb.Append("} ");
        }
        foreach (var (id, t) in o.Tables.OrderBy(x => x.Key))
        {
            var gc = config.FindGroup(id)!;
            int inUse = t.Tces.Count(e => Abi.InUse(e.Value) && e.Key >= gc.ItOffset && e.Key < gc.ItOffset + gc.ItSize);
            sb.Append('t').Append(id).Append('{').Append(t.Owner is { } owner ? "c" + owner : "host")
              .Append(" map=").Append(t.ItMapCount()).Append(" tces=").Append(inUse);
            if (t.FlushPending) sb.Append(" unflushed");
            sb.Append("} ");
        }
        foreach (var (pid, p) in o.Processes.OrderBy(x => x.Key))
        {
            if (p.LockedVm != 0) sb.Append('p').Append(pid).Append(" locked_vm=").Append(p.LockedVm).Append(' ');
            if (p.Exited) sb.Append('p').Append(pid).Append(" exited ");
        }
        return sb.ToString().TrimEnd();
    }
}
