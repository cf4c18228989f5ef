using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Mesh.Infra.Kafka;

namespace Mesh.Bench;

/// <summary>The topics the benchmark uses: one pair per contender, so neither reads the other's messages.</summary>
internal sealed record BenchTopics(string Prefix)
{
    public const int ThroughputPartitions = 6;

    public string Throughput(Contender contender) => $"{Prefix}bench.{Name(contender)}.throughput";

    public string Ping(Contender contender) => $"{Prefix}bench.{Name(contender)}.ping";

    public string Pong(Contender contender) => $"{Prefix}bench.{Name(contender)}.pong";

    private IEnumerable<(string Name, int Partitions)> All =>
        Contenders.All.SelectMany(c => new[] { (Throughput(c), ThroughputPartitions), (Ping(c), 1), (Pong(c), 1) })
            .Concat(new[] { Throughput(Contender.Library), Ping(Contender.Library), Pong(Contender.Library) }.Select(t => (t + ".dlq", 1)));

    private static string Name(Contender contender) => contender.ToString().ToLowerInvariant();

    /// <summary>The topic list in the embedded cluster host's <c>topics.json</c> format.</summary>
    public string ToTopicListJson() =>
        JsonSerializer.Serialize(new { topics = All.Select(t => new { name = t.Name, partitions = t.Partitions }) });

    /// <summary>Creates the topics on a real cluster (the embedded one gets them from its topic list).</summary>
    public async Task CreateAsync(string bootstrapServers)
    {
        KafkaNative.EnsureLoaded();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var replication = (short)Math.Min(3, admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Count);
        try
        {
            await admin.CreateTopicsAsync(All.Select(t => new TopicSpecification { Name = t.Name, NumPartitions = t.Partitions, ReplicationFactor = replication }));
        }
        catch (CreateTopicsException e) when (e.Results.TrueForAll(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Left by an earlier run with the same prefix: as good as new, the benchmark reads only what it writes.
        }
    }
}
