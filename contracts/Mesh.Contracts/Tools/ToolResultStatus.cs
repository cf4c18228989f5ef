using System.Text.Json.Serialization;

namespace Mesh.Contracts.Tools;

/// <summary>How a tool request ended, with its exact wire name.</summary>
public enum ToolResultStatus
{
    /// <summary>The tool ran and returned its output.</summary>
    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    /// <summary>The tool ran and failed.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>The tool did not finish before its timeout or the request's deadline.</summary>
    [JsonStringEnumMemberName("timeout")]
    Timeout,

    /// <summary>Policy refused the call, or could not answer (fail closed).</summary>
    [JsonStringEnumMemberName("denied")]
    Denied,

    /// <summary>The arguments do not match the tool's input schema.</summary>
    [JsonStringEnumMemberName("invalid_arguments")]
    InvalidArguments,

    /// <summary>No tool of that name is registered.</summary>
    [JsonStringEnumMemberName("unknown_tool")]
    UnknownTool,

    /// <summary>The tool's circuit breaker is open; the tool was not called.</summary>
    [JsonStringEnumMemberName("circuit_open")]
    CircuitOpen,

    /// <summary>The turn was cancelled before the tool finished.</summary>
    [JsonStringEnumMemberName("cancelled")]
    Cancelled,
}
