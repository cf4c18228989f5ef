using Mesh.Infra.Messaging;
using Mesh.Testing.Kafka;
using NUnit.Framework;

namespace Mesh.Messaging.Tests.Kafka;

/// <summary>One embedded Kafka cluster for the tests of this namespace; each test creates its own topics.</summary>
[SetUpFixture]
public sealed class KafkaCluster
{
    private static EmbeddedKafka? kafka;
    private static MeshPublisher? publisher;

    public static EmbeddedKafka Kafka => kafka ?? throw new InvalidOperationException("The Kafka cluster did not start.");

    public static string BootstrapServers => Kafka.BootstrapServers;

    public static MeshPublisher Publisher => publisher ?? throw new InvalidOperationException("The Kafka cluster did not start.");

    /// <summary>A new topic and its dead-letter topic.</summary>
    public static async Task<string> CreateTopicAsync(string label, int partitions = 1)
    {
        var topic = await Kafka.CreateUniqueTopicAsync(label, partitions);
        await Kafka.CreateTopicAsync(topic + ".dlq", 1);
        return topic;
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        kafka = await EmbeddedKafka.StartAsync(EmbeddedKafka.NewTopicPrefix());
        publisher = new MeshPublisher(new MeshPublisherOptions { BootstrapServers = kafka.BootstrapServers, ClientId = "messaging-tests" });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        publisher?.Dispose();
        if (kafka is not null)
        {
            await kafka.DisposeAsync();
        }
    }
}
