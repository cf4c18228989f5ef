using Mesh.Contracts.Common;

namespace Mesh.Contracts.Delegation;

/// <summary>
/// Schema <c>mesh.delegation.event/v1</c>: a status change of an execution (no <paramref name="TaskId"/>)
/// or of one of its tasks. <see cref="DelegationStatus.Failed"/> carries an <paramref name="Error"/>,
/// <see cref="DelegationStatus.Completed"/> a <paramref name="ResultDigest"/>.
/// </summary>
/// <param name="EventId">Unique id of this event.</param>
/// <param name="ExecutionId">The execution.</param>
/// <param name="TenantId">Tenant of the execution.</param>
/// <param name="Status">The new status.</param>
/// <param name="CreatedAt">When the status changed.</param>
/// <param name="TaskId">The task whose status changed; null for the execution itself.</param>
/// <param name="ParentTaskId">The task's parent.</param>
/// <param name="SessionId">The task's child session.</param>
/// <param name="Depth">The task's depth.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="ResultDigest">Lowercase hex SHA-256 of the canonical JSON of the final result.</param>
public sealed record DelegationEvent(
    Guid EventId,
    Guid ExecutionId,
    string TenantId,
    DelegationStatus Status,
    DateTimeOffset CreatedAt,
    Guid? TaskId = null,
    Guid? ParentTaskId = null,
    Guid? SessionId = null,
    int? Depth = null,
    ErrorDetail? Error = null,
    string? ResultDigest = null);
