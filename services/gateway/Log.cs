namespace Mesh.Gateway;

/// <summary>The gateway's log lines. None carries message content or keys.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Fan-out consumer {Group} reading conversation.outbound")]
    public static partial void FanOutStarted(ILogger logger, string group);

    [LoggerMessage(2, LogLevel.Error, "Fan-out consumer {Group} stopped")]
    public static partial void FanOutFailed(ILogger logger, string group, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "Fan-out consumer {Group}: Kafka error {Code}: {Reason}")]
    public static partial void FanOutKafkaError(ILogger logger, string group, string code, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Skipped an unreadable event at conversation.outbound[{Partition}]@{Offset}: {Error}")]
    public static partial void UnreadableEvent(ILogger logger, int partition, long offset, string error);

    [LoggerMessage(5, LogLevel.Warning, "Session {SessionId}: history did not fill the gap after seq {Last} before live seq {Seq}")]
    public static partial void GapNotFilled(ILogger logger, Guid sessionId, long last, long seq);

    [LoggerMessage(6, LogLevel.Warning, "Session {SessionId}: replaying history failed: {Error}")]
    public static partial void ReplayFailed(ILogger logger, Guid sessionId, string error);

    [LoggerMessage(7, LogLevel.Warning, "Session {SessionId}: handing a client message on failed ({ErrorType}): {Error}")]
    public static partial void SendFailed(ILogger logger, Guid sessionId, string errorType, string error);

    [LoggerMessage(10, LogLevel.Error, "Session {SessionId}: a WebSocket connection failed")]
    public static partial void ConnectionFailed(ILogger logger, Guid sessionId, Exception exception);

    [LoggerMessage(8, LogLevel.Information, "Key {KeyId} issued for actor {Actor} of tenant {TenantId} by {IssuedBy}")]
    public static partial void KeyIssued(ILogger logger, Guid keyId, string actor, string tenantId, string issuedBy);

    [LoggerMessage(11, LogLevel.Information, "Session {SessionId}: {Kind} of turn {TurnId} sent to conversation.inbound as message {MessageId}")]
    public static partial void MessageSent(ILogger logger, Guid sessionId, string kind, Guid turnId, Guid messageId);

    [LoggerMessage(9, LogLevel.Information, "Key {KeyId} of tenant {TenantId} {Change} by {ChangedBy}")]
    public static partial void KeyChanged(ILogger logger, Guid keyId, string tenantId, string change, string changedBy);
}
