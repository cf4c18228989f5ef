using Microsoft.Extensions.Logging;

namespace Mesh.ToolExecutor;

/// <summary>The executor's log lines. None carries arguments, outputs or secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "Answered {Tool}: {Outcome} {ErrorCode} in {DurationMs} ms")]
    public static partial void Answered(ILogger logger, string tool, string outcome, string errorCode, long durationMs);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Request for {Tool} already answered; republishing the recorded result")]
    public static partial void Republished(ILogger logger, string tool);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "A run of {Tool} was interrupted by a crash; not idempotent, answering interrupted")]
    public static partial void Interrupted(ILogger logger, string tool);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "Tool {Tool} faulted with {ErrorType}")]
    public static partial void ToolFaulted(ILogger logger, string tool, string errorType, Exception exception);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Warning, Message = "Policy unavailable, denying: {Detail}")]
    public static partial void PolicyUnavailable(ILogger logger, string detail);

    [LoggerMessage(EventId = 5210, Level = LogLevel.Information, Message = "MCP server {Server} connected (version {Version})")]
    public static partial void McpServerConnected(ILogger logger, string server, string version);

    [LoggerMessage(EventId = 5211, Level = LogLevel.Warning, Message = "MCP server {Server} disconnected ({Reason}); reconnecting in {Delay}")]
    public static partial void McpServerDisconnected(ILogger logger, string server, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 5212, Level = LogLevel.Warning, Message = "MCP server {Server} failed with {ErrorType}: {Reason}; retrying in {Delay}")]
    public static partial void McpServerFailed(ILogger logger, string server, string errorType, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 5213, Level = LogLevel.Warning, Message = "MCP server {Server}: tool {Tool} skipped: {Reason}")]
    public static partial void McpToolSkipped(ILogger logger, string server, string tool, string reason);

    [LoggerMessage(EventId = 5214, Level = LogLevel.Debug, Message = "MCP server {Server} stderr: {Line}")]
    public static partial void McpServerStderr(ILogger logger, string server, string line);
}
