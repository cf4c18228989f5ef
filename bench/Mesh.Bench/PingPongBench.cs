using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Mesh.Infra.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Bench;

/// <summary>
/// Two-hop latency: A publishes a ping, B consumes it and publishes a pong (waiting for its delivery before taking
/// the next ping), A consumes the pong. One round trip at a time, timed from publishing the ping to handling the pong.
/// </summary>
internal static class PingPongBench
{
    private const int Block = 50;

    public static async Task<Dictionary<Contender, List<double>>> RunAsync(BenchTopics topics, string bootstrapServers, int roundTrips)
    {
        var message = BenchMessage.Create();
        var key = message.SessionId.ToString();
        var pongs = Contenders.All.ToDictionary(c => c, _ => new Arrivals());

        using var rawProducer = new ProducerBuilder<byte[]?, byte[]>(KafkaClientConfig.Producer(bootstrapServers, "bench-raw")).Build();
        var rawEnds = new List<RawConsumer>();
        foreach (var contender in new[] { Contender.Raw, Contender.RawValidated })
        {
            var validate = contender == Contender.RawValidated;
            rawEnds.Add(new RawConsumer(bootstrapServers, topics.Ping(contender), validate, (result, request) =>
                rawProducer.ProduceAsync(topics.Pong(contender), new Message<byte[]?, byte[]> { Key = result.Message.Key, Value = RawMessage.Serialize(request, validate) })
                    .GetAwaiter().GetResult()));
            rawEnds.Add(new RawConsumer(bootstrapServers, topics.Pong(contender), validate, (_, _) => pongs[contender].Arrive()));
        }

        using var publisher = new MeshPublisher(new MeshPublisherOptions { BootstrapServers = bootstrapServers, ClientId = "bench-mesh" });
        await using var farEnd = await LibraryConsumer.StartAsync<PongHandler>(bootstrapServers, topics.Ping(Contender.Library), s =>
        {
            s.AddSingleton(publisher);
            s.AddSingleton(new PongTopic(topics.Pong(Contender.Library)));
        });
        await using var nearEnd = await LibraryConsumer.StartAsync<CountingHandler>(
            bootstrapServers, topics.Pong(Contender.Library), s => s.AddSingleton(pongs[Contender.Library]));

        async Task<double> RoundTripAsync(Contender contender)
        {
            var pong = pongs[contender].WaitForAsync(1);
            var clock = Stopwatch.StartNew();
            Task sent = contender == Contender.Library
                ? publisher.PublishAsync(topics.Ping(contender), key, message, new PublishContext(message.TenantId, message.TurnId.ToString()))
                : rawProducer.ProduceAsync(topics.Ping(contender), new Message<byte[]?, byte[]>
                {
                    Key = Encoding.UTF8.GetBytes(key),
                    Value = RawMessage.Serialize(message, validate: contender == Contender.RawValidated),
                });
            await pong.WaitAsync(TimeSpan.FromSeconds(30));
            var elapsed = clock.Elapsed.TotalMilliseconds;
            await sent;
            return elapsed;
        }

        try
        {
            // Warm-up (groups formed, code compiled), then blocks in turns so that load from elsewhere hits all alike.
            for (var i = 0; i < Block; i++)
            {
                foreach (var contender in Contenders.All)
                {
                    await RoundTripAsync(contender);
                }
            }

            var latencies = Contenders.All.ToDictionary(c => c, _ => new List<double>());
            for (var done = 0; done < roundTrips; done += Block)
            {
                foreach (var contender in Contenders.All)
                {
                    for (var i = 0; i < Block; i++)
                    {
                        latencies[contender].Add(await RoundTripAsync(contender));
                    }
                }
            }

            return latencies;
        }
        finally
        {
            rawEnds.ForEach(end => end.Dispose());
        }
    }
}
