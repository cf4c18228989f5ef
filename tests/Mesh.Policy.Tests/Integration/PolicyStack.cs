using System.Net.Http.Headers;
using Mesh.Infra.Auth;
using Mesh.Policy.OpenFga;
using Mesh.Testing;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using NUnit.Framework;

namespace Mesh.Policy.Tests.Integration;

/// <summary>A tenant created for one test, with an admin key of its own.</summary>
public sealed record TestTenant(string TenantId, string Actor, string Key);

/// <summary>
/// One real stack (PostgreSQL, Redis, embedded Kafka, the policy service as a process) shared by the
/// integration tests of this assembly, started on first use. Tests keep apart by working in tenants of
/// their own (<see cref="NewTenantAsync"/>).
/// </summary>
public static class PolicyStack
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static MeshStack? stack;
    private static NpgsqlDataSource? database;
    private static ServiceProcess? second;

    public static async Task<MeshStack> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return stack ??= await MeshStack.StartAsync("policy");
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// A second policy instance on the same stack (same database, Redis and Kafka), started on first use: its
    /// seed runs again over the first one's data, and kill switches flipped through one must reach the other.
    /// </summary>
    public static async Task<ServiceProcess> SecondInstanceAsync()
    {
        var running = await GetAsync();
        await Gate.WaitAsync();
        try
        {
            if (second is null)
            {
                second = await running.StartServiceAsync("policy", key: "policy-2");
                await second.WaitForReadinessAsync(System.Net.HttpStatusCode.OK, TimeSpan.FromSeconds(60));
            }

            return second;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The stack's database, for assertions on what the service stored.</summary>
    public static async Task<NpgsqlDataSource> DatabaseAsync()
    {
        var running = await GetAsync();
        return database ??= NpgsqlDataSource.Create(running.DatabaseConnectionString);
    }

    /// <summary>A new tenant and an admin key for it (or a non-admin key).</summary>
    public static async Task<TestTenant> NewTenantAsync(string prefix, bool admin = true)
    {
        var keys = new ApiKeyStore(await DatabaseAsync(), new MemoryCache(new MemoryCacheOptions()), TimeProvider.System);
        var tenantId = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await keys.EnsureTenantAsync(tenantId, tenantId, CancellationToken.None);
        var issued = await keys.IssueAsync(tenantId, "alice", admin, isService: false, null, "policy test key", CancellationToken.None);
        return new TestTenant(tenantId, "alice", issued.Key);
    }

    /// <summary>An HTTP client for the policy service carrying <paramref name="key"/> (the dev admin key by default).</summary>
    public static async Task<HttpClient> ClientAsync(string? key = null) => (await GetAsync()).Client("policy", key);

    /// <summary>The typed OpenFGA client pointed at the policy service, with <paramref name="key"/> as its API token.</summary>
    public static async Task<OpenFgaClient> OpenFgaAsync(string key)
    {
        var running = await GetAsync();
        var http = new HttpClient { BaseAddress = running.Services["policy"].BaseAddress };
        return new OpenFgaClient(http, TimeSpan.FromSeconds(15), key);
    }

    public static async Task DisposeAsync()
    {
        if (database is not null)
        {
            await database.DisposeAsync();
            database = null;
        }

        if (stack is not null)
        {
            // Disposing the stack stops every service it started, the second instance included.
            await stack.DisposeAsync();
            stack = null;
            second = null;
        }
    }

    public static AuthenticationHeaderValue Bearer(string key) => new("Bearer", key);
}
