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

    /// <summary>How often librdkafka reports statistics (consumer lag); at least one second.</summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Received messages a partition may have waiting for its handler; beyond it the partition is paused until
    /// its handler catches up, so one slow partition never holds the others' messages in memory.
    /// </summary>
    public int MaxQueuedPerPartition { get; set; } = 1000;

    /// <summary>The registered topics in registration order.</summary>
    public IReadOnlyList<string> Topics => [.. topics.Select(t => t.Topic)];

    internal IReadOnlyList<TopicRegistration> Registrations => topics;

    /// <summary>Runs <typeparamref name="THandler"/> for every <typeparamref name="TMessage"/> on <paramref name="topic"/>.</summary>
    /// <typeparam name="TMessage">The topic's message record.</typeparam>
    /// <typeparam name="THandler">The handler, resolved from a DI scope per attempt.</typeparam>
    /// <param name="topic">The topic name.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException">The topic is a dead-letter topic, registered twice, or carries another message type.</exception>
    public MeshConsumerOptions Topic<TMessage, THandler>(string topic)
        where THandler : class, IMessageHandler<TMessage>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
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

        topics.Add(new TopicRegistration<TMessage, THandler>(topic, schemaId));
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
        Require(MaxQueuedPerPartition >= 1, "MaxQueuedPerPartition must be at least 1.");
    }

    private void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Consumer group '{GroupId}': {problem}");
        }
    }
}
