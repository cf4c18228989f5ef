namespace Mesh.ConversationWorker;

/// <summary>The worker's log lines. None carries message content, tool output or keys.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Information, Message = "Resuming the interrupted step of turn {TurnId} in session {SessionId}")]
    public static partial void StepResumed(ILogger logger, Guid sessionId, Guid turnId);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Tool result {RequestId} of turn {TurnId} in session {SessionId} ignored: {Reason}")]
    public static partial void ResultIgnored(ILogger logger, Guid sessionId, Guid turnId, Guid requestId, string reason);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "Turn {TurnId} in session {SessionId} failed: {Code}")]
    public static partial void TurnFailed(ILogger logger, Guid sessionId, Guid turnId, string code);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Model call of turn {TurnId} in session {SessionId} at {Provider} failed with {ErrorType}: {Error}")]
    public static partial void ModelFailed(ILogger logger, Guid sessionId, Guid turnId, string provider, string errorType, string error);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning, Message = "Budget reservation refused with HTTP {Status}; failing closed")]
    public static partial void BudgetRefused(ILogger logger, int status);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Warning, Message = "Policy service unreachable for budgets ({ErrorType}: {Error}); failing closed")]
    public static partial void BudgetUnreachable(ILogger logger, string errorType, string error);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Warning, Message = "Committing budget reservation {ReservationId} failed ({Reason}); it lapses at its expiry")]
    public static partial void BudgetCommitFailed(ILogger logger, Guid reservationId, string reason);

    [LoggerMessage(EventId = 6107, Level = LogLevel.Warning, Message = "Tool list unavailable ({ErrorType}: {Error}); using the last one known")]
    public static partial void ToolCatalogUnavailable(ILogger logger, string errorType, string error);

    [LoggerMessage(EventId = 6108, Level = LogLevel.Warning, Message = "Hot list push of event {Seq} in session {SessionId} failed ({ErrorType}); history falls back to PostgreSQL")]
    public static partial void HotListPushFailed(ILogger logger, Guid sessionId, long seq, string errorType);

    [LoggerMessage(EventId = 6109, Level = LogLevel.Information, Message = "Tool-result deadline of turn {TurnId} in session {SessionId} passed; timeout results sent")]
    public static partial void DeadlinePassed(ILogger logger, Guid sessionId, Guid turnId);

    [LoggerMessage(EventId = 6110, Level = LogLevel.Warning, Message = "Sending the timeout results of turn {TurnId} failed ({ErrorType}); retrying")]
    public static partial void DeadlinePublishFailed(ILogger logger, Guid turnId, string errorType);

    [LoggerMessage(EventId = 6111, Level = LogLevel.Information, Message = "Armed the deadlines of {Count} turns waiting for tool results")]
    public static partial void DeadlinesArmed(ILogger logger, int count);

    [LoggerMessage(EventId = 6112, Level = LogLevel.Warning, Message = "Waiting turns not readable yet ({Error}); retrying in {Delay}")]
    public static partial void DeadlinesNotArmed(ILogger logger, string error, TimeSpan delay);

    [LoggerMessage(EventId = 6114, Level = LogLevel.Information, Message = "Turn {TurnId} in session {SessionId}: {Count} tool requests sent")]
    public static partial void ToolRequestsSent(ILogger logger, Guid sessionId, Guid turnId, int count);

    [LoggerMessage(EventId = 6113, Level = LogLevel.Warning, Message = "Cancelling tool calls at the executors failed ({ErrorType}); their results will be ignored")]
    public static partial void ToolCancelNotSent(ILogger logger, string errorType);
}
