namespace TceVerify.Scheduling;

public enum StrategyKind
{
    /// <summary>Rotates random and PCT(d = 1, 2, 3) per iteration (the default).</summary>
    Portfolio,
    Random,
    Pct,
    Dfs,
}
