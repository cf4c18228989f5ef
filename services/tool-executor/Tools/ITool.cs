using System.Text.Json;
using Mesh.ToolExecutor.Domain;

namespace Mesh.ToolExecutor.Tools;

/// <summary>One call of a tool, with the identity it runs for.</summary>
/// <param name="RequestId">The request (idempotency key).</param>
/// <param name="SessionId">The session.</param>
/// <param name="TenantId">The tenant; tools that keep state keep it per tenant.</param>
/// <param name="ActorId">The actor policy allowed.</param>
/// <param name="PersonaId">The session's persona, when chosen.</param>
/// <param name="Arguments">Arguments already valid against the tool's input schema.</param>
public sealed record ToolCall(Guid RequestId, Guid SessionId, string TenantId, string ActorId, string? PersonaId, JsonElement Arguments);

/// <summary>A tool the executor can run.</summary>
public interface ITool
{
    /// <summary>Name, version, schema and limits (before configuration overrides).</summary>
    ToolDescriptor Descriptor { get; }

    /// <summary>
    /// Runs the tool and returns its output (any JSON value). Throws <see cref="ToolException"/> for a failure it
    /// can name, <see cref="ToolArgumentException"/> for arguments the schema allowed but the tool cannot use, and
    /// observes <paramref name="cancellationToken"/> (timeout, deadline, cancel).
    /// </summary>
    Task<JsonElement> InvokeAsync(ToolCall call, CancellationToken cancellationToken);
}

/// <summary>A failure a tool names: answered <c>failed</c> with <see cref="Code"/>.</summary>
/// <param name="code">Stable lowercase code (for example <c>host_not_allowed</c>).</param>
/// <param name="message">What went wrong, without secrets.</param>
/// <param name="isFault">
/// Whether it says the tool is unhealthy (and counts towards its circuit breaker), rather than that this call
/// asked for something refused.
/// </param>
public sealed class ToolException(string code, string message, bool isFault = true) : Exception(message)
{
    /// <summary>The <c>error.code</c> of the result.</summary>
    public string Code { get; } = code;

    /// <summary>Whether the failure counts towards the circuit breaker.</summary>
    public bool IsFault { get; } = isFault;
}

/// <summary>Arguments that pass the schema but that the tool cannot use: answered <c>invalid_arguments</c>.</summary>
public sealed class ToolArgumentException(string message) : Exception(message);
