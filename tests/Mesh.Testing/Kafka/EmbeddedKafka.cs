using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Mesh.Infra.Kafka;

namespace Mesh.Testing.Kafka;

/// <summary>
/// A Kafka cluster for tests: the embedded cluster (Mesh.KafkaHost as a child process, killed on
/// dispose) holding every topic of <c>infra/kafka/topics.json</c> under <see cref="TopicPrefix"/>,
/// or, when <c>KAFKA_BOOTSTRAP_SERVERS</c> is set, that cluster instead.
/// </summary>
public sealed class EmbeddedKafka : IAsyncDisposable
{
    /// <summary>The environment variable that names an existing cluster to use instead.</summary>
    public const string BootstrapServersVariable = "KAFKA_BOOTSTRAP_SERVERS";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly KafkaHostProcess? _host;

    private EmbeddedKafka(string bootstrapServers, string topicPrefix, KafkaHostProcess? host)
    {
        BootstrapServers = bootstrapServers;
        TopicPrefix = topicPrefix;
        _host = host;
    }

    /// <summary>The bootstrap servers string for clients.</summary>
    public string BootstrapServers { get; }

    /// <summary>The prefix of this cluster's copy of the mesh topics (empty for the plain names).</summary>
    public string TopicPrefix { get; }

    /// <summary>True when the cluster came from <c>KAFKA_BOOTSTRAP_SERVERS</c> rather than a child process.</summary>
    public bool IsExternal => _host is null;

    /// <summary>The mesh's topic list, read from <c>infra/kafka/topics.json</c> in the repository.</summary>
    public static KafkaTopicList MeshTopics => KafkaTopicList.Load(RepoPaths.Combine("infra", "kafka", KafkaTopicList.FileName));

    /// <summary>
    /// Starts a cluster whose mesh topics are named <paramref name="topicPrefix"/> + the listed name.
    /// On an external cluster the prefixed topics are created; with no prefix they must already exist.
    /// </summary>
    public static async Task<EmbeddedKafka> StartAsync(string topicPrefix = "", CancellationToken cancellationToken = default)
    {
        if (Environment.GetEnvironmentVariable(BootstrapServersVariable) is { Length: > 0 } external)
        {
            var kafka = new EmbeddedKafka(external, topicPrefix, host: null);
            if (topicPrefix.Length > 0)
            {
                foreach (var topic in MeshTopics.WithPrefix(topicPrefix).Topics)
                {
                    await kafka.CreateTopicAsync(topic.Name, topic.Partitions, cancellationToken);
                }
            }

            return kafka;
        }

        return await StartHostAsync(topicPrefix, cancellationToken);
    }

    /// <summary>Starts the embedded cluster whatever <c>KAFKA_BOOTSTRAP_SERVERS</c> says (for tests of the host itself).</summary>
    public static async Task<EmbeddedKafka> StartHostAsync(string topicPrefix = "", CancellationToken cancellationToken = default)
    {
        var host = await KafkaHostProcess.StartAsync(topicPrefix, Timeout, cancellationToken);
        return new EmbeddedKafka(host.BootstrapServers, topicPrefix, host);
    }

    /// <summary>The built Mesh.KafkaHost.dll, run with <c>dotnet</c>.</summary>
    public static string HostDllPath => KafkaHostProcess.HostDllPath;

    /// <summary>A fresh topic prefix (such as <c>t3f9a0c1b2d.</c>) so a test never reads another test's messages.</summary>
    public static string NewTopicPrefix() => $"t{Guid.NewGuid():N}"[..11] + ".";

    /// <summary>This cluster's name for the mesh topic <paramref name="name"/>.</summary>
    public string Topic(string name) => TopicPrefix + name;

    /// <summary>Creates a topic named <paramref name="label"/> plus a unique suffix and returns its name.</summary>
    public async Task<string> CreateUniqueTopicAsync(string label, int partitions, CancellationToken cancellationToken = default)
    {
        var name = $"{label}.{Guid.NewGuid():N}";
        await CreateTopicAsync(name, partitions, cancellationToken);
        return name;
    }

    /// <summary>Creates a topic; it exists for every client once the task completes.</summary>
    /// <exception cref="InvalidOperationException">The cluster refused the topic.</exception>
    public Task CreateTopicAsync(string name, int partitions, CancellationToken cancellationToken = default) =>
        _host is null
            ? CreateWithAdminClientAsync(name, partitions, cancellationToken)
            : _host.CreateTopicAsync(name, partitions, Timeout, cancellationToken);

    /// <summary>Stops the child process, if this fixture started one.</summary>
    public ValueTask DisposeAsync() => _host?.DisposeAsync() ?? ValueTask.CompletedTask;

    // The embedded cluster does not implement CreateTopics (the host creates its topics instead),
    // so the Admin API is used only against a real cluster.
    private async Task CreateWithAdminClientAsync(string name, int partitions, CancellationToken cancellationToken)
    {
        KafkaNative.EnsureLoaded();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        var brokers = admin.GetMetadata(Timeout).Brokers.Count;
        var topic = new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = (short)Math.Min(3, brokers) };
        try
        {
            await admin.CreateTopicsAsync([topic], new CreateTopicsOptions { OperationTimeout = Timeout, RequestTimeout = Timeout })
                .WaitAsync(cancellationToken);
        }
        catch (CreateTopicsException e) when (e.Results.TrueForAll(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // A topic left by an earlier run with the same name is as good as a new one.
        }
        catch (CreateTopicsException e)
        {
            throw new InvalidOperationException($"Creating topic '{name}' failed: {e.Results[0].Error.Reason}", e);
        }
    }
}
