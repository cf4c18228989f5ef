using System.Text.Json.Nodes;
using Mesh.Contracts.Delegation;

namespace Mesh.Delegation.Domain;

/// <summary>
/// What a receipt's digest covers (architecture.md): tenant and actor, execution id, terminal status, profile,
/// max_depth and the digest of the final result, plus the external execution id when an external executor ran it.
/// </summary>
public sealed record ReceiptInputs(
    string TenantId,
    string ActorId,
    Guid ExecutionId,
    DelegationStatus Status,
    string ConfigProfile,
    int MaxDepth,
    string ResultDigest,
    string? ExternalExecutionId = null);

/// <summary>What an intent record covers: the request as accepted, before the execution starts.</summary>
public sealed record IntentInputs(
    string TenantId,
    string ActorId,
    Guid ExecutionId,
    string GoalDigest,
    string ConfigProfile,
    int MaxDepth,
    int BaseDepth,
    string Executor,
    IReadOnlyList<string>? AllowedTools,
    long? TokenBudget,
    long? TimeBudgetMs,
    Guid? ParentExecutionId,
    Guid? ParentTaskId,
    DateTimeOffset CreatedAt);

/// <summary>
/// Receipt and intent canonicalization. A receipt's digest is the lowercase hex SHA-256 of <see cref="Canonical(ReceiptInputs)"/>:
/// canonical JSON (<see cref="CanonicalJson"/>) of an object with the members <c>actor_id</c>, <c>config_profile</c>,
/// <c>execution_id</c> (lowercase, hyphenated), <c>external_execution_id</c> (only when set), <c>max_depth</c>,
/// <c>result_digest</c>, <c>status</c> (wire name) and <c>tenant_id</c>. The result digest is the SHA-256 of the
/// canonical JSON of the final result: a JSON string, or <c>null</c> when there is none.
/// </summary>
public static class ReceiptDigests
{
    /// <summary>The SHA-256 of the canonical JSON of a text (a result, or the goal an intent names): a JSON string, or <c>null</c>.</summary>
    public static string TextDigest(string? text) =>
        CanonicalJson.Sha256Hex(CanonicalJson.Serialize(text is null ? null : JsonValue.Create(text)));

    public static string Canonical(ReceiptInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var node = new JsonObject
        {
            ["tenant_id"] = inputs.TenantId,
            ["actor_id"] = inputs.ActorId,
            ["execution_id"] = inputs.ExecutionId.ToString("D"),
            ["status"] = Statuses.Name(inputs.Status),
            ["config_profile"] = inputs.ConfigProfile,
            ["max_depth"] = inputs.MaxDepth,
            ["result_digest"] = inputs.ResultDigest,
        };
        if (inputs.ExternalExecutionId is { } external)
        {
            node["external_execution_id"] = external;
        }

        return CanonicalJson.Serialize(node);
    }

    public static string Digest(ReceiptInputs inputs) => CanonicalJson.Sha256Hex(Canonical(inputs));

    /// <summary>Reads receipt inputs back from their JSON (canonical or not); null when a member is missing or malformed.</summary>
    public static ReceiptInputs? Parse(JsonNode? node)
    {
        if (node is not JsonObject obj
            || Text(obj, "tenant_id") is not { } tenant
            || Text(obj, "actor_id") is not { } actor
            || !Guid.TryParse(Text(obj, "execution_id"), out var executionId)
            || !Statuses.TryParse(Text(obj, "status"), out var status)
            || Text(obj, "config_profile") is not { } profile
            || obj["max_depth"] is not JsonValue depthValue || !depthValue.TryGetValue<int>(out var maxDepth)
            || Text(obj, "result_digest") is not { } resultDigest)
        {
            return null;
        }

        return new ReceiptInputs(tenant, actor, executionId, status, profile, maxDepth, resultDigest, Text(obj, "external_execution_id"));
    }

    public static string Canonical(IntentInputs intent)
    {
        ArgumentNullException.ThrowIfNull(intent);
        var node = new JsonObject
        {
            ["tenant_id"] = intent.TenantId,
            ["actor_id"] = intent.ActorId,
            ["execution_id"] = intent.ExecutionId.ToString("D"),
            ["goal_digest"] = intent.GoalDigest,
            ["config_profile"] = intent.ConfigProfile,
            ["max_depth"] = intent.MaxDepth,
            ["base_depth"] = intent.BaseDepth,
            ["executor"] = intent.Executor,
            ["allowed_tools"] = intent.AllowedTools is null ? null : new JsonArray([.. intent.AllowedTools.Select(t => (JsonNode?)JsonValue.Create(t))]),
            ["token_budget"] = intent.TokenBudget,
            ["time_budget_ms"] = intent.TimeBudgetMs,
            ["parent_execution_id"] = intent.ParentExecutionId?.ToString("D"),
            ["parent_task_id"] = intent.ParentTaskId?.ToString("D"),
            ["created_at"] = intent.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
        return CanonicalJson.Serialize(node);
    }

    private static string? Text(JsonObject obj, string name) =>
        obj[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
