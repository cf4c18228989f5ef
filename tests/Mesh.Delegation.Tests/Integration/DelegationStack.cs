using System.Net;
using System.Security.Cryptography;
using Mesh.Infra.Auth;
using Mesh.Testing;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Mesh.Delegation.Tests.Integration;

/// <summary>A tenant created for one test, with an admin key of its own.</summary>
public sealed record TestTenant(string TenantId, string Actor, string Key);

/// <summary>
/// One real stack shared by the integration tests, started on first use: PostgreSQL, Redis, the embedded Kafka
/// cluster, and the policy service, tool executor, conversation worker (offline model) and delegation service as
/// processes. The tool executor may fetch <see cref="Pages"/> on loopback; the delegation service signs with a key
/// file written here and forwards the profile <c>research</c> to <see cref="Roma"/>.
/// </summary>
public static class DelegationStack
{
    public const string RomaProfile = "research";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static MeshStack? stack;
    private static NpgsqlDataSource? database;
    private static SlowPages? pages;
    private static FakeRoma? roma;
    private static string? keyDirectory;

    public static SlowPages Pages => pages ?? throw new InvalidOperationException("The stack is not started.");

    public static FakeRoma Roma => roma ?? throw new InvalidOperationException("The stack is not started.");

    /// <summary>The PEM file the delegation service signs receipts with.</summary>
    public static string SigningKeyFile => Path.Combine(keyDirectory!, "delegation-signing-key.pem");

    public static async Task<MeshStack> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (stack is null)
            {
                pages = await SlowPages.StartAsync();
                roma = await FakeRoma.StartAsync();
                keyDirectory = Directory.CreateTempSubdirectory("mesh-delegation-").FullName;
                using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                {
                    await File.WriteAllTextAsync(SigningKeyFile, key.ExportPkcs8PrivateKeyPem());
                }

                var started = await MeshStack.StartAsync("policy");
                try
                {
                    // A policy service that has just started can be slower than the executor's default 1 s wait on a busy
                    // machine; and a held page must outlast http.fetch's default 10 s timeout and the worker's 30 s wait for
                    // tool results, or a child answers on its own (on a fresh stack the executor's consumer group can take
                    // much of those 30 s to form before the first fetch even starts).
                    var executor = await started.StartServiceAsync("tool-executor", new Dictionary<string, string>
                    {
                        ["HTTP_FETCH_ALLOWED_HOSTS"] = "127.0.0.1",
                        ["PolicyGate__Timeout"] = "00:00:10",
                        ["Tools__http.fetch__TimeoutMs"] = "120000",
                    });
                    await started.StartServiceAsync("conversation-worker", new Dictionary<string, string>
                    {
                        ["TOOL_EXECUTOR_URL"] = executor.BaseAddress.ToString().TrimEnd('/'),
                        ["Agent__ToolResultTimeout"] = "00:02:00",
                    });
                    await started.StartServiceAsync("delegation", DelegationEnvironment());
                    await Task.WhenAll(started.Services.Values.Select(s => s.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(90))));
                }
                catch
                {
                    await started.DisposeAsync();
                    throw;
                }

                stack = started;
            }

            return stack;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Kills the delegation service at once (a crash, not a shutdown).</summary>
    public static async Task KillDelegationAsync()
    {
        var running = await GetAsync();
        await running.Services["delegation"].DisposeAsync();
    }

    /// <summary>Starts a new delegation service on the same database, cluster and signing key, and waits until it is ready.</summary>
    public static async Task StartDelegationAsync()
    {
        var running = await GetAsync();
        var service = await running.StartServiceAsync("delegation", DelegationEnvironment());
        await service.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(90));
    }

    public static async Task<HttpClient> ClientAsync(string? key = null) => (await GetAsync()).Client("delegation", key);

    public static async Task<NpgsqlDataSource> DatabaseAsync()
    {
        var running = await GetAsync();
        return database ??= NpgsqlDataSource.Create(running.DatabaseConnectionString);
    }

    /// <summary>A new tenant with an admin key of its own.</summary>
    public static async Task<TestTenant> NewTenantAsync(string prefix)
    {
        var keys = new ApiKeyStore(await DatabaseAsync(), new MemoryCache(new MemoryCacheOptions()), TimeProvider.System);
        var tenantId = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await keys.EnsureTenantAsync(tenantId, tenantId, CancellationToken.None);
        var issued = await keys.IssueAsync(tenantId, "alice", isAdmin: true, isService: false, null, "delegation test key", CancellationToken.None);
        return new TestTenant(tenantId, "alice", issued.Key);
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
            await stack.DisposeAsync();
            stack = null;
        }

        if (pages is not null)
        {
            await pages.DisposeAsync();
            pages = null;
        }

        if (roma is not null)
        {
            await roma.DisposeAsync();
            roma = null;
        }

        if (keyDirectory is not null)
        {
            Directory.Delete(keyDirectory, recursive: true);
            keyDirectory = null;
        }
    }

    private static Dictionary<string, string> DelegationEnvironment() => new()
    {
        ["DELEGATION_SIGNING_KEY_FILE"] = SigningKeyFile,
        ["DELEGATION_ROMA_URL"] = Roma.Url,
        ["DELEGATION_ROMA_KEY"] = FakeRoma.Key,
        ["DELEGATION_ROMA_PROFILES"] = RomaProfile,
        ["Roma__RequestTimeout"] = "00:00:01",
        ["Roma__PollInterval"] = "00:00:00.100",
    };
}
