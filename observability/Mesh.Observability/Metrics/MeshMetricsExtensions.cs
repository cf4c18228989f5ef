using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Mesh.Observability.Metrics;

/// <summary>Registers the metrics exporter and maps <c>GET /metrics</c>.</summary>
public static class MeshMetricsExtensions
{
    /// <summary>The path Prometheus scrapes.</summary>
    public const string Path = "/metrics";

    /// <summary>
    /// Registers <see cref="MeshMetricsExporter"/> as a singleton with the default meters. It is
    /// created when the host starts, before requests are served, so nothing measured after start
    /// is missed; the container disposes it on shutdown. Calling this twice registers it once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddMeshMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(MeshMetricsExporter)))
        {
            return services;
        }

        services.AddSingleton(_ => new MeshMetricsExporter());
        services.AddHostedService(provider => new ExporterStartup(provider.GetRequiredService<MeshMetricsExporter>()));
        return services;
    }

    /// <summary>
    /// Maps <c>GET /metrics</c> (Prometheus text format 0.0.4), open to anonymous callers; bind it to
    /// loopback or a private port in production. Requires <see cref="AddMeshMetrics"/>.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    public static IEndpointConventionBuilder MapMeshMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(Path, WriteScrapeAsync).AllowAnonymous();
    }

    private static Task WriteScrapeAsync(HttpContext context)
    {
        var exporter = context.RequestServices.GetRequiredService<MeshMetricsExporter>();
        context.Response.ContentType = MeshMetricsExporter.ContentType;
        return context.Response.WriteAsync(exporter.Scrape(), context.RequestAborted);
    }

    /// <summary>Resolving the exporter is the whole job: its constructor starts the listener.</summary>
    private sealed class ExporterStartup(MeshMetricsExporter exporter) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(exporter);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
