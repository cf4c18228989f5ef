using System.Net;
using Mesh.Infra.Auth;
using Mesh.Testing;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>
/// The real stack for the gateway's integration tests: PostgreSQL, Redis, embedded Kafka, policy, tool executor,
/// conversation worker, and two gateway instances. The second one ("gateway-tuned") runs with a tiny rate limit
/// (3 requests, one more per second) and a 5 s idle timeout, for the tests of those limits and of fan-out to
/// several instances.
/// </summary>
[SetUpFixture]
public sealed class ChatStack
{
    public const string Tuned = "gateway-tuned";

    private static MeshStack? stack;
    private static NpgsqlDataSource? dataSource;

    public static MeshStack Stack => stack ?? throw new InvalidOperationException("The chat stack did not start.");

    public static ServiceProcess Gateway => Stack.Services["gateway"];

    public static ServiceProcess TunedGateway => Stack.Services[Tuned];

    /// <summary>The API keys of the stack's database, for keys of other tenants and actors.</summary>
    public static ApiKeyStore Keys { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        stack = await MeshStack.StartAsync("policy", "tool-executor", "conversation-worker");
        var worker = new Dictionary<string, string> { ["CONVERSATION_WORKER_URL"] = Stack.Services["conversation-worker"].BaseAddress.ToString().TrimEnd('/') };
        await Stack.StartServiceAsync("gateway", worker);
        await Stack.StartServiceAsync("gateway", new Dictionary<string, string>(worker)
        {
            ["RateLimit__TokenLimit"] = "3",
            ["RateLimit__TokensPerPeriod"] = "1",
            ["RateLimit__ReplenishmentPeriod"] = "00:00:01",
            ["Chat__IdleTimeout"] = "00:00:05",
        }, key: Tuned);
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
    public static HttpClient Client(string? key = null, string service = "gateway") => Stack.Client(service, key);
}
