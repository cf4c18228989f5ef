using Mesh.Contracts.Tools;

namespace Mesh.Contracts.Conversations;

/// <summary>A tool call as a chat client sees it in <c>tool.started</c> and <c>tool.completed</c>.</summary>
/// <param name="RequestId">The tool request's deterministic id.</param>
/// <param name="CallIndex">Position of the call within the turn, from 0.</param>
/// <param name="Name">Tool name.</param>
/// <param name="Status">How the call ended; required on <c>tool.completed</c>.</param>
/// <param name="Summary">One short line about the outcome, never the full output.</param>
/// <param name="FromCache">Whether the result was served from the tool-result cache.</param>
/// <param name="DurationMs">How long the call took.</param>
public sealed record ToolActivity(
    Guid RequestId,
    int CallIndex,
    string Name,
    ToolResultStatus? Status = null,
    string? Summary = null,
    bool? FromCache = null,
    long? DurationMs = null);
