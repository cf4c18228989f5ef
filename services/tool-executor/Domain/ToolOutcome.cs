using System.Text.Json;
using Mesh.Contracts.Common;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;

namespace Mesh.ToolExecutor.Domain;

/// <summary>How a request ended, before it becomes a <see cref="ToolResult"/>.</summary>
public sealed record ToolOutcome(
    ToolResultStatus Status,
    JsonElement? Output = null,
    ErrorDetail? Error = null,
    bool Truncated = false,
    bool FromCache = false,
    Guid? PolicyDecisionId = null)
{
    private const int MaxMessageLength = 2048;

    /// <summary>
    /// Any other status, with its error. A code outside the contract's form (lowercase identifier, at most 64
    /// characters), as a tool or server might send, becomes <c>tool_error</c>: an invalid result could not be published.
    /// </summary>
    public static ToolOutcome Failure(ToolResultStatus status, string code, string message) =>
        new(status, Error: new ErrorDetail(IsValidCode(code) ? code : ErrorCodes.ToolError, Clip(message)));

    /// <summary>Whether <paramref name="code"/> fits the result contract's <c>error.code</c>.</summary>
    public static bool IsValidCode(string code) =>
        code.Length is > 0 and <= 64 && code[0] is >= 'a' and <= 'z' && code.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '.');

    /// <summary>The status as it appears on the wire and in metrics (<c>succeeded</c>, <c>circuit_open</c>, ...).</summary>
    public string StatusName => MeshJson.WireName(Status);


    private static string Clip(string message) => message.Length <= MaxMessageLength ? message : message[..(MaxMessageLength - 1)] + "…";
}

/// <summary>The <c>error.code</c> values the executor itself writes (policy denials carry the policy's reason).</summary>
public static class ErrorCodes
{
    public const string UnknownTool = "unknown_tool";
    public const string InvalidArguments = "invalid_arguments";
    public const string PolicyUnavailable = "policy_unavailable";
    public const string ToolTimeout = "tool_timeout";
    public const string DeadlineExceeded = "deadline_exceeded";
    public const string QueueTimeout = "queue_timeout";
    public const string Cancelled = "cancelled";
    public const string CircuitOpen = "circuit_open";
    public const string Interrupted = "interrupted";
    public const string ToolError = "tool_error";
}
