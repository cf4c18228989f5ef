namespace Mesh.Delegation.Domain;

/// <summary>What a task does: a <see cref="Work"/> task runs as a child session; an <see cref="Aggregate"/> task
/// combines the results of its sub-tasks.</summary>
public enum TaskKind
{
    Work,
    Aggregate,
}

/// <summary>A task of an execution's DAG as planned: <paramref name="DependsOn"/> names siblings whose results it needs.</summary>
public sealed record PlannedTask(Guid Id, Guid? ParentId, int Ordinal, int Depth, TaskKind Kind, string Goal, IReadOnlyList<Guid> DependsOn);

/// <summary>
/// Limits a plan must keep: tasks start at <paramref name="BaseDepth"/> (0, or one below the delegating task of a
/// nested execution) and a goal is split only while its depth is below <paramref name="MaxDepth"/>.
/// </summary>
public sealed record PlanLimits(int BaseDepth, int MaxDepth, int MaxFanOut, int MaxTasks);

/// <summary>The planned DAG in pre-order (root first), or why no plan may run.</summary>
public sealed record PlanOutcome(IReadOnlyList<PlannedTask> Tasks, string? RefusalCode = null, string? RefusalMessage = null)
{
    public bool IsRefused => RefusalCode is not null;

    public static PlanOutcome Refused(string code, string message) => new([], code, message);
}

/// <summary>
/// Builds an execution's DAG by splitting the goal, then each step, while the depth limit allows: a split goal
/// becomes an aggregate task over its steps, an atomic one a work task. Refuses a split with more steps than the
/// fan-out limit, a plan with more tasks than the task limit, and dependencies that do not point to earlier steps
/// (which keeps the DAG acyclic).
/// </summary>
public static class PlanBuilder
{
    public static async Task<PlanOutcome> BuildAsync(
        string goal, PlanLimits limits, Func<string, CancellationToken, Task<GoalSplit>> split, Func<Guid> newId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(newId);
        var tasks = new List<PlannedTask>();
        var refusal = await AddAsync(goal, null, limits.BaseDepth, [], limits, split, newId, tasks, cancellationToken);
        return refusal ?? new PlanOutcome(tasks);
    }

    private static async Task<PlanOutcome?> AddAsync(
        string goal, Guid? parentId, int depth, IReadOnlyList<Guid> dependsOn, PlanLimits limits,
        Func<string, CancellationToken, Task<GoalSplit>> split, Func<Guid> newId, List<PlannedTask> tasks, CancellationToken cancellationToken)
    {
        if (tasks.Count >= limits.MaxTasks)
        {
            return PlanOutcome.Refused(ErrorCodes.TaskLimitExceeded, $"The plan needs more than {limits.MaxTasks} tasks.");
        }

        var steps = depth < limits.MaxDepth ? await split(goal, cancellationToken) : GoalSplit.Atomic;
        var id = newId();
        if (steps.IsAtomic)
        {
            tasks.Add(new PlannedTask(id, parentId, tasks.Count, depth, TaskKind.Work, goal, dependsOn));
            return null;
        }

        if (steps.Steps.Count > limits.MaxFanOut)
        {
            return PlanOutcome.Refused(
                ErrorCodes.FanOutLimitExceeded, $"A goal splits into {steps.Steps.Count} sub-tasks; at most {limits.MaxFanOut} are allowed.");
        }

        for (var i = 0; i < steps.Steps.Count; i++)
        {
            if (steps.Steps[i].DependsOn.Any(d => d < 0 || d >= i))
            {
                return PlanOutcome.Refused(ErrorCodes.PlanningFailed, $"Step {i + 1} depends on a step that does not come before it.");
            }
        }

        tasks.Add(new PlannedTask(id, parentId, tasks.Count, depth, TaskKind.Aggregate, goal, dependsOn));
        var ids = new List<Guid>();
        foreach (var step in steps.Steps)
        {
            var before = tasks.Count;
            var refusal = await AddAsync(
                step.Goal, id, depth + 1, [.. step.DependsOn.Distinct().Order().Select(d => ids[d])], limits, split, newId, tasks, cancellationToken);
            if (refusal is not null)
            {
                return refusal;
            }

            ids.Add(tasks[before].Id);
        }

        return null;
    }
}
