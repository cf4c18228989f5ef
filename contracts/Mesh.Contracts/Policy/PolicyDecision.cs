using System.Text.Json.Serialization;

namespace Mesh.Contracts.Policy;

/// <summary>
/// On <c>policy.decisions</c> (key: tenant id), schema <c>mesh.policy.decision/v1</c>: the audit record of
/// one authorization check.
/// </summary>
/// <param name="DecisionId">Unique id, quoted by the tool result it gated.</param>
/// <param name="TenantId">Tenant of the caller, also the Kafka key.</param>
/// <param name="User">OpenFGA user, e.g. <c>user:alice</c>.</param>
/// <param name="Relation">OpenFGA relation, e.g. <c>can_execute</c>.</param>
/// <param name="ObjectId">OpenFGA object, e.g. <c>tool:web.search</c>; <c>object</c> on the wire.</param>
/// <param name="Allowed">The answer.</param>
/// <param name="Reason">Why, as a code: <c>allowed</c>, <c>no_relation</c>, <c>policy_unavailable</c>, ...</param>
/// <param name="Source">Who evaluated it.</param>
/// <param name="LatencyMs">How long the check took, in milliseconds.</param>
/// <param name="DecidedAt">When it was decided.</param>
/// <param name="RequestId">The tool request it gated, when there was one.</param>
/// <param name="SessionId">The session the check was made for, when there was one.</param>
public sealed record PolicyDecision(
    Guid DecisionId,
    string TenantId,
    string User,
    string Relation,
    [property: JsonPropertyName("object")] string ObjectId,
    bool Allowed,
    string Reason,
    PolicySource Source,
    double LatencyMs,
    DateTimeOffset DecidedAt,
    Guid? RequestId = null,
    Guid? SessionId = null);
