using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Policy.Endpoints;

/// <summary>Bodies of the mesh's own /v1 policy API (snake_case JSON).</summary>
public static class V1Wire
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

public sealed record V1TupleKey(string? User, string? Relation, string? Object);

public sealed record V1CheckRequest(
    string? TenantId,
    string? User,
    string? Relation,
    string? Object,
    IReadOnlyList<V1TupleKey>? ContextualTuples,
    Guid? RequestId,
    Guid? SessionId);

public sealed record V1CheckResponse(bool Allowed, Guid DecisionId, string Reason, string Source);

public sealed record V1ModelRequest(string? Dsl);

public sealed record V1ModelResponse(string TenantId, string StoreId, string AuthorizationModelId);

public sealed record V1TupleWriteRequest(IReadOnlyList<V1TupleKey>? Writes, IReadOnlyList<V1TupleKey>? Deletes);

public sealed record V1Tuple(string User, string Relation, string Object, DateTime WrittenAt);

public sealed record V1TuplesResponse(IReadOnlyList<V1Tuple> Tuples, string ContinuationToken);

public sealed record V1KillSwitchRequest(string? Scope, string? TenantId, string? Tool, bool? Enabled, string? Reason);

/// <summary>Daily limits for a tenant, or for one of its personas when <see cref="PersonaId"/> is set; null is unlimited.</summary>
public sealed record V1BudgetLimitsRequest(string? PersonaId, long? DailyTokens, decimal? DailyCost);

public sealed record V1BudgetLimitsResponse(string TenantId, string? PersonaId, long? DailyTokens, decimal? DailyCost);

public sealed record V1ReserveRequest(string? TenantId, string? PersonaId, long? Tokens, decimal? Cost, int? TtlSeconds);

public sealed record V1ReserveResponse(Guid ReservationId, string TenantId, string? PersonaId, long Tokens, decimal Cost, DateTimeOffset ExpiresAt);

public sealed record V1CommitRequest(Guid? ReservationId, long? Tokens, decimal? Cost);

public sealed record V1CommitResponse(Guid ReservationId, string TenantId, string? PersonaId, string Status, long Tokens, decimal Cost);
