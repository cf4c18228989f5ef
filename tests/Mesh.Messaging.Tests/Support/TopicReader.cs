using Confluent.Kafka;
using Mesh.Infra.Kafka;
using Mesh.Testing.Kafka;

namespace Mesh.Messaging.Tests.Support;

/// <summary>
/// Reads partition 0 of a topic (dead-letter topics have one) from the beginning with an assigned consumer:
/// no consumer group, so no wait for a group to form.
/// </summary>
public static class TopicReader
{
    public static Task<IReadOnlyList<ConsumedMessage>> ReadAsync(string bootstrapServers, string topic, int count, TimeSpan? timeout = null)
    {
        KafkaNative.EnsureLoaded();
        return Task.Run<IReadOnlyList<ConsumedMessage>>(() =>
        {
            using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
            {
                BootstrapServers = bootstrapServers,
                GroupId = "unused",
                EnableAutoCommit = false,
            }).Build();
            consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            var messages = new List<ConsumedMessage>();
            var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
            while (messages.Count < count && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
                {
                    var headers = Infra.Messaging.MessageHeaders.Read(result.Message.Headers);
                    messages.Add(new ConsumedMessage(
                        result.Topic, result.Partition.Value, result.Offset.Value,
                        result.Message.Key is { } key ? System.Text.Encoding.UTF8.GetString(key) : null,
                        System.Text.Encoding.UTF8.GetString(result.Message.Value ?? []), headers));
                }
            }

            return messages.Count >= count
                ? messages
                : throw new TimeoutException($"Read {messages.Count} of {count} messages from '{topic}'.");
        });
    }

    public static long HighWatermark(string bootstrapServers, string topic)
    {
        KafkaNative.EnsureLoaded();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "unused" }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10)).High.Value;
    }
}
