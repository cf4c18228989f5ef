using Mesh.Delegation.Domain;

namespace Mesh.Delegation.Planning;

/// <summary>Splits one goal into steps (or says it is atomic).</summary>
public interface IGoalSplitter
{
    /// <exception cref="PlanningException">The planner could not produce a usable split.</exception>
    Task<GoalSplit> SplitAsync(string goal, int maxSteps, CancellationToken cancellationToken);
}

/// <summary>Combines the results of an aggregate task's sub-tasks into its result.</summary>
public interface IAggregator
{
    /// <exception cref="PlanningException">The aggregation could not produce a result.</exception>
    Task<string> CombineAsync(string goal, IReadOnlyList<TaskSnapshot> children, CancellationToken cancellationToken);
}

/// <summary>Planning or aggregation failed (the model was unreachable or answered something unusable).</summary>
public sealed class PlanningException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The deterministic offline planner (<see cref="OfflinePlanner"/>).</summary>
public sealed class OfflineGoalSplitter : IGoalSplitter
{
    public Task<GoalSplit> SplitAsync(string goal, int maxSteps, CancellationToken cancellationToken) =>
        Task.FromResult(OfflinePlanner.Split(goal));
}

/// <summary>The deterministic offline aggregation (<see cref="Prompts.Combine"/>).</summary>
public sealed class OfflineAggregator : IAggregator
{
    public Task<string> CombineAsync(string goal, IReadOnlyList<TaskSnapshot> children, CancellationToken cancellationToken) =>
        Task.FromResult(Prompts.Combine(children));
}
