using Mesh.Contracts.Messaging;
using Mesh.Contracts.Schemas;

namespace Mesh.Infra.Messaging;

/// <summary>
/// One consumer group of a service and the handlers it runs, listed explicitly:
/// <c>o.Topic&lt;ToolRequest, ExecuteToolHandler&gt;(MeshTopics.ToolRequests)</c>.
/// </summary>
public sealed class MeshConsumerOptions
{
    private readonly List<TopicRegistration> topics = [];

    /// <summary>The consumer group.</summary>
    public string GroupId { get; set; } = "";

    /// <summary>The cluster; by default the service's <c>KAFKA_BOOTSTRAP_SERVERS</c>.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>
    /// Whether every process reads all partitions in a group of its own (a signal each instance must see): the group
    /// joined on Kafka is <see cref="GroupId"/> with a unique suffix per process, while metrics, logs and traces keep
    /// <see cref="GroupId"/>, so their labels stay bounded. Such a group reads only what is published after it
    /// joins, and commits no offsets.
    /// </summary>
    public bool GroupPerProcess { get; set; }

    /// <summary>The client id brokers log; by default the group id.</summary>
    public string? ClientId { get; set; }

    /// <summary>The partition assignment strategy: range for co-partitioned topics, cooperative-sticky otherwise.</summary>
    public PartitionAssignment Assignment { get; set; } = PartitionAssignment.CooperativeSticky;

    /// <summary>Handler attempts per message before it is dead-lettered (1 = no retries).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The first retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest retry delay.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the group waits for a silent member before handing its partitions to others. Also bounds how long
    /// a group takes to settle after a member leaves, so it is shorter than librdkafka's 45 s default; Kafka
    /// brokers accept 6 s and more by default.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a broker may hold a fetch that found no data (<c>fetch.wait.max.ms</c>). On the embedded cluster it
    /// bounds how long a message waits for this group, so groups a user waits on set
    /// <see cref="KafkaClientConfig.UserFacingFetchWaitMaxMs"/>; a shorter wait costs more empty fetches while idle.
    /// </summary>
    public TimeSpan MaxFetchWait { get; set; } = TimeSpan.FromMilliseconds(KafkaClientConfig.FetchWaitMaxMs);

    /// <summary>How often librdkafka reports statistics (consumer lag); at least one second.</summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Received messages a partition may have unfinished (waiting for their handler or in progress); beyond it the
    /// partition is paused until its handler catches up, so one slow partition never holds the others' messages in
    /// memory.
    /// </summary>
    public int MaxQueuedPerPartition { get; set; } = 1000;

    /// <summary>The registered topics in registration order.</summary>
    public IReadOnlyList<string> Topics => [.. topics.Select(t => t.Topic)];

    internal IReadOnlyList<TopicRegistration> Registrations => topics;

    /// <summary>Runs <typeparamref name="THandler"/> for every <typeparamref name="TMessage"/> on <paramref name="topic"/>.</summary>
    /// <typeparam name="TMessage">The topic's message record.</typeparam>
    /// <typeparam name="THandler">The handler, resolved from a DI scope per attempt.</typeparam>
    /// <param name="topic">The topic name.</param>
    /// <param name="maxInFlightPerPartition">
    /// How many messages of one partition may be handled at once. 1 (the default) handles a partition's messages
    /// strictly one after another, in offset order: what a handler that relies on per-key ordering needs. More
    /// starts up to that many in offset order and lets them finish in any order; offsets are still stored only up
    /// to the first message not finished yet, so a stop, crash or rebalance redelivers every unfinished message
    /// (and possibly some finished after it): at-least-once, without per-key ordering. At most
    /// <see cref="MaxQueuedPerPartition"/>, since a partition is paused once that many are received and unfinished.
    /// </param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException">The topic is a dead-letter topic, registered twice, or carries another message type.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxInFlightPerPartition"/> is less than 1.</exception>
    public MeshConsumerOptions Topic<TMessage, THandler>(string topic, int maxInFlightPerPartition = 1)
        where THandler : class, IMessageHandler<TMessage>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlightPerPartition, 1);
        if (MeshTopics.IsDlq(topic))
        {
            throw new ArgumentException($"'{topic}' is a dead-letter topic; read it with DeadLetterQueue.", nameof(topic));
        }

        if (topics.Exists(t => t.Topic == topic))
        {
            throw new ArgumentException($"Topic '{topic}' already has a handler in group '{GroupId}'.", nameof(topic));
        }

        var schemaId = MeshSchemas.SchemaIdFor<TMessage>();
        if (MeshTopics.FindContract(topic) is { } contract && contract.SchemaId != schemaId)
        {
            throw new ArgumentException($"Topic '{topic}' carries {contract.SchemaId}, not {schemaId} ({typeof(TMessage).Name}).", nameof(topic));
        }

        topics.Add(new TopicRegistration<TMessage, THandler>(topic, schemaId, maxInFlightPerPartition));
        return this;
    }

    /// <summary>Throws when a setting is unusable, so a misconfigured service fails at start.</summary>
    /// <exception cref="InvalidOperationException">A setting is missing or out of range.</exception>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(GroupId), "GroupId is not set.");
        Require(!string.IsNullOrWhiteSpace(BootstrapServers), "BootstrapServers is not set (KAFKA_BOOTSTRAP_SERVERS).");
        Require(topics.Count > 0, "no topic is registered.");
        Require(MaxAttempts >= 1, "MaxAttempts must be at least 1.");
        Require(RetryDelay > TimeSpan.Zero && MaxRetryDelay >= RetryDelay, "RetryDelay must be positive and at most MaxRetryDelay.");
        Require(StatisticsInterval >= TimeSpan.FromSeconds(1), "StatisticsInterval must be at least one second.");
        Require(SessionTimeout >= TimeSpan.FromSeconds(3), "SessionTimeout must be at least three seconds.");
        Require(MaxFetchWait >= TimeSpan.Zero && MaxFetchWait <= TimeSpan.FromMinutes(5), "MaxFetchWait must be between 0 and 5 minutes.");
        Require(MaxQueuedPerPartition >= 1, "MaxQueuedPerPartition must be at least 1.");
        var overQueue = topics.Find(t => t.MaxInFlightPerPartition > MaxQueuedPerPartition);
        Require(overQueue is null, $"{overQueue?.Topic} allows {overQueue?.MaxInFlightPerPartition} messages in flight per partition, more than MaxQueuedPerPartition ({MaxQueuedPerPartition}).");
    }

    private void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Consumer group '{GroupId}': {problem}");
        }
    }
}
