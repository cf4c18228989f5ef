namespace Mesh.Infra.Messaging;

/// <summary>A received, validated message and where it came from, as a handler sees it.</summary>
/// <typeparam name="T">The message record.</typeparam>
public sealed class MessageContext<T>
{
    /// <summary>The message.</summary>
    public required T Message { get; init; }

    /// <summary>The Kafka key as UTF-8 text, or null for a message without one.</summary>
    public required string? Key { get; init; }

    /// <summary>Every header as UTF-8 text by name.</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>The topic it was read from.</summary>
    public required string Topic { get; init; }

    /// <summary>Its partition.</summary>
    public required int Partition { get; init; }

    /// <summary>Its offset.</summary>
    public required long Offset { get; init; }

    /// <summary>The Kafka timestamp.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The consumer group handling it.</summary>
    public required string GroupId { get; init; }

    /// <summary>Which attempt this is, from 1.</summary>
    public required int Attempt { get; init; }

    /// <summary>The <c>message-id</c> header.</summary>
    public required string MessageId { get; init; }

    /// <summary>The <c>correlation-id</c> header: the turn.</summary>
    public required string CorrelationId { get; init; }

    /// <summary>The <c>causation-id</c> header.</summary>
    public required string CausationId { get; init; }

    /// <summary>The <c>tenant-id</c> header.</summary>
    public required string TenantId { get; init; }

    /// <summary>The <c>schema</c> header.</summary>
    public required string SchemaId { get; init; }

    /// <summary>The context for a message this one causes: same tenant and turn, caused by this message.</summary>
    /// <returns>The publish context.</returns>
    public PublishContext FollowUp() => new(TenantId, CorrelationId, MessageId);
}
