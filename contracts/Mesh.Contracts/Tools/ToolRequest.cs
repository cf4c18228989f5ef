using System.Text.Json;

namespace Mesh.Contracts.Tools;

/// <summary>
/// On <c>tool.requests</c>, schema <c>mesh.tool.request/v1</c>: one tool call of a turn.
/// </summary>
/// <param name="RequestId">
/// <see cref="RequestIds.ForToolCall"/> of session, turn and call index: the idempotency key everywhere.
/// </param>
/// <param name="SessionId">The session, also the Kafka key.</param>
/// <param name="TurnId">The turn that makes the call.</param>
/// <param name="CallIndex">Position of the call within the turn, from 0.</param>
/// <param name="TenantId">Tenant of the session.</param>
/// <param name="ActorId">Actor on whose behalf the tool runs; policy checks this identity.</param>
/// <param name="Tool">Registered tool name.</param>
/// <param name="Arguments">The tool's arguments, a JSON object of at most 256 KiB.</param>
/// <param name="CreatedAt">When the call was made.</param>
/// <param name="PersonaId">Persona of the session, when chosen; budgets are kept per persona.</param>
/// <param name="CacheStrategy">How the result cache may be used.</param>
/// <param name="Deadline">After this instant the result is no longer wanted.</param>
public sealed record ToolRequest(
    Guid RequestId,
    Guid SessionId,
    Guid TurnId,
    int CallIndex,
    string TenantId,
    string ActorId,
    string Tool,
    JsonElement Arguments,
    DateTimeOffset CreatedAt,
    string? PersonaId = null,
    CacheStrategy CacheStrategy = CacheStrategy.Smart,
    DateTimeOffset? Deadline = null);
