using Mesh.Delegation.Execution;
using Mesh.Delegation.External;
using Mesh.Delegation.Options;
using Mesh.Delegation.Planning;
using Mesh.Delegation.Receipts;
using Mesh.Delegation.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Delegation;

/// <summary>The delegation service's parts, one registration method per concern.</summary>
public static class DelegationServices
{
    /// <summary>Planning and aggregation: with <c>LLM_BASE_URL</c> the model, otherwise the deterministic offline rules.</summary>
    public static IServiceCollection AddPlanning(this IServiceCollection services)
    {
        services.AddSingleton<LlmClient>();
        services.AddSingleton<IGoalSplitter>(sp => sp.GetRequiredService<IOptions<LlmOptions>>().Value.IsEnabled
            ? new LlmGoalSplitter(sp.GetRequiredService<LlmClient>())
            : new OfflineGoalSplitter());
        services.AddSingleton<IAggregator>(sp => sp.GetRequiredService<IOptions<LlmOptions>>().Value.IsEnabled
            ? new LlmAggregator(sp.GetRequiredService<LlmClient>())
            : new OfflineAggregator());
        return services;
    }

    /// <summary>Intent records and signed receipts.</summary>
    public static IServiceCollection AddReceipts(this IServiceCollection services)
    {
        services.AddSingleton<ReceiptSigner>();
        services.AddSingleton<ReceiptService>();
        return services;
    }

    /// <summary>The external ROMA-compatible executor (used only for the profiles forwarded to it).</summary>
    public static IServiceCollection AddExternalExecutor(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RomaOptions>>();
            var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            if (options.Value.IsEnabled)
            {
                http.BaseAddress = new Uri(options.Value.Url!.TrimEnd('/') + "/");
            }

            return new RomaClient(http, options);
        });
        services.AddSingleton<RomaRunner>();
        return services;
    }

    /// <summary>Executions: storage, intake, the coordinator, child sessions, and resuming at start.</summary>
    public static IServiceCollection AddExecutions(this IServiceCollection services)
    {
        services.AddSingleton<ExecutionStore>();
        services.AddSingleton<ChildSessions>();
        services.AddSingleton<ExecutionCoordinator>();
        services.AddSingleton<ExecutionIntake>();
        services.AddHostedService<ExecutionHost>();
        return services;
    }
}
