using Confluent.Kafka;
using Mesh.Contracts.Messaging;
using Mesh.Infra.Kafka;

namespace Mesh.Infra.Messaging;

/// <summary>
/// Operators' access to dead-letter topics: list and find dead letters (read with an assigned consumer, no
/// consumer group, nothing committed) and replay one to its source topic. Thread-safe.
/// </summary>
public sealed class DeadLetterQueue : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly string bootstrapServers;
    private readonly string clientId;
    private readonly Lazy<IProducer<byte[]?, byte[]>> producer;

    /// <summary>Creates the reader; its producer is created on the first replay.</summary>
    /// <param name="bootstrapServers">The cluster.</param>
    /// <param name="clientId">The client id brokers log.</param>
    public DeadLetterQueue(string bootstrapServers, string clientId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        this.bootstrapServers = bootstrapServers;
        this.clientId = clientId;
        producer = new(() =>
        {
            KafkaNative.EnsureLoaded();
            return new ProducerBuilder<byte[]?, byte[]>(KafkaClientConfig.Producer(bootstrapServers, clientId)).Build();
        });
    }

    /// <summary>
    /// Lists the dead letters of <paramref name="topic"/> that <paramref name="include"/> accepts, in partition then
    /// offset order, starting after <paramref name="after"/>. At most <paramref name="maxScanned"/> letters are read
    /// per call; a page may therefore be short and still have a <see cref="DeadLetterPage.Next"/>.
    /// </summary>
    /// <param name="topic">The source topic; its dead letters are in <c>&lt;topic&gt;.dlq</c>.</param>
    /// <param name="after">Start after this position; null for the beginning.</param>
    /// <param name="limit">The largest page.</param>
    /// <param name="include">Which letters the caller may see.</param>
    /// <param name="maxScanned">The most letters read for one page.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    /// <returns>The page.</returns>
    /// <exception cref="KafkaException">The cluster could not be read.</exception>
    /// <exception cref="TimeoutException">The cluster did not answer in time.</exception>
    public Task<DeadLetterPage> ListAsync(
        string topic, DeadLetterId? after, int limit, Func<DeadLetter, bool> include, int maxScanned = 10_000, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentNullException.ThrowIfNull(include);
        return Task.Run(() => List(topic, after, limit, include, maxScanned, cancellationToken), cancellationToken);
    }

    /// <summary>The dead letter at <paramref name="id"/>, or null when there is none.</summary>
    /// <param name="topic">The source topic.</param>
    /// <param name="id">The position in <c>&lt;topic&gt;.dlq</c>.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    /// <returns>The dead letter, or null.</returns>
    /// <exception cref="KafkaException">The cluster could not be read.</exception>
    /// <exception cref="TimeoutException">The cluster did not answer in time.</exception>
    public Task<DeadLetter?> FindAsync(string topic, DeadLetterId id, CancellationToken cancellationToken = default) =>
        Task.Run(() => Find(topic, id, cancellationToken), cancellationToken);

    /// <summary>
    /// Publishes the letter's original key, value and headers to its source topic again, with a
    /// <c>replayed-from</c> header (<c>&lt;topic&gt;.dlq/&lt;id&gt;</c>) instead of the reason headers.
    /// </summary>
    /// <param name="letter">The dead letter.</param>
    /// <param name="cancellationToken">Stops waiting for the delivery report.</param>
    /// <returns>Where the replayed message was stored.</returns>
    /// <exception cref="ProduceException{TKey, TValue}">The cluster did not take the message.</exception>
    public async Task<TopicPartitionOffset> ReplayAsync(DeadLetter letter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var headers = MessageHeaders.WithoutDeadLetterHeaders(letter.RawHeaders, dropReplayedFrom: true);
        MessageHeaders.Add(headers, MeshHeaders.ReplayedFrom, $"{MeshTopics.Dlq(letter.Topic)}/{letter.Id}");
        var message = new Message<byte[]?, byte[]> { Key = letter.Key, Value = letter.Value, Headers = headers };
        var delivered = await producer.Value.ProduceAsync(letter.Topic, message, cancellationToken);
        return delivered.TopicPartitionOffset;
    }

    /// <summary>Flushes and releases the producer, if one was created.</summary>
    public void Dispose()
    {
        if (producer.IsValueCreated)
        {
            producer.Value.Flush(Timeout);
            producer.Value.Dispose();
        }
    }

    private DeadLetterPage List(string topic, DeadLetterId? after, int limit, Func<DeadLetter, bool> include, int maxScanned, CancellationToken cancellationToken)
    {
        var dlq = MeshTopics.Dlq(topic);
        using var consumer = CreateReader();
        var items = new List<DeadLetter>();
        var scanned = 0;
        foreach (var partition in Partitions(dlq).Where(p => p >= (after?.Partition ?? 0)))
        {
            var position = new TopicPartition(dlq, partition);
            var (low, high) = Watermarks(consumer, position);
            var start = after is { } a && a.Partition == partition ? Math.Max(low, a.Offset + 1) : low;
            if (start >= high)
            {
                continue;
            }

            consumer.Assign(new TopicPartitionOffset(position, start));
            while (Next(consumer, cancellationToken) is { } result)
            {
                var letter = new DeadLetter(topic, result);
                if (include(letter))
                {
                    items.Add(letter);
                }

                if (items.Count == limit || ++scanned >= maxScanned)
                {
                    return new DeadLetterPage(items, letter.Id);
                }

                if (result.Offset.Value >= high - 1)
                {
                    break;
                }
            }

            consumer.Unassign();
        }

        return new DeadLetterPage(items, null);
    }

    private DeadLetter? Find(string topic, DeadLetterId id, CancellationToken cancellationToken)
    {
        var dlq = MeshTopics.Dlq(topic);
        if (!Partitions(dlq).Contains(id.Partition))
        {
            return null;
        }

        using var consumer = CreateReader();
        var position = new TopicPartition(dlq, id.Partition);
        var (low, high) = Watermarks(consumer, position);
        if (id.Offset < low || id.Offset >= high)
        {
            return null;
        }

        consumer.Assign(new TopicPartitionOffset(position, id.Offset));
        return Next(consumer, cancellationToken) is { } result && result.Offset.Value == id.Offset ? new DeadLetter(topic, result) : null;
    }

    private IConsumer<byte[]?, byte[]> CreateReader()
    {
        KafkaNative.EnsureLoaded();
        return new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = clientId,
            // Required by the client, unused: the reader is assigned partitions and never commits.
            GroupId = clientId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            FetchWaitMaxMs = KafkaClientConfig.FetchWaitMaxMs,
        }).Build();
    }

    private List<int> Partitions(string dlq)
    {
        using var admin = new DependentAdminClientBuilder(producer.Value.Handle).Build();
        var metadata = admin.GetMetadata(dlq, Timeout).Topics.SingleOrDefault(t => t.Topic == dlq);
        return metadata is null || metadata.Error.IsError ? [] : [.. metadata.Partitions.Select(p => p.PartitionId).Order()];
    }

    private static (long Low, long High) Watermarks(IConsumer<byte[]?, byte[]> consumer, TopicPartition position)
    {
        var watermarks = consumer.QueryWatermarkOffsets(position, Timeout);
        return (watermarks.Low.Value, watermarks.High.Value);
    }

    /// <summary>The next message of the assigned partition, or null at its end.</summary>
    private static ConsumeResult<byte[]?, byte[]>? Next(IConsumer<byte[]?, byte[]> consumer, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
            {
                return result.IsPartitionEOF ? null : result;
            }
        }

        throw new TimeoutException($"Reading {consumer.Assignment.FirstOrDefault()} took longer than {Timeout}.");
    }
}
