using Mesh.Infra.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Infra.Messaging;

/// <summary>Registers the messaging library in a service.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MeshPublisher"/> as a singleton, created when the host starts (so a misconfiguration
    /// stops the start) and flushed on shutdown. The cluster defaults to <see cref="ConnectionOptions"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the options; may be null.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddMeshPublisher(this IServiceCollection services, Action<MeshPublisherOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(MeshPublisher)))
        {
            return services;
        }

        services.AddSingleton(provider =>
        {
            var options = new MeshPublisherOptions
            {
                BootstrapServers = provider.GetService<ConnectionOptions>()?.KafkaBootstrapServers ?? "",
                ClientId = (System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "mesh") + "-publisher",
            };
            configure?.Invoke(options);
            return new MeshPublisher(options);
        });
        services.AddSingleton<IHostedService, PublisherStartup>();
        return services;
    }

    /// <summary>
    /// Adds a consumer group with its handlers, each registered explicitly:
    /// <code>
    /// services.AddMeshConsumer(o =>
    /// {
    ///     o.GroupId = "tool-executor";
    ///     o.Assignment = PartitionAssignment.CooperativeSticky;
    ///     o.Topic&lt;ToolRequest, ExecuteToolHandler&gt;(MeshTopics.ToolRequests);
    /// });
    /// </code>
    /// Handlers are registered as scoped services unless already registered. Call once per group. The cluster
    /// defaults to <see cref="ConnectionOptions"/>; the options are validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the group, its topics and handlers.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddMeshConsumer(this IServiceCollection services, Action<MeshConsumerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new MeshConsumerOptions();
        configure(options);
        foreach (var registration in options.Registrations)
        {
            registration.AddHandler(services);
        }

        // Not AddHostedService: it registers one host per implementation type, and a service may run several groups.
        services.AddSingleton<IHostedService>(provider =>
        {
            if (string.IsNullOrWhiteSpace(options.BootstrapServers))
            {
                options.BootstrapServers = provider.GetService<ConnectionOptions>()?.KafkaBootstrapServers ?? "";
            }

            return new MeshConsumerHost(
                options,
                provider.GetRequiredService<IServiceScopeFactory>(),
                provider.GetRequiredService<ILogger<MeshConsumerHost>>(),
                provider.GetService<TimeProvider>());
        });
        return services;
    }

    private sealed class PublisherStartup(MeshPublisher publisher) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(publisher);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
