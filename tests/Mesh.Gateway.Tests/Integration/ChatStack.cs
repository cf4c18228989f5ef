using System.Net;
using System.Net.Http.Headers;
using Mesh.Infra.Auth;
using Mesh.Testing;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>
/// The real stack for the gateway's integration tests: PostgreSQL, Redis, embedded Kafka, policy, tool executor,
/// conversation worker, two gateway instances, and a Prometheus scraping the services (jobs named after them) that
/// the gateways' ops page reads. The second gateway ("gateway-tuned") runs with a tiny rate limit (3 requests, one
/// more per second) and a 5 s idle timeout, for the tests of those limits and of fan-out to several instances.
/// </summary>
[SetUpFixture]
public sealed class ChatStack
{
    public const string Tuned = "gateway-tuned";

    private static readonly Dictionary<string, ServiceProcess> Gateways = new(StringComparer.Ordinal);
    private static MeshStack? stack;
    private static PrometheusServer? prometheus;
    private static NpgsqlDataSource? dataSource;

    public static MeshStack Stack => stack ?? throw new InvalidOperationException("The chat stack did not start.");

    public static PrometheusServer Prometheus => prometheus ?? throw new InvalidOperationException("The chat stack did not start.");

    public static ServiceProcess Gateway => Gateways["gateway"];

    public static ServiceProcess TunedGateway => Gateways[Tuned];

    /// <summary>The API keys of the stack's database, for keys of other tenants and actors.</summary>
    public static ApiKeyStore Keys { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        stack = await MeshStack.StartAsync("policy", "tool-executor", "conversation-worker");

        // Each side must know the other at start: the gateway's port is chosen first and given to Prometheus,
        // then Prometheus's address to the gateways.
        var gatewayPort = Ports.Free();
        var jobs = new[] { "policy", "tool-executor", "conversation-worker" }.ToDictionary(name => name, name => Stack.Services[name].BaseAddress);
        jobs["gateway"] = new Uri($"http://127.0.0.1:{gatewayPort}");
        prometheus = await PrometheusServer.StartAsync(jobs);

        var gateway = new Dictionary<string, string>
        {
            ["Ops__PrometheusUrl"] = Prometheus.BaseAddress.ToString(),
        };
        Gateways["gateway"] = await ServiceProcess.StartAsync("gateway", Stack.Environment(gateway), gatewayPort);
        Gateways[Tuned] = await ServiceProcess.StartAsync("gateway", Stack.Environment(new Dictionary<string, string>(gateway)
        {
            ["RateLimit__TokenLimit"] = "3",
            ["RateLimit__TokensPerPeriod"] = "1",
            ["RateLimit__ReplenishmentPeriod"] = "00:00:01",
            ["Chat__IdleTimeout"] = "00:00:05",
        }));
        await Task.WhenAll(
            Gateway.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(90)),
            TunedGateway.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(90)));
        dataSource = NpgsqlDataSource.Create(Stack.DatabaseConnectionString);
        Keys = new ApiKeyStore(dataSource, new MemoryCache(new MemoryCacheOptions()), TimeProvider.System);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (dataSource is not null)
        {
            await dataSource.DisposeAsync();
        }
        await Task.WhenAll(Gateways.Values.Select(g => g.DisposeAsync().AsTask()));
        Gateways.Clear();
        if (prometheus is not null)
        {
            await prometheus.DisposeAsync();
        }
        if (stack is not null)
        {
            await stack.DisposeAsync();
        }
    }

    /// <summary>A fresh key for an actor of a tenant (created if needed).</summary>
    public static async Task<string> IssueKeyAsync(string tenant, string actor, bool admin = false)
    {
        await Keys.EnsureTenantAsync(tenant, tenant, CancellationToken.None);
        return (await Keys.IssueAsync(tenant, actor, admin, false, null, "gateway test", CancellationToken.None)).Key;
    }

    /// <summary>An HTTP client for a gateway instance carrying <paramref name="key"/> (the dev admin key by default).</summary>
    public static HttpClient Client(string? key = null, string service = "gateway")
    {
        var client = new HttpClient { BaseAddress = Gateways[service].BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key ?? Stack.AdminKey);
        return client;
    }
}
