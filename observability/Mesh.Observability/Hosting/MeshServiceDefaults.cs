using System.Diagnostics;
using Confluent.Kafka;
using Mesh.Infra.Auth;
using Mesh.Infra.Configuration;
using Mesh.Infra.Kafka;
using Mesh.Infra.Redis;
using Mesh.Observability.Health;
using Mesh.Observability.Logging;
using Mesh.Observability.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Mesh.Observability.Hosting;

/// <summary>
/// What every mesh service shares: JSON logs, metrics, <c>/healthz</c>, <c>/readyz</c>, API-key authentication,
/// its PostgreSQL schema, and connections to PostgreSQL, Redis and Kafka.
/// </summary>
public static class MeshServiceDefaults
{
    /// <summary>The <see cref="ActivitySource"/> name prefix whose spans are recorded (trace ids in logs).</summary>
    public const string ActivitySourcePrefix = "Mesh";

    /// <summary>Adds the shared defaults for <paramref name="service"/>, listening on <paramref name="defaultPort"/> unless URLs are configured.</summary>
    public static WebApplicationBuilder AddMeshDefaults(this WebApplicationBuilder builder, string service, int defaultPort)
    {
        var connections = ConnectionOptions.From(builder.Configuration);
        connections.Validate();
        builder.Services.AddSingleton(connections);

        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls($"http://localhost:{defaultPort}");
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.FormatterName = MeshJsonConsoleFormatter.FormatterName)
            .AddConsoleFormatter<MeshJsonConsoleFormatter, MeshJsonConsoleFormatterOptions>(o => o.Service = service);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        ActivitySource.AddActivityListener(new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith(ActivitySourcePrefix, StringComparison.Ordinal) || source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        });

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddMeshMetrics();
        builder.Services.AddMeshApiKeyAuth();

        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connections.Postgres) { Name = "mesh-" + service }.Build());
        builder.Services.AddSingleton(_ => new RedisConnection(connections.Redis));
        builder.Services.AddSingleton(_ =>
        {
            KafkaNative.EnsureLoaded();
            return new AdminClientBuilder(new AdminClientConfig { BootstrapServers = connections.KafkaBootstrapServers, ClientId = "mesh-" + service + "-readiness" }).Build();
        });

        var serviceAssembly = System.Reflection.Assembly.GetEntryAssembly()!;
        builder.Services.AddSingleton<MigrationState>();
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<PostgresMigrations>(sp, PostgresMigrations.For(service, serviceAssembly)));

        builder.Services.AddReadinessCheck("postgres", async (sp, ct) =>
        {
            if (sp.GetRequiredService<MigrationState>().Pending is { } pending)
            {
                return pending;
            }
            await using var command = sp.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(ct);
            return null;
        });
        builder.Services.AddReadinessCheck("redis", async (sp, _) =>
        {
            await sp.GetRequiredService<RedisConnection>().PingAsync();
            return null;
        });
        builder.Services.AddReadinessCheck("kafka", (sp, ct) => Task.Run(() =>
        {
            var metadata = sp.GetRequiredService<IAdminClient>().GetMetadata(TimeSpan.FromSeconds(3));
            return metadata.Brokers.Count == 0 ? "no brokers" : null;
        }, ct));
        builder.Services.AddSingleton<ReadinessMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReadinessMonitor>());
        return builder;
    }

    /// <summary>Adds a readiness check on another mesh service's <c>/readyz</c> (for example the policy service).</summary>
    public static WebApplicationBuilder AddServiceDependency(this WebApplicationBuilder builder, string name, string baseUrl)
    {
        builder.Services.AddHttpClient("readiness-" + name, c =>
        {
            c.BaseAddress = new Uri(baseUrl);
            c.Timeout = TimeSpan.FromSeconds(3);
        });
        builder.Services.AddReadinessCheck(name, async (sp, ct) =>
        {
            using var response = await sp.GetRequiredService<IHttpClientFactory>().CreateClient("readiness-" + name).GetAsync("/readyz", ct);
            return response.IsSuccessStatusCode ? null : $"{name} answered {(int)response.StatusCode}";
        });
        return builder;
    }

    /// <summary>Maps <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> (open) and turns on authentication for everything else.</summary>
    public static WebApplication MapMeshDefaults(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/healthz", () => Results.Json(new { status = "alive" })).AllowAnonymous();
        app.MapGet("/readyz", (ReadinessMonitor monitor) =>
        {
            var states = monitor.Snapshot();
            var failing = states.Where(s => !s.Ready).Select(s => s.Name).ToArray();
            var body = new
            {
                status = failing.Length == 0 ? "ready" : "not_ready",
                failing,
                checks = states.ToDictionary(s => s.Name, s => new { ready = s.Ready, error = s.Error, checked_at = s.CheckedAt }),
            };
            return Results.Json(body, statusCode: failing.Length == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();
        app.MapMeshMetrics();
        app.MapGet("/v1/whoami", (HttpContext context) =>
        {
            var caller = context.User.Caller();
            return Results.Json(new { tenant_id = caller.TenantId, actor = caller.Actor, key_id = caller.KeyId, admin = caller.IsAdmin, service = caller.IsService });
        });
        return app;
    }
}
