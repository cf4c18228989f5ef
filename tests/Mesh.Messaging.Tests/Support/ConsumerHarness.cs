using Mesh.Contracts.Tools;
using Mesh.Infra.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Messaging.Tests.Support;

/// <summary>A consumer host as a service runs it (DI container, hosted service) with a <see cref="HandlerProbe"/>.</summary>
public sealed class ConsumerHarness : IAsyncDisposable
{
    private readonly ServiceProvider provider;
    private bool stopped;

    private ConsumerHarness(ServiceProvider provider, MeshConsumerHost host, HandlerProbe probe)
    {
        this.provider = provider;
        Host = host;
        Probe = probe;
    }

    public MeshConsumerHost Host { get; }

    public HandlerProbe Probe { get; }

    /// <summary>
    /// Starts a host of <paramref name="groupId"/> running <see cref="ProbeHandler"/> on <paramref name="topics"/>,
    /// each with <paramref name="maxInFlightPerPartition"/>.
    /// </summary>
    public static async Task<ConsumerHarness> StartAsync(
        string bootstrapServers, string groupId, IEnumerable<string> topics, HandlerProbe? probe = null, Action<MeshConsumerOptions>? configure = null,
        int maxInFlightPerPartition = 1)
    {
        probe ??= new HandlerProbe();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(probe);
        services.AddMeshConsumer(o =>
        {
            o.BootstrapServers = bootstrapServers;
            o.GroupId = groupId;
            o.RetryDelay = TimeSpan.FromMilliseconds(10);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(50);

            // The embedded cluster waits up to a session timeout before a group settles after a member left.
            o.SessionTimeout = TimeSpan.FromSeconds(6);
            foreach (var topic in topics)
            {
                o.Topic<ToolRequest, ProbeHandler>(topic, maxInFlightPerPartition);
            }

            configure?.Invoke(o);
        });
        var provider = services.BuildServiceProvider();
        var host = provider.GetServices<IHostedService>().OfType<MeshConsumerHost>().Single();
        await host.StartAsync(CancellationToken.None);
        return new ConsumerHarness(provider, host, probe);
    }

    public static Task<ConsumerHarness> StartAsync(string bootstrapServers, string topic, HandlerProbe? probe = null, Action<MeshConsumerOptions>? configure = null) =>
        StartAsync(bootstrapServers, "group-" + Guid.NewGuid().ToString("N")[..8], [topic], probe, configure);

    /// <summary>Stops the host; handlers still running after <paramref name="grace"/> are cancelled.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        stopped = true;
        using var timeout = new CancellationTokenSource(grace);
        await Host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!stopped)
        {
            await StopAsync(TimeSpan.FromSeconds(10));
        }

        await provider.DisposeAsync();
    }
}
