namespace Mesh.Contracts.Messaging;

/// <summary>Kafka header names. Every message carries <see cref="Standard"/>; dead letters add <see cref="DeadLetter"/>.</summary>
public static class MeshHeaders
{
    /// <summary>Unique id of the message (a UUID).</summary>
    public const string MessageId = "message-id";

    /// <summary>The turn the message belongs to.</summary>
    public const string CorrelationId = "correlation-id";

    /// <summary>The <see cref="MessageId"/> of the message that caused this one.</summary>
    public const string CausationId = "causation-id";

    /// <summary>W3C trace context of the producer.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>Tenant the message belongs to.</summary>
    public const string TenantId = "tenant-id";

    /// <summary>Media type of the body, <see cref="JsonContentType"/>.</summary>
    public const string ContentType = "content-type";

    /// <summary>Schema id of the body, e.g. <c>mesh.tool.request/v1</c>.</summary>
    public const string Schema = "schema";

    /// <summary>Dead letter: why it failed, e.g. a schema error kind or an exception type.</summary>
    public const string ErrorType = "error-type";

    /// <summary>Dead letter: the failure, in words, without message content or secrets.</summary>
    public const string ErrorMessage = "error-message";

    /// <summary>Dead letter: the topic the message was read from.</summary>
    public const string SourceTopic = "source-topic";

    /// <summary>Dead letter: its partition, in decimal.</summary>
    public const string SourcePartition = "source-partition";

    /// <summary>Dead letter: its offset, in decimal.</summary>
    public const string SourceOffset = "source-offset";

    /// <summary>Dead letter: when it was given up on, RFC 3339 UTC.</summary>
    public const string FailedAt = "failed-at";

    /// <summary>Dead letter: how many times handling was attempted, in decimal.</summary>
    public const string Attempt = "attempt";

    /// <summary>
    /// Replayed message: where it was replayed from, as <c>&lt;dlq topic&gt;/&lt;partition&gt;-&lt;offset&gt;</c> (e.g.
    /// <c>tool.requests.dlq/0-17</c>), the dead letter's id in the gateway's admin API after its topic.
    /// </summary>
    public const string ReplayedFrom = "replayed-from";

    /// <summary>The <see cref="ContentType"/> of every mesh message.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>Headers every message carries.</summary>
    public static IReadOnlyList<string> Standard { get; } =
        [MessageId, CorrelationId, CausationId, TraceParent, TenantId, ContentType, Schema];

    /// <summary>Headers a dead-lettering consumer adds to the original ones; <see cref="ReplayedFrom"/> marks a replay.</summary>
    public static IReadOnlyList<string> DeadLetter { get; } =
        [ErrorType, ErrorMessage, SourceTopic, SourcePartition, SourceOffset, FailedAt, Attempt, ReplayedFrom];
}
