using Confluent.Kafka;
using Mesh.Contracts.Schemas;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;
using Mesh.Infra.Kafka;
using Mesh.Infra.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mesh.Bench;

/// <summary>
/// Counts received messages and completes a task when a target count is reached. Shared by the raw consumer
/// loop and the library's handler.
/// </summary>
internal sealed class Arrivals
{
    private long count;
    private long target = long.MaxValue;
    private TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Count => Interlocked.Read(ref count);

    /// <summary>A task that completes once <paramref name="more"/> further messages have arrived.</summary>
    public Task WaitForAsync(long more)
    {
        reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref target, Count + more);
        if (Count >= Volatile.Read(ref target))
        {
            reached.TrySetResult();
        }

        return reached.Task;
    }

    public void Arrive()
    {
        if (Interlocked.Increment(ref count) >= Volatile.Read(ref target))
        {
            reached.TrySetResult();
        }
    }
}

/// <summary>What the raw client does to a message besides sending or receiving it.</summary>
internal static class RawMessage
{
    public static byte[] Serialize(ToolRequest request, bool validate)
    {
        var body = MeshJson.SerializeToUtf8Bytes(request);
        if (validate && !MeshSchemas.Validate(MeshSchemas.ToolRequest, body).IsValid)
        {
            throw new InvalidOperationException("The benchmark message is invalid.");
        }

        return body;
    }

    public static ToolRequest Deserialize(byte[] body, bool validate)
    {
        if (validate && !MeshSchemas.Validate(MeshSchemas.ToolRequest, body).IsValid)
        {
            throw new InvalidOperationException("The benchmark message is invalid.");
        }

        return MeshJson.Deserialize<ToolRequest>(body);
    }
}

/// <summary>
/// The plain Confluent client with the library's settings: a consumer loop that reads, deserializes (after
/// validating, for the raw-validated contender) and stores offsets.
/// </summary>
internal sealed class RawConsumer : IDisposable
{
    private readonly IConsumer<byte[]?, byte[]> consumer;
    private readonly Thread thread;
    private readonly CancellationTokenSource stop = new();

    public RawConsumer(string bootstrapServers, string topic, bool validate, Action<ConsumeResult<byte[]?, byte[]>, ToolRequest> onMessage)
    {
        KafkaNative.EnsureLoaded();
        consumer = new ConsumerBuilder<byte[]?, byte[]>(
            KafkaClientConfig.Consumer(bootstrapServers, "bench-raw-" + Guid.NewGuid().ToString("N")[..8], "bench-raw")).Build();
        consumer.Subscribe(topic);
        thread = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
                {
                    onMessage(result, RawMessage.Deserialize(result.Message.Value, validate));
                    consumer.StoreOffset(result);
                }
            }
        }) { IsBackground = true, Name = "bench raw consumer" };
        thread.Start();
    }

    public void Dispose()
    {
        stop.Cancel();
        thread.Join();
        consumer.Close();
        consumer.Dispose();
        stop.Dispose();
    }
}

/// <summary>A library consumer group as a service runs it: DI container, hosted service, explicitly registered handler.</summary>
internal sealed class LibraryConsumer : IAsyncDisposable
{
    private readonly ServiceProvider provider;
    private readonly IHostedService host;

    private LibraryConsumer(ServiceProvider provider, IHostedService host)
    {
        this.provider = provider;
        this.host = host;
    }

    public static async Task<LibraryConsumer> StartAsync<THandler>(string bootstrapServers, string topic, Action<IServiceCollection> register)
        where THandler : class, IMessageHandler<ToolRequest>
    {
        var services = new ServiceCollection();
        services.AddLogging();
        register(services);
        services.AddMeshConsumer(o =>
        {
            o.BootstrapServers = bootstrapServers;
            o.GroupId = "bench-mesh-" + Guid.NewGuid().ToString("N")[..8];
            o.Topic<ToolRequest, THandler>(topic);
        });
        var provider = services.BuildServiceProvider();
        var host = provider.GetServices<IHostedService>().Single();
        await host.StartAsync(CancellationToken.None);
        return new LibraryConsumer(provider, host);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync(CancellationToken.None);
        await provider.DisposeAsync();
    }
}

/// <summary>Counts what arrives.</summary>
internal sealed class CountingHandler(Arrivals arrivals) : IMessageHandler<ToolRequest>
{
    public Task HandleAsync(MessageContext<ToolRequest> context, CancellationToken cancellationToken)
    {
        arrivals.Arrive();
        return Task.CompletedTask;
    }
}

/// <summary>The far end of the ping-pong: answers every ping on the pong topic.</summary>
internal sealed class PongHandler(MeshPublisher publisher, PongTopic pong) : IMessageHandler<ToolRequest>
{
    public Task HandleAsync(MessageContext<ToolRequest> context, CancellationToken cancellationToken) =>
        publisher.PublishAsync(pong.Name, context.Key ?? "", context.Message, context.FollowUp(), cancellationToken);
}

internal sealed record PongTopic(string Name);
