using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Infra.Redis;
using Mesh.Testing;
using Npgsql;

namespace Mesh.ToolExecutor.Tests.Integration;

/// <summary>
/// The real stack shared by the integration tests (started on first use): PostgreSQL, Redis, the embedded Kafka
/// cluster, the policy service and one tool executor as processes, a local fetch target for http.fetch and the
/// MCP test server. Tests keep apart by their own sessions and request ids; results are read with kcat.
/// </summary>
public sealed class ExecutorStack : IAsyncDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static ExecutorStack? shared;

    private readonly List<ServiceProcess> restarted = [];

    private ExecutorStack(MeshStack stack, FetchTargetServer target, string mcpFile)
    {
        Stack = stack;
        FetchTarget = target;
        McpServersFile = mcpFile;
        Results = ResultStream.Start(stack.Kafka.BootstrapServers);
        Database = NpgsqlDataSource.Create(stack.DatabaseConnectionString);
        Redis = new RedisConnection(stack.Redis.Configuration);
    }

    public MeshStack Stack { get; }

    public FetchTargetServer FetchTarget { get; }

    public string McpServersFile { get; }

    public ResultStream Results { get; }

    public NpgsqlDataSource Database { get; }

    public RedisConnection Redis { get; }

    public string Bootstrap => Stack.Kafka.BootstrapServers;

    public ServiceProcess Executor => Stack.Services["tool-executor"];

    /// <summary>The entry point of the MCP server-everything package installed by <c>npm ci --prefix tests/mcp-servers</c>.</summary>
    public static string McpServerEverything => RepoPaths.Combine("tests", "mcp-servers", "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");

    public static async Task<ExecutorStack> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return shared ??= await StartAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task StopSharedAsync()
    {
        if (shared is not null)
        {
            await shared.DisposeAsync();
            shared = null;
        }
    }

    /// <summary>The environment every executor of this stack runs with.</summary>
    public Dictionary<string, string> ExecutorEnvironment() => new()
    {
        ["HTTP_FETCH_ALLOWED_HOSTS"] = "127.0.0.1,169.254.169.254",
        ["MCP_SERVERS_FILE"] = McpServersFile,
        ["Mcp__InitialBackoff"] = "00:00:06",
        ["Tools__echo__TimeoutMs"] = "5000",
        ["Executor__MaxOutputBytes"] = "65536",
        ["PolicyGate__AllowedTtl"] = "00:00:02",
        // Generous for a shared, busy test machine; the unit tests prove the deadline itself.
        ["PolicyGate__Timeout"] = "00:00:05",
        ["Logging__LogLevel__Default"] = "Information",
    };

    /// <summary>Starts another executor in the same consumer group; <paramref name="key"/> is also its executor id.</summary>
    public async Task<ServiceProcess> StartExecutorAsync(string key)
    {
        var environment = ExecutorEnvironment();
        environment["Executor__Id"] = key;
        var executor = await Stack.StartServiceAsync("tool-executor", environment, key);
        try
        {
            await executor.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + key + " log:\n" + executor.Log, e);
        }
        return executor;
    }

    /// <summary>Grants <paramref name="user"/> (e.g. <c>tenant:dev#member</c>) <paramref name="relation"/> on <paramref name="obj"/> in the dev tenant.</summary>
    public async Task WriteTupleAsync(string user, string relation, string obj)
    {
        using var client = Stack.Client("policy");
        using var response = await client.PostAsJsonAsync("/v1/tenants/dev/tuples", new { writes = new[] { new { user, relation, @object = obj } } });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Writing the tuple failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The policy service now running (it may have been restarted).</summary>
    public ServiceProcess Policy => restarted.LastOrDefault() ?? Stack.Services["policy"];

    /// <summary>Starts the policy service again on the port of the one that was killed, so the executors find it where they expect it.</summary>
    public async Task RestartPolicyAsync()
    {
        var policy = await ServiceProcess.StartAsync("policy", Stack.Environment(), Policy.Port);
        restarted.Add(policy);
        await policy.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(60));
    }

    /// <summary>Produces one request and waits for its first result.</summary>
    public async Task<ReceivedResult> SendAsync(Mesh.Contracts.Tools.ToolRequest request, TimeSpan? timeout = null)
    {
        await ToolRequests.ProduceAsync(Bootstrap, request);
        return await Results.FirstAsync(request.RequestId, timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Scrapes an executor's /metrics.</summary>
    public static async Task<string> MetricsAsync(ServiceProcess executor) => await executor.Http.GetStringAsync("/metrics");

    public async ValueTask DisposeAsync()
    {
        await Results.DisposeAsync();
        foreach (var process in restarted)
        {
            await process.DisposeAsync();
        }
        await Stack.DisposeAsync();
        await FetchTarget.DisposeAsync();
        await Database.DisposeAsync();
        Redis.Dispose();
        File.Delete(McpServersFile);
    }

    private static async Task<ExecutorStack> StartAsync()
    {
        var stack = await MeshStack.StartAsync("policy");
        var target = await FetchTargetServer.StartAsync();
        var mcpFile = Path.Combine(Path.GetTempPath(), $"mesh-mcp-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(mcpFile, JsonSerializer.Serialize(new
        {
            mcpServers = new Dictionary<string, object>
            {
                ["everything"] = new { command = ProcessRunner.Which("node") ?? "node", args = new[] { McpServerEverything, "stdio" }, timeoutSeconds = 20 },
            },
        }));
        var running = new ExecutorStack(stack, target, mcpFile);
        try
        {
            var executor = await stack.StartServiceAsync("tool-executor", running.ExecutorEnvironment());
            await executor.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(90));
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }
        return running;
    }
}
