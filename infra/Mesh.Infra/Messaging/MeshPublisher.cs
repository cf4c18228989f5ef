using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Mesh.Contracts.Common;
using Mesh.Contracts.Schemas;
using Mesh.Contracts.Serialization;
using Mesh.Infra.Kafka;

namespace Mesh.Infra.Messaging;

/// <summary>Where a published message was stored.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition the key mapped to.</param>
/// <param name="Offset">The offset within that partition.</param>
/// <param name="MessageId">The <c>message-id</c> header it was given.</param>
public sealed record PublishedMessage(string Topic, int Partition, long Offset, Guid MessageId);

/// <summary>
/// Publishes mesh messages: serializes a message record, validates it against its schema (an invalid message is
/// never sent), adds the standard headers and a producer span, and sends it with an idempotent, <c>acks=all</c>
/// producer. Thread-safe; one instance per process. Disposing flushes what is still in flight.
/// </summary>
public sealed class MeshPublisher : IDisposable
{
    private readonly IProducer<byte[]?, byte[]> producer;
    private readonly TimeSpan flushTimeout;

    /// <summary>Creates the publisher and its producer.</summary>
    /// <param name="options">The settings.</param>
    public MeshPublisher(MeshPublisherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        KafkaNative.EnsureLoaded();
        producer = new ProducerBuilder<byte[]?, byte[]>(KafkaClientConfig.Producer(options.BootstrapServers, options.ClientId)).Build();
        flushTimeout = options.FlushTimeout;
    }

    /// <summary>Publishes <paramref name="message"/> to <paramref name="topic"/> and waits until the cluster has it.</summary>
    /// <typeparam name="T">A message record of the contracts library; its schema goes in the <c>schema</c> header.</typeparam>
    /// <param name="topic">The topic.</param>
    /// <param name="key">The partition key (the session id on most topics).</param>
    /// <param name="message">The message.</param>
    /// <param name="context">Tenant, turn and cause, sent as headers.</param>
    /// <param name="cancellationToken">Stops waiting for the delivery report (the message may still be delivered).</param>
    /// <returns>Where the message was stored.</returns>
    /// <exception cref="InvalidMessageException">The message fails its schema; nothing was sent.</exception>
    /// <exception cref="ProduceException{TKey, TValue}">The cluster did not take the message.</exception>
    public async Task<PublishedMessage> PublishAsync<T>(
        string topic, string key, T message, PublishContext context, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(context);

        var schemaId = MeshSchemas.SchemaIdFor<T>();
        var body = MeshJson.SerializeToUtf8Bytes(message);
        var validation = MeshSchemas.Validate(schemaId, body);
        if (!validation.IsValid)
        {
            Count(topic, "invalid");
            throw new InvalidMessageException(topic, validation);
        }

        var messageId = TimeOrderedIds.NewId();
        using var span = MessagingDiagnostics.Source.StartActivity($"{topic} publish", ActivityKind.Producer);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("messaging.system", "kafka");
            span.SetTag("messaging.operation.type", "send");
            span.SetTag("messaging.destination.name", topic);
            span.SetTag("messaging.message.id", messageId.ToString("D"));
        }

        var kafkaMessage = new Message<byte[]?, byte[]>
        {
            Key = Encoding.UTF8.GetBytes(key),
            Value = body,
            Headers = MessageHeaders.Create(schemaId, context, messageId, TraceParent.ForOutgoing(span)),
        };
        try
        {
            var delivered = await producer.ProduceAsync(topic, kafkaMessage, cancellationToken);
            Count(topic, "delivered");
            span?.SetTag("messaging.destination.partition.id", delivered.Partition.Value);
            return new PublishedMessage(topic, delivered.Partition.Value, delivered.Offset.Value, messageId);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            Count(topic, "failed");
            span?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    /// <summary>Waits up to the flush timeout for messages in flight, then releases the producer.</summary>
    public void Dispose()
    {
        producer.Flush(flushTimeout);
        producer.Dispose();
    }

    private static void Count(string topic, string outcome) =>
        MessagingMetrics.Produced.Add(1, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("outcome", outcome));
}
