using Confluent.Kafka;

namespace Mesh.Infra.Messaging;

/// <summary>
/// The one place the mesh's Kafka client settings are chosen. The publisher, the consumer host and the
/// dead-letter tools build their clients from here, and so does the benchmark's raw-client baseline, so that
/// what it measures is the library and not a different configuration.
/// </summary>
public static class KafkaClientConfig
{
    /// <summary>How long a producer waits to batch messages: small, for latency.</summary>
    public const int LingerMs = 2;

    /// <summary>
    /// How long a broker may hold a fetch that found no data: small, for latency. A Kafka broker answers a held
    /// fetch as soon as data arrives, but the embedded cluster holds it the full time, so there this is how long a
    /// message may wait for its consumer. Consumers on a path a user waits on use
    /// <see cref="UserFacingFetchWaitMaxMs"/>; the price is more empty fetches while idle.
    /// </summary>
    public const int FetchWaitMaxMs = 5;

    /// <summary>The fetch wait of the consumers a chat user waits on: the gateway's fan-out and the worker's turns.</summary>
    public const int UserFacingFetchWaitMaxMs = 1;

    /// <summary>An idempotent producer with <c>acks=all</c>.</summary>
    /// <param name="bootstrapServers">The cluster.</param>
    /// <param name="clientId">The client id brokers log.</param>
    /// <returns>The configuration.</returns>
    public static ProducerConfig Producer(string bootstrapServers, string clientId) => new()
    {
        BootstrapServers = bootstrapServers,
        ClientId = clientId,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = LingerMs,
        SocketNagleDisable = true,
    };

    /// <summary>
    /// A group consumer for at-least-once delivery: offsets are stored by the application only after a message
    /// is finished (<c>enable.auto.offset.store=false</c>) and the stored offsets are committed in the background.
    /// </summary>
    /// <param name="bootstrapServers">The cluster.</param>
    /// <param name="groupId">The consumer group.</param>
    /// <param name="clientId">The client id brokers log.</param>
    /// <returns>The configuration.</returns>
    /// <param name="fetchWaitMaxMs">How long a broker may hold an empty fetch (<see cref="FetchWaitMaxMs"/> by default).</param>
    public static ConsumerConfig Consumer(string bootstrapServers, string groupId, string clientId, int fetchWaitMaxMs = FetchWaitMaxMs) => new()
    {
        BootstrapServers = bootstrapServers,
        GroupId = groupId,
        ClientId = clientId,
        EnableAutoCommit = true,
        AutoCommitIntervalMs = 1000,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchWaitMaxMs = fetchWaitMaxMs,
        SocketNagleDisable = true,
    };
}
