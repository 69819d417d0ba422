using CoyoteConfiguration = Microsoft.Coyote.Configuration;

namespace TceVerify.Coyote;

/// <summary>The exploration strategies Microsoft Coyote 1.7.11 offers publicly (its DFS strategy and the choice of
/// portfolio are internal; the portfolio is what it runs when no strategy is set).</summary>
public enum CoyoteStrategy
{
    /// <summary>Coyote's default: a tuned portfolio of strategies, fair mode.</summary>
    Portfolio,
    Random,
    /// <summary>Priority-based (PCT-like): random priorities with at most 10 priority changes per schedule.</summary>
    Prioritization,
    /// <summary>Prioritization with a fair suffix (liveness checking).</summary>
    FairPrioritization,
    /// <summary>Keeps running the current operation, switching with probability 0.5^3.</summary>
    Probabilistic,
    /// <summary>Reinforcement learning over the schedules explored so far.</summary>
    QLearning,
    /// <summary>Round-robin schedules with at most 10 delays.</summary>
    DelayBounding,
    FairDelayBounding,
}

/// <summary>Names and settings of <see cref="CoyoteStrategy"/>.</summary>
public static class CoyoteStrategies
{
    public static IReadOnlyList<CoyoteStrategy> All { get; } = Enum.GetValues<CoyoteStrategy>();

    /// <summary>The name a command line and the reports use ("fair-prioritization", "q-learning", ...).</summary>
    public static string Name(this CoyoteStrategy strategy) => strategy switch
    {
        CoyoteStrategy.Portfolio => "portfolio",
        CoyoteStrategy.Random => "random",
        CoyoteStrategy.Prioritization => "prioritization",
        CoyoteStrategy.FairPrioritization => "fair-prioritization",
        CoyoteStrategy.Probabilistic => "probabilistic",
        CoyoteStrategy.QLearning => "q-learning",
        CoyoteStrategy.DelayBounding => "delay-bounding",
        CoyoteStrategy.FairDelayBounding => "fair-delay-bounding",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
    };

    public static bool TryParse(string name, out CoyoteStrategy strategy)
    {
        foreach (var s in All)
            if (string.Equals(s.Name(), name, StringComparison.OrdinalIgnoreCase))
            {
                strategy = s;
                return true;
            }
        strategy = default;
        return false;
    }

    /// <exception cref="ArgumentException">Not a strategy name; the message lists them.</exception>
    public static CoyoteStrategy Parse(string name) => TryParse(name, out var s) ? s
        : throw new ArgumentException($"unknown Coyote strategy '{name}'; known: {string.Join(", ", All.Select(Name))}", nameof(name));

    /// <summary>Our engine's strategy of the same family, for comparisons (null: ours has none).</summary>
    public static string? Family(this CoyoteStrategy strategy) => strategy switch
    {
        CoyoteStrategy.Portfolio => "portfolio",
        CoyoteStrategy.Random => "random",
        CoyoteStrategy.Prioritization or CoyoteStrategy.FairPrioritization => "pct",
        _ => null,
    };

    internal static CoyoteConfiguration Apply(this CoyoteStrategy strategy, CoyoteConfiguration c) => strategy switch
    {
        CoyoteStrategy.Portfolio => c,
        CoyoteStrategy.Random => c.WithRandomStrategy(),
        CoyoteStrategy.Prioritization => c.WithPrioritizationStrategy(isFair: false),
        CoyoteStrategy.FairPrioritization => c.WithPrioritizationStrategy(isFair: true),
        CoyoteStrategy.Probabilistic => c.WithProbabilisticStrategy(),
        CoyoteStrategy.QLearning => c.WithQLearningStrategy(),
        CoyoteStrategy.DelayBounding => c.WithDelayBoundingStrategy(isFair: false),
        CoyoteStrategy.FairDelayBounding => c.WithDelayBoundingStrategy(isFair: true),
        _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
    };
}
