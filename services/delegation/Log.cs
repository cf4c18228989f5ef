using Microsoft.Extensions.Logging;

namespace Mesh.Delegation;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Execution {ExecutionId} of tenant {TenantId} accepted (profile {Profile}, executor {Executor}, max depth {MaxDepth})")]
    public static partial void Accepted(ILogger logger, Guid executionId, string tenantId, string profile, string executor, int maxDepth);

    [LoggerMessage(2, LogLevel.Information, "Execution {ExecutionId} planned with {Tasks} tasks")]
    public static partial void Planned(ILogger logger, Guid executionId, int tasks);

    [LoggerMessage(3, LogLevel.Information, "Execution {ExecutionId} task {TaskId} started as child session {SessionId} at depth {Depth}")]
    public static partial void Dispatched(ILogger logger, Guid executionId, Guid taskId, Guid sessionId, int depth);

    [LoggerMessage(4, LogLevel.Information, "Execution {ExecutionId} task {TaskId} ended {Status}")]
    public static partial void TaskEnded(ILogger logger, Guid executionId, Guid taskId, string status);

    [LoggerMessage(5, LogLevel.Information, "Execution {ExecutionId} ended {Status} ({Code})")]
    public static partial void Finished(ILogger logger, Guid executionId, string status, string code);

    [LoggerMessage(6, LogLevel.Information, "Resuming {Count} unfinished executions")]
    public static partial void Resuming(ILogger logger, int count);

    [LoggerMessage(7, LogLevel.Error, "Advancing execution {ExecutionId} failed; retrying at the next deadline check")]
    public static partial void AdvanceFailed(ILogger logger, Guid executionId, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Planning execution {ExecutionId} failed: {Error}")]
    public static partial void PlanningFailed(ILogger logger, Guid executionId, string error);

    [LoggerMessage(9, LogLevel.Information, "Cancel sent to child session {SessionId} (turn {TurnId})")]
    public static partial void CancelSent(ILogger logger, Guid sessionId, Guid turnId);

    [LoggerMessage(10, LogLevel.Warning, "External execution of {ExecutionId} failed: {Code} {Error}")]
    public static partial void ExternalFailed(ILogger logger, Guid executionId, string code, string error);

    [LoggerMessage(11, LogLevel.Warning, "Cancelling external execution {ExternalId} failed: {Error}")]
    public static partial void ExternalCancelFailed(ILogger logger, string externalId, string error);

    [LoggerMessage(12, LogLevel.Error, "Resuming executions failed; retrying: {Error}")]
    public static partial void ResumeFailed(ILogger logger, string error);
}
