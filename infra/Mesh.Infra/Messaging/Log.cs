using Microsoft.Extensions.Logging;

namespace Mesh.Infra.Messaging;

/// <summary>The messaging library's log lines. None carries a message body.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Consumer group {Group} started on {Topics} with {Assignment} assignment")]
    public static partial void ConsumerStarted(ILogger logger, string group, string topics, string assignment);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Consumer group {Group} stopped")]
    public static partial void ConsumerStopped(ILogger logger, string group);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Consumer group {Group} assigned {Partitions}")]
    public static partial void PartitionsAssigned(ILogger logger, string group, string partitions);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Consumer group {Group} released ({Reason}) {Partitions}")]
    public static partial void PartitionsReleased(ILogger logger, string group, string reason, string partitions);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "Handler attempt {Attempt} of {MaxAttempts} failed for {Topic}[{Partition}]@{Offset} with {ErrorType}")]
    public static partial void HandlerAttemptFailed(ILogger logger, string topic, int partition, long offset, int attempt, int maxAttempts, string errorType, Exception exception);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Dead-lettered {Topic}[{Partition}]@{Offset}: {ErrorType} after {Attempt} attempt(s)")]
    public static partial void DeadLettered(ILogger logger, string topic, int partition, long offset, string errorType, int attempt);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Error, Message = "Writing the dead letter of {Topic}[{Partition}]@{Offset} failed ({Reason}); retrying in {Delay}")]
    public static partial void DeadLetterWriteFailed(ILogger logger, string topic, int partition, long offset, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Warning, Message = "Consumer group {Group}: consume error {Code}: {Reason}")]
    public static partial void ConsumeFailed(ILogger logger, string group, string code, string reason);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Warning, Message = "Consumer group {Group}: Kafka error {Code}: {Reason}")]
    public static partial void KafkaError(ILogger logger, string group, string code, string reason);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Information, Message = "Offset of {Topic}[{Partition}]@{Offset} not stored ({Reason}); the partition's next owner reads it again")]
    public static partial void StoreFailed(ILogger logger, string topic, int partition, long offset, string reason);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "Consumer group {Group}: closing failed: {Reason}")]
    public static partial void CloseFailed(ILogger logger, string group, string reason);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Debug, Message = "Consumer group {Group}: statistics unreadable: {Reason}")]
    public static partial void StatisticsUnreadable(ILogger logger, string group, string reason);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Critical, Message = "Consumer group {Group} failed and stops")]
    public static partial void ConsumerFailed(ILogger logger, string group, Exception exception);
}
