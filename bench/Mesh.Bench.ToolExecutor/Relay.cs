using System.Threading.Channels;
using Confluent.Kafka;
using Mesh.Infra.Kafka;
using Mesh.Infra.Messaging;

namespace Mesh.Bench.ToolExecutor;

/// <summary>
/// The raw baseline's far end: consumes pings and produces each as a pong, waiting for its delivery before storing
/// the ping's offset, one message at a time per partition and partitions in parallel: the same delivery rule the
/// executor follows, with nothing else in between.
/// </summary>
internal sealed class Relay : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Thread loop;

    public Relay(string bootstrap, string from, string to)
    {
        KafkaNative.EnsureLoaded();
        var producer = new ProducerBuilder<byte[]?, byte[]>(KafkaClientConfig.Producer(bootstrap, "bench-relay")).Build();
        var consumer = new ConsumerBuilder<byte[]?, byte[]>(KafkaClientConfig.Consumer(bootstrap, "bench-relay-" + Guid.NewGuid().ToString("N"), "bench-relay")).Build();
        consumer.Subscribe(from);
        var partitions = new Dictionary<int, Channel<ConsumeResult<byte[]?, byte[]>>>();
        loop = new Thread(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not { IsPartitionEOF: false } result)
                    {
                        continue;
                    }
                    if (!partitions.TryGetValue(result.Partition.Value, out var channel))
                    {
                        channel = Channel.CreateUnbounded<ConsumeResult<byte[]?, byte[]>>();
                        partitions[result.Partition.Value] = channel;
                        _ = Task.Run(async () =>
                        {
                            await foreach (var ping in channel.Reader.ReadAllAsync())
                            {
                                await producer.ProduceAsync(to, new Message<byte[]?, byte[]> { Key = ping.Message.Key, Value = ping.Message.Value, Headers = ping.Message.Headers });
                                consumer.StoreOffset(ping);
                            }
                        });
                    }
                    channel.Writer.TryWrite(result);
                }
            }
            finally
            {
                consumer.Close();
                consumer.Dispose();
                producer.Dispose();
            }
        }) { IsBackground = true, Name = "bench-relay" };
        loop.Start();
    }

    public void Dispose()
    {
        stop.Cancel();
        loop.Join(TimeSpan.FromSeconds(10));
        stop.Dispose();
    }
}

/// <summary>The near end: reads a topic and reports each message's correlation id.</summary>
internal sealed class Receiver : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Thread loop;

    public Receiver(string bootstrap, string topic, Arrivals arrivals)
    {
        KafkaNative.EnsureLoaded();
        var config = KafkaClientConfig.Consumer(bootstrap, "bench-receiver-" + Guid.NewGuid().ToString("N"), "bench-receiver");
        var consumer = new ConsumerBuilder<byte[]?, byte[]>(config)
            .SetPartitionsAssignedHandler((_, assigned) => Assigned.TrySetResult())
            .Build();
        consumer.Subscribe(topic);
        loop = new Thread(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
                    {
                        arrivals.Arrive(Wire.Correlation(result.Message.Headers));
                    }
                }
            }
            finally
            {
                consumer.Close();
                consumer.Dispose();
            }
        }) { IsBackground = true, Name = "bench-receiver " + topic };
        loop.Start();
    }

    public TaskCompletionSource Assigned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        stop.Cancel();
        loop.Join(TimeSpan.FromSeconds(10));
        stop.Dispose();
    }
}
