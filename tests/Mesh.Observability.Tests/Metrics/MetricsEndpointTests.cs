using System.Diagnostics.Metrics;
using Mesh.Observability.Metrics;
using Mesh.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Mesh.Observability.Tests.Metrics;

public sealed class MetricsEndpointTests
{
    [Test]
    public async Task Get_metrics_serves_hosting_kestrel_runtime_and_process_metrics_that_pass_promtool()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddMeshMetrics();
        await using var app = builder.Build();
        app.MapMeshMetrics();
        app.MapGet("/v1/ping/{id}", (string id) => id);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        Assert.That(await http.GetStringAsync(new Uri("/v1/ping/7", UriKind.Relative)), Is.EqualTo("7"));
        string? contentType = null;
        var body = "";
        await Poll.UntilAsync(
            async () =>
            {
                using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
                response.EnsureSuccessStatusCode();
                contentType = response.Content.Headers.ContentType?.ToString();
                body = await response.Content.ReadAsStringAsync();
                return body.Contains("mesh_http_server_request_duration_seconds_count{", StringComparison.Ordinal)
                    && body.Contains("http_route=\"/v1/ping/{id}\"", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(15),
            "the request to /v1/ping/{id} in the scrape");
        var promtool = await PromtoolTests.PromtoolAsync(body);

        Assert.Multiple(() =>
        {
            Assert.That(contentType, Is.EqualTo("text/plain; version=0.0.4; charset=utf-8"));
            Assert.That(body, Does.Contain("# TYPE mesh_http_server_request_duration_seconds histogram"));
            Assert.That(body, Does.Contain("mesh_kestrel_active_connections"));
            Assert.That(body, Does.Contain("mesh_dotnet_gc_collections_total"));
            Assert.That(body, Does.Contain("mesh_process_resident_memory_bytes "));
            Assert.That(promtool.ExitCode, Is.Zero, promtool.StdOut + promtool.StdErr);
            Assert.That(promtool.StdOut + promtool.StdErr, Is.Empty, "promtool reports no lint problems");
        });
    }

    [Test]
    public async Task Metrics_endpoint_allows_anonymous_callers()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddMeshMetrics();
        await using var app = builder.Build();
        app.MapMeshMetrics();

        var endpoint = ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .Single(e => e.RoutePattern.RawText == "/metrics");

        Assert.Multiple(() =>
        {
            Assert.That(endpoint.Metadata.GetMetadata<IAllowAnonymous>(), Is.Not.Null);
            Assert.That(endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods, Is.EqualTo(new[] { "GET" }));
        });
    }

    [Test]
    public async Task Exporter_listens_from_host_start_and_is_disposed_with_the_host()
    {
        using var meter = new Meter("Mesh.Tests." + Guid.NewGuid().ToString("N"));
        var counter = meter.CreateCounter<long>("host.start.probe");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddMeshMetrics();
        builder.Services.AddMeshMetrics();
        var host = builder.Build();

        await host.StartAsync();
        counter.Add(1);
        var exporters = host.Services.GetServices<MeshMetricsExporter>().ToArray();
        var scrape = exporters[0].Scrape();
        await host.StopAsync();
        host.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(exporters, Has.Length.EqualTo(1), "registering twice still gives one exporter");
            Assert.That(Exposition.Value(scrape, "mesh_host_start_probe_total"), Is.EqualTo("1"), "measured before anything resolved the exporter");
            Assert.That(() => exporters[0].Scrape(), Throws.TypeOf<ObjectDisposedException>());
        });
    }
}
