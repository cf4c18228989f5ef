using System.Net.Http.Headers;
using Mesh.Infra.Configuration;
using Mesh.ToolExecutor.Execution;
using Mesh.ToolExecutor.Options;
using Mesh.ToolExecutor.Tools;
using Mesh.ToolExecutor.Tools.BuiltIn;
using Mesh.ToolExecutor.Tools.Mcp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.ToolExecutor;

/// <summary>The tool executor's parts, registered by concern.</summary>
public static class ToolExecutorServices
{
    /// <summary>Binds and validates every options class; the flat environment names override their sections.</summary>
    public static IServiceCollection AddExecutorOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ExecutorOptions>().Bind(configuration.GetSection(ExecutorOptions.SectionName)).ValidateOnStart(o => o.Validate());
        services.AddOptions<ToolOverrides>().Configure(o => configuration.GetSection(ToolOverrides.SectionName).Bind(o.Overrides)).ValidateOnStart(o => o.Validate());
        services.AddOptions<ScratchOptions>().Bind(configuration.GetSection(ScratchOptions.SectionName)).ValidateOnStart(o => o.Validate());
        services.AddOptions<PolicyGateOptions>()
            .Bind(configuration.GetSection(PolicyGateOptions.SectionName))
            .PostConfigure(o =>
            {
                o.Url = configuration["POLICY_URL"] ?? o.Url;
                o.ServiceKey = configuration["MESH_SERVICE_KEY"] ?? o.ServiceKey;
            })
            .ValidateOnStart(o => o.Validate());
        services.AddOptions<HttpFetchOptions>()
            .Bind(configuration.GetSection(HttpFetchOptions.SectionName))
            .PostConfigure(o => o.AllowedHosts.AddRange((configuration["HTTP_FETCH_ALLOWED_HOSTS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            .ValidateOnStart(o => o.Validate());
        services.AddOptions<McpOptions>()
            .Bind(configuration.GetSection(McpOptions.SectionName))
            .PostConfigure(o =>
            {
                o.ServersFile = configuration["MCP_SERVERS_FILE"] ?? o.ServersFile;
                if (!string.IsNullOrWhiteSpace(o.ServersFile))
                {
                    McpServersFile.Load(o.ServersFile, o);
                }
            })
            .ValidateOnStart(o => o.Validate());
        return services;
    }

    /// <summary>The registry with the built-in tools (registered at start) and the MCP servers' tools (as they connect).</summary>
    public static IServiceCollection AddToolRegistry(this IServiceCollection services)
    {
        services.AddSingleton<ToolRegistry>();
        services.AddSingleton<MemoryStore>();
        services.AddSingleton<ITool, EchoTool>();
        services.AddSingleton<ITool, ClockNowTool>();
        services.AddSingleton<ITool, MathEvaluateTool>();
        services.AddSingleton<ITool, HttpFetchTool>();
        services.AddSingleton<ITool, MemorySaveTool>();
        services.AddSingleton<ITool, MemorySearchTool>();
        services.AddSingleton<ITool, MemoryForgetTool>();
        services.AddSingleton<ITool, KvGetTool>();
        services.AddSingleton<ITool, KvSetTool>();
        services.AddSingleton<ITool, DelegateTool>();
        services.AddHostedService<BuiltInTools>();
        services.AddSingleton<McpServers>();
        services.AddHostedService(sp => sp.GetRequiredService<McpServers>());
        return services;
    }

    /// <summary>Everything between a request and its result: records, leases, policy, cache, limits, breakers, metrics.</summary>
    public static IServiceCollection AddExecution(this IServiceCollection services)
    {
        services.AddHttpClient(PolicyGate.HttpClientName, (sp, client) =>
        {
            var options = sp.GetRequiredService<IOptions<PolicyGateOptions>>().Value;
            client.BaseAddress = new Uri(options.Url);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ServiceKey);
        });
        services.AddSingleton<PolicyGate>();
        services.AddSingleton<InvocationStore>();
        services.AddSingleton<InvocationLeases>();
        services.AddSingleton<ResultCache>();
        services.AddSingleton<ConcurrencyLimits>();
        services.AddSingleton<CircuitBreakers>();
        services.AddSingleton<ToolMetrics>();
        services.AddSingleton<CancellationSignals>();
        services.AddHostedService(sp => sp.GetRequiredService<CancellationSignals>());
        services.AddSingleton<ToolInvoker>();
        return services;
    }
}
