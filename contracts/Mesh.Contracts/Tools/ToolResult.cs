using System.Text.Json;
using Mesh.Contracts.Common;

namespace Mesh.Contracts.Tools;

/// <summary>
/// On <c>tool.results</c>, schema <c>mesh.tool.result/v1</c>: how one tool request ended.
/// Every status but <see cref="ToolResultStatus.Succeeded"/> carries an <paramref name="Error"/>.
/// </summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="SessionId">The session, also the Kafka key.</param>
/// <param name="TurnId">The turn that made the call.</param>
/// <param name="CallIndex">Position of the call within the turn.</param>
/// <param name="TenantId">Tenant of the session.</param>
/// <param name="Tool">Tool name.</param>
/// <param name="Status">How the call ended.</param>
/// <param name="Truncated">Whether <paramref name="Output"/> was cut to fit the message.</param>
/// <param name="FromCache">Whether the result was served from the tool-result cache.</param>
/// <param name="DurationMs">Time from taking the request to answering it.</param>
/// <param name="ExecutorId">The tool-executor instance that answered.</param>
/// <param name="CompletedAt">When the answer was made.</param>
/// <param name="Output">The tool's output, any JSON value.</param>
/// <param name="Error">Why the call did not succeed.</param>
/// <param name="PolicyDecisionId">The policy decision that allowed or denied the call; null when none was made.</param>
public sealed record ToolResult(
    Guid RequestId,
    Guid SessionId,
    Guid TurnId,
    int CallIndex,
    string TenantId,
    string Tool,
    ToolResultStatus Status,
    bool Truncated,
    bool FromCache,
    long DurationMs,
    string ExecutorId,
    DateTimeOffset CompletedAt,
    JsonElement? Output = null,
    ErrorDetail? Error = null,
    Guid? PolicyDecisionId = null);
