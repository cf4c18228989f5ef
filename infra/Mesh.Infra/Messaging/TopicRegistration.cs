using Mesh.Contracts.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Infra.Messaging;

/// <summary>One topic of a consumer group: its schema, how many messages of a partition may run at once, and how to run its handler without reflection.</summary>
internal abstract class TopicRegistration(string topic, string schemaId, int maxInFlightPerPartition)
{
    public string Topic { get; } = topic;

    public string SchemaId { get; } = schemaId;

    public int MaxInFlightPerPartition { get; } = maxInFlightPerPartition;

    public abstract void AddHandler(IServiceCollection services);

    /// <summary>Reads the body; throws <see cref="System.Text.Json.JsonException"/> when it does not fit the record.</summary>
    public abstract object Deserialize(ReadOnlySpan<byte> body);

    public abstract Task HandleAsync(IServiceProvider services, ReceivedMessage received, object message, int attempt, CancellationToken cancellationToken);
}

internal sealed class TopicRegistration<TMessage, THandler>(string topic, string schemaId, int maxInFlightPerPartition)
    : TopicRegistration(topic, schemaId, maxInFlightPerPartition)
    where THandler : class, IMessageHandler<TMessage>
{
    public override void AddHandler(IServiceCollection services) => services.TryAddScoped<THandler>();

    public override object Deserialize(ReadOnlySpan<byte> body) => MeshJson.Deserialize<TMessage>(body)!;

    public override Task HandleAsync(IServiceProvider services, ReceivedMessage received, object message, int attempt, CancellationToken cancellationToken)
    {
        var context = new MessageContext<TMessage>
        {
            Message = (TMessage)message,
            Key = received.Key,
            Headers = received.Headers,
            Topic = received.Topic,
            Partition = received.Partition,
            Offset = received.Offset,
            Timestamp = received.Timestamp,
            GroupId = received.GroupId,
            Attempt = attempt,
            MessageId = received.Header(Contracts.Messaging.MeshHeaders.MessageId),
            CorrelationId = received.Header(Contracts.Messaging.MeshHeaders.CorrelationId),
            CausationId = received.Header(Contracts.Messaging.MeshHeaders.CausationId),
            TenantId = received.Header(Contracts.Messaging.MeshHeaders.TenantId),
            SchemaId = received.Header(Contracts.Messaging.MeshHeaders.Schema),
        };
        return services.GetRequiredService<THandler>().HandleAsync(context, cancellationToken);
    }
}
