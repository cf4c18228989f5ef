using System.Text;
using Confluent.Kafka;
using Mesh.Infra.Kafka;

namespace Mesh.Testing.Kafka;

/// <summary>A message as a test sees it: UTF-8 key, value and headers.</summary>
/// <param name="Topic">The topic it was read from.</param>
/// <param name="Partition">Its partition.</param>
/// <param name="Offset">Its offset in that partition.</param>
/// <param name="Key">The key, or null for a message without one.</param>
/// <param name="Value">The value.</param>
/// <param name="Headers">The headers by name; a name sent twice keeps its last value.</param>
public sealed record ConsumedMessage(string Topic, int Partition, long Offset, string? Key, string Value, IReadOnlyDictionary<string, string> Headers);

/// <summary>Reads messages with the mesh's own Kafka client (Confluent.Kafka on Debian's librdkafka).</summary>
public static class TestConsumer
{
    /// <summary>
    /// Reads <paramref name="topic"/> from the beginning in a fresh consumer group until
    /// <paramref name="count"/> messages arrived.
    /// </summary>
    /// <exception cref="TimeoutException">Fewer messages arrived within <paramref name="timeout"/>.</exception>
    public static Task<IReadOnlyList<ConsumedMessage>> ConsumeAsync(
        string bootstrapServers, string topic, int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        KafkaNative.EnsureLoaded();
        // Consume blocks its thread while it waits, so the loop runs off the caller's.
        return Task.Run<IReadOnlyList<ConsumedMessage>>(() => Consume(bootstrapServers, topic, count, timeout, cancellationToken), cancellationToken);
    }

    private static List<ConsumedMessage> Consume(
        string bootstrapServers, string topic, int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"test-consumer-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config).Build();
        consumer.Subscribe(topic);
        var messages = new List<ConsumedMessage>();
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            while (messages.Count < count && DateTime.UtcNow < deadline)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
                {
                    messages.Add(ToMessage(result));
                }
            }
        }
        finally
        {
            consumer.Close();
        }

        return messages.Count >= count
            ? messages
            : throw new TimeoutException($"Read {messages.Count} of {count} messages from '{topic}' within {timeout}.");
    }

    private static ConsumedMessage ToMessage(ConsumeResult<byte[]?, byte[]> result)
    {
        var headers = new Dictionary<string, string>();
        foreach (var header in result.Message.Headers ?? [])
        {
            headers[header.Key] = Encoding.UTF8.GetString(header.GetValueBytes());
        }

        return new ConsumedMessage(
            result.Topic,
            result.Partition.Value,
            result.Offset.Value,
            result.Message.Key is { } key ? Encoding.UTF8.GetString(key) : null,
            Encoding.UTF8.GetString(result.Message.Value ?? []),
            headers);
    }
}
