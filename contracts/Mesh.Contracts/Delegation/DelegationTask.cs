namespace Mesh.Contracts.Delegation;

/// <summary>
/// Schema <c>mesh.delegation.task/v1</c>: a sub-task of a delegation execution, run as the child session
/// <paramref name="SessionId"/>. It may delegate further only while <paramref name="Depth"/> is below
/// <paramref name="MaxDepth"/>.
/// </summary>
/// <param name="ExecutionId">The execution the task belongs to.</param>
/// <param name="TaskId">The task.</param>
/// <param name="Depth">0 for the execution's root task, one more per delegation step.</param>
/// <param name="MaxDepth">The execution's depth limit.</param>
/// <param name="Goal">What the sub-agent is asked to achieve.</param>
/// <param name="TenantId">Tenant of the execution.</param>
/// <param name="ActorId">Actor that started the execution.</param>
/// <param name="SessionId">The child session that runs the task.</param>
/// <param name="CreatedAt">When the task was dispatched.</param>
/// <param name="ParentTaskId">The task that delegated this one; null for the root task.</param>
/// <param name="PersonaId">Persona the sub-agent answers as.</param>
/// <param name="ConfigProfile">Named configuration of the execution.</param>
public sealed record DelegationTask(
    Guid ExecutionId,
    Guid TaskId,
    int Depth,
    int MaxDepth,
    string Goal,
    string TenantId,
    string ActorId,
    Guid SessionId,
    DateTimeOffset CreatedAt,
    Guid? ParentTaskId = null,
    string? PersonaId = null,
    string? ConfigProfile = null);
