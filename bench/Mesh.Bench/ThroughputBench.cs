using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Mesh.Infra.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Bench;

/// <summary>
/// Publish-and-consume throughput: <c>count</c> messages published at once and timed until the consumer group has
/// handled the last one. Rounds of the contenders take turns, so that load from elsewhere hits them alike. The CPU
/// time this process spent per message is measured too: it hardly depends on what else runs on the machine.
/// </summary>
internal static class ThroughputBench
{
    /// <summary>Messages per second and the process's CPU time per message, in microseconds, of one round.</summary>
    public sealed record Round(double Rate, double CpuMicroseconds);

    public static async Task<Dictionary<Contender, List<Round>>> RunAsync(BenchTopics topics, string bootstrapServers, int count, int rounds)
    {
        var messages = Enumerable.Range(0, count).Select(_ => BenchMessage.Create()).ToList();
        var keys = messages.Select(m => m.SessionId.ToString()).ToList();
        var arrivals = Contenders.All.ToDictionary(c => c, _ => new Arrivals());

        using var rawProducer = new ProducerBuilder<byte[]?, byte[]>(KafkaClientConfig.Producer(bootstrapServers, "bench-raw")).Build();
        using var raw = new RawConsumer(bootstrapServers, topics.Throughput(Contender.Raw), validate: false, (_, _) => arrivals[Contender.Raw].Arrive());
        using var validated = new RawConsumer(bootstrapServers, topics.Throughput(Contender.RawValidated), validate: true, (_, _) => arrivals[Contender.RawValidated].Arrive());
        using var publisher = new MeshPublisher(new MeshPublisherOptions { BootstrapServers = bootstrapServers, ClientId = "bench-mesh" });
        await using var library = await LibraryConsumer.StartAsync<CountingHandler>(
            bootstrapServers, topics.Throughput(Contender.Library), s => s.AddSingleton(arrivals[Contender.Library]));

        async Task<Round> RoundAsync(Contender contender, int n)
        {
            var topic = topics.Throughput(contender);
            var arrived = arrivals[contender].WaitForAsync(n);
            using var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var sends = new Task[n];
            for (var i = 0; i < n; i++)
            {
                var message = messages[i];
                sends[i] = contender == Contender.Library
                    ? publisher.PublishAsync(topic, keys[i], message, new PublishContext(message.TenantId, message.TurnId.ToString()))
                    : rawProducer.ProduceAsync(topic, new Message<byte[]?, byte[]>
                    {
                        Key = Encoding.UTF8.GetBytes(keys[i]),
                        Value = RawMessage.Serialize(message, validate: contender == Contender.RawValidated),
                    });
            }

            await Task.WhenAll(sends);
            await arrived.WaitAsync(TimeSpan.FromSeconds(120));
            var elapsed = clock.Elapsed;
            process.Refresh();
            return new Round(n / elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalMicroseconds / n);
        }

        // Warm-up: every group formed, then one full round each, so that the runtime's tiered compilation has reached
        // its optimized code (it recompiles a method after 30 calls, and again with profile data) before timing.
        await Task.WhenAll(Contenders.All.Select(c => RoundAsync(c, Math.Min(count, 1000))));
        foreach (var contender in Contenders.All)
        {
            await RoundAsync(contender, count);
        }

        var rates = Contenders.All.ToDictionary(c => c, _ => new List<Round>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var contender in Contenders.All)
            {
                rates[contender].Add(await RoundAsync(contender, count));
            }
        }

        return rates;
    }
}
