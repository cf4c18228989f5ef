using System.Net;
using System.Security.Cryptography;
using Mesh.Testing.Kafka;

namespace Mesh.Testing;

/// <summary>
/// The real stack for integration tests: PostgreSQL (a database of its own), Redis, the embedded Kafka
/// cluster, and whichever mesh services a test asks for, started as processes with a dev admin key and a
/// service key registered by the services' own bootstrap.
/// </summary>
public sealed class MeshStack : IAsyncDisposable
{
    // In start order: each service is given the URLs of those started before it.
    private static readonly (string Service, string Variable)[] UrlVariables =
    [
        ("policy", "POLICY_URL"),
        ("tool-executor", "TOOL_EXECUTOR_URL"),
        ("conversation-worker", "CONVERSATION_WORKER_URL"),
        ("delegation", "DELEGATION_URL"),
        ("gateway", "GATEWAY_URL"),
    ];

    private readonly Dictionary<string, ServiceProcess> services = new(StringComparer.Ordinal);

    private MeshStack(PostgresServer postgres, RedisServer redis, EmbeddedKafka kafka, string database)
    {
        Postgres = postgres;
        Redis = redis;
        Kafka = kafka;
        DatabaseConnectionString = database;
    }

    /// <summary>The PostgreSQL server.</summary>
    public PostgresServer Postgres { get; }

    /// <summary>The Redis server (tests may stop and restart it).</summary>
    public RedisServer Redis { get; }

    /// <summary>The Kafka cluster.</summary>
    public EmbeddedKafka Kafka { get; }

    /// <summary>The connection string of this stack's database.</summary>
    public string DatabaseConnectionString { get; }

    /// <summary>The dev tenant's admin key (tenant <c>dev</c>, actor <c>dev-user</c>).</summary>
    public string AdminKey { get; } = "mesh_test_admin_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The service key (tenant <c>mesh</c>).</summary>
    public string ServiceKey { get; } = "mesh_test_svc_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Where the delegation service of this stack keeps its receipt signing key (generated on first start).</summary>
    public string SigningKeyFile { get; } = Path.Combine(Path.GetTempPath(), "mesh-signing-" + Guid.NewGuid().ToString("N")[..12] + ".pem");

    /// <summary>The running services by name.</summary>
    public IReadOnlyDictionary<string, ServiceProcess> Services => services;

    /// <summary>Starts the stack and the named services, and waits until every one is ready.</summary>
    public static async Task<MeshStack> StartAsync(params string[] serviceNames)
    {
        var postgres = await PostgresServer.StartAsync();
        var redis = await RedisServer.StartAsync();
        var kafka = await EmbeddedKafka.StartAsync();
        var stack = new MeshStack(postgres, redis, kafka, await postgres.CreateDatabaseAsync("mesh"));
        try
        {
            // Dependencies first, so each service is given the URLs of those it calls.
            foreach (var name in serviceNames.OrderBy(n => Array.FindIndex(UrlVariables, u => u.Service == n)))
            {
                await stack.StartServiceAsync(name);
            }
            await Task.WhenAll(stack.services.Values.Select(s => s.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(90))));
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
        return stack;
    }

    /// <summary>The environment a service of this stack runs with.</summary>
    public Dictionary<string, string> Environment(IDictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = Kafka.BootstrapServers,
            ["REDIS_CONNECTION"] = Redis.Configuration,
            ["POSTGRES_CONNECTION_STRING"] = DatabaseConnectionString,
            ["MESH_DEV_BOOTSTRAP"] = "1",
            ["MESH_DEV_ADMIN_KEY"] = AdminKey,
            ["MESH_SERVICE_KEY"] = ServiceKey,
            ["DELEGATION_SIGNING_KEY_FILE"] = SigningKeyFile,
        };
        foreach (var (service, variable) in UrlVariables)
        {
            if (services.TryGetValue(service, out var running))
            {
                env[variable] = running.BaseAddress.ToString().TrimEnd('/');
            }
        }
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }
        return env;
    }

    /// <summary>Starts one more service of this stack (or a second instance under another key).</summary>
    public async Task<ServiceProcess> StartServiceAsync(string name, IDictionary<string, string>? extraEnvironment = null, string? key = null)
    {
        var service = await ServiceProcess.StartAsync(name, Environment(extraEnvironment));
        services[key ?? name] = service;
        return service;
    }

    /// <summary>An HTTP client for a service carrying <paramref name="apiKey"/> (the admin key by default).</summary>
    public HttpClient Client(string service, string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = services[service].BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey ?? AdminKey);
        return client;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(services.Values.Select(s => s.DisposeAsync().AsTask()));
        await Kafka.DisposeAsync();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
        File.Delete(SigningKeyFile);
    }
}
