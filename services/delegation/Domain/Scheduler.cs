using Mesh.Contracts.Delegation;

namespace Mesh.Delegation.Domain;

/// <summary>
/// How failures of sub-tasks propagate. <see cref="FailFast"/>: the first failed task cancels everything still
/// pending or running and fails the execution. <see cref="BestEffort"/>: failed tasks are reported, tasks that
/// depend on them are cancelled (<c>dependency_failed</c>), and each aggregate combines whichever of its sub-tasks
/// completed; it fails only when none did.
/// </summary>
public enum FailurePolicy
{
    BestEffort,
    FailFast,
}

/// <summary>A task as the scheduler sees it.</summary>
public sealed record TaskSnapshot(
    Guid Id,
    Guid? ParentId,
    int Ordinal,
    int Depth,
    TaskKind Kind,
    string Goal,
    IReadOnlyList<Guid> DependsOn,
    DelegationStatus Status,
    string? Result = null,
    string? ErrorCode = null,
    DateTimeOffset? StartedAt = null);

/// <summary>A running execution as the scheduler sees it.</summary>
public sealed record ExecutionSnapshot(
    Guid Id,
    DelegationStatus Status,
    FailurePolicy Policy,
    int MaxParallel,
    TimeSpan TaskTimeout,
    DateTimeOffset? Deadline,
    long? TokenBudget,
    long TokensUsed,
    IReadOnlyList<TaskSnapshot> Tasks);

/// <summary>How a task or an execution ends.</summary>
public sealed record Outcome(DelegationStatus Status, string? Result = null, string? ErrorCode = null, string? ErrorMessage = null)
{
    public static Outcome Completed(string result) => new(DelegationStatus.Completed, result);

    public static Outcome Failed(string code, string message) => new(DelegationStatus.Failed, null, code, message);

    public static Outcome Cancelled(string code, string message) => new(DelegationStatus.Cancelled, null, code, message);
}

/// <summary>
/// One round of decisions. When <see cref="Finish"/> is set the execution ends with it and every task still pending
/// or running is cancelled; otherwise the listed tasks end, the listed aggregates combine their sub-tasks' results,
/// and the listed work tasks start as child sessions.
/// </summary>
public sealed record Decision(
    Outcome? Finish,
    IReadOnlyList<(Guid TaskId, Outcome Outcome)> End,
    IReadOnlyList<Guid> Aggregate,
    IReadOnlyList<Guid> Dispatch)
{
    public static Decision None { get; } = new(null, [], [], []);

    public bool IsEmpty => Finish is null && End.Count == 0 && Aggregate.Count == 0 && Dispatch.Count == 0;
}

/// <summary>
/// The execution's scheduling decisions as pure functions of its state and the time. A work task is ready when it
/// and every task above it have all their dependencies completed; at most <see cref="ExecutionSnapshot.MaxParallel"/>
/// work tasks run at once, in plan order. The execution ends when its root task ends, when a budget runs out, or, under
/// <see cref="FailurePolicy.FailFast"/>, when any work task fails.
/// </summary>
public static class Scheduler
{
    public static Decision Decide(ExecutionSnapshot execution, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(execution);
        if (execution.Status != DelegationStatus.Running || execution.Tasks.Count == 0)
        {
            return Decision.None;
        }

        if (Budgets.Exhausted(execution, now) is { } exhausted)
        {
            return new Decision(exhausted, [], [], []);
        }

        var byId = execution.Tasks.ToDictionary(t => t.Id);
        var root = execution.Tasks.Single(t => t.ParentId is null);
        if (Statuses.IsTerminal(root.Status))
        {
            return new Decision(
                root.Status == DelegationStatus.Completed
                    ? Outcome.Completed(root.Result ?? "")
                    : Outcome.Failed(root.ErrorCode ?? ErrorCodes.TaskFailed, $"The root task ended {Statuses.Name(root.Status)}."),
                [], [], []);
        }

        if (execution.Policy == FailurePolicy.FailFast
            && execution.Tasks.Where(t => t.Kind == TaskKind.Work && t.Status == DelegationStatus.Failed).MinBy(t => t.Ordinal) is { } failed)
        {
            return new Decision(
                Outcome.Failed(ErrorCodes.TaskFailed, $"Task {failed.Ordinal} failed ({failed.ErrorCode ?? "unknown"}); the profile fails fast."),
                [], [], []);
        }

        var end = new List<(Guid, Outcome)>();
        var aggregate = new List<Guid>();
        foreach (var task in execution.Tasks.OrderBy(t => t.Ordinal))
        {
            if (task.Kind == TaskKind.Work && task.Status == DelegationStatus.Running && task.StartedAt + execution.TaskTimeout <= now)
            {
                end.Add((task.Id, Outcome.Failed(ErrorCodes.TaskTimeout, $"No answer within {execution.TaskTimeout.TotalSeconds:0.###} s.")));
            }
            else if (task.Status == DelegationStatus.Pending && EffectiveDependencies(task, byId).Any(d => d.Status is DelegationStatus.Failed or DelegationStatus.Cancelled))
            {
                end.Add((task.Id, Outcome.Cancelled(ErrorCodes.DependencyFailed, "A task it depends on did not complete.")));
            }
            else if (task.Kind == TaskKind.Aggregate && !Statuses.IsTerminal(task.Status))
            {
                var children = execution.Tasks.Where(t => t.ParentId == task.Id).ToList();
                if (children.All(c => Statuses.IsTerminal(c.Status)))
                {
                    if (children.Any(c => c.Status == DelegationStatus.Completed))
                    {
                        aggregate.Add(task.Id);
                    }
                    else
                    {
                        end.Add((task.Id, Outcome.Failed(ErrorCodes.AllSubtasksFailed, "None of its sub-tasks completed.")));
                    }
                }
            }
        }

        var running = execution.Tasks.Count(t => t.Kind == TaskKind.Work && t.Status == DelegationStatus.Running);
        var dispatch = execution.Tasks
            .Where(t => t.Kind == TaskKind.Work && t.Status == DelegationStatus.Pending)
            .Where(t => EffectiveDependencies(t, byId).All(d => d.Status == DelegationStatus.Completed))
            .OrderBy(t => t.Ordinal)
            .Take(Math.Max(0, execution.MaxParallel - running))
            .Select(t => t.Id)
            .ToList();
        return new Decision(null, end, aggregate, dispatch);
    }

    /// <summary>When the next time-driven decision falls due (a budget deadline or a task timeout), or null.</summary>
    public static DateTimeOffset? NextDue(ExecutionSnapshot execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        if (Statuses.IsTerminal(execution.Status))
        {
            return null;
        }

        var timeouts = execution.Tasks
            .Where(t => t.Kind == TaskKind.Work && t.Status == DelegationStatus.Running && t.StartedAt is not null)
            .Select(t => t.StartedAt!.Value + execution.TaskTimeout);
        var candidates = timeouts.Append(execution.Deadline ?? DateTimeOffset.MaxValue);
        var due = candidates.Min();
        return due == DateTimeOffset.MaxValue ? null : due;
    }

    /// <summary>The completed tasks whose results a task builds on (its dependencies and those of the tasks above it), in plan order.</summary>
    public static IReadOnlyList<TaskSnapshot> Context(ExecutionSnapshot execution, Guid taskId)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var byId = execution.Tasks.ToDictionary(t => t.Id);
        return [.. EffectiveDependencies(byId[taskId], byId).Where(t => t.Status == DelegationStatus.Completed).OrderBy(t => t.Ordinal)];
    }

    /// <summary>The tasks a task and every task above it depend on.</summary>
    public static IEnumerable<TaskSnapshot> EffectiveDependencies(TaskSnapshot task, IReadOnlyDictionary<Guid, TaskSnapshot> byId)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(byId);
        for (TaskSnapshot? current = task; current is not null; current = current.ParentId is { } parent ? byId[parent] : null)
        {
            foreach (var dependency in current.DependsOn)
            {
                yield return byId[dependency];
            }
        }
    }
}
