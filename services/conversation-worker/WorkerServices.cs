using System.Net.Http.Headers;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Tools;
using Mesh.ConversationWorker.Handlers;
using Mesh.ConversationWorker.Llm;
using Mesh.ConversationWorker.Options;
using Mesh.ConversationWorker.Storage;
using Mesh.ConversationWorker.Turns;
using Mesh.Infra.Configuration;
using Mesh.Infra.Messaging;
using Microsoft.Extensions.Options;

namespace Mesh.ConversationWorker;

/// <summary>The worker's registrations, by concern.</summary>
public static class WorkerServices
{
    /// <summary>The consumer group of the agent loop.</summary>
    public const string ConsumerGroup = "conversation-worker";

    /// <summary>
    /// Options from their sections, with the flat variables of architecture.md on top (<c>LLM_*</c>,
    /// <c>POLICY_URL</c>, <c>TOOL_EXECUTOR_URL</c>, <c>MESH_SERVICE_KEY</c>), validated at start.
    /// </summary>
    public static IServiceCollection AddWorkerOptions(this IServiceCollection services, IConfiguration configuration)
    {
        Bind<AgentOptions>(services, configuration, AgentOptions.SectionName, o => o.Validate());
        Bind<WindowOptions>(services, configuration, WindowOptions.SectionName, o => o.Validate());
        Bind<HistoryOptions>(services, configuration, HistoryOptions.SectionName, o => o.Validate());
        Bind<LlmOptions>(services, configuration, LlmOptions.SectionName, o => o.Validate()).PostConfigure(o =>
        {
            o.BaseUrl = configuration["LLM_BASE_URL"] ?? o.BaseUrl;
            o.ApiKey = configuration["LLM_API_KEY"] ?? o.ApiKey;
            o.Model = configuration["LLM_MODEL"] ?? o.Model;
        });
        Bind<ServiceOptions>(services, configuration, ServiceOptions.SectionName, o => o.Validate()).PostConfigure(o =>
        {
            o.PolicyUrl = configuration["POLICY_URL"] ?? o.PolicyUrl;
            o.ToolExecutorUrl = configuration["TOOL_EXECUTOR_URL"] ?? o.ToolExecutorUrl;
            o.ServiceKey = configuration["MESH_SERVICE_KEY"] ?? o.ServiceKey;
        });
        return services;
    }

    /// <summary>The agent loop: storage, models, calls to policy and the executor, and the turn machinery.</summary>
    public static IServiceCollection AddAgentLoop(this IServiceCollection services)
    {
        services.AddHttpClient(BudgetClient.HttpClientName, (sp, client) => Configure(client, sp, o => o.PolicyUrl));
        services.AddHttpClient(ToolCatalog.HttpClientName, (sp, client) => Configure(client, sp, o => o.ToolExecutorUrl));
        services.AddSingleton<TurnStore>().AddSingleton<EventLog>().AddSingleton<WindowCache>().AddSingleton<UsageStore>();
        services.AddSingleton<ChatModels>().AddSingleton<ToolCatalog>().AddSingleton<BudgetClient>();
        services.AddSingleton<SessionLocks>().AddSingleton<SchemaGate>().AddSingleton<RunningSteps>().AddSingleton<SessionWriters>();
        services.AddSingleton<ToolDeadlines>().AddSingleton<ToolDispatcher>().AddSingleton<StepRunner>().AddSingleton<TurnEngine>();
        services.AddHostedService<DeadlineRecovery>();
        return services;
    }

    /// <summary>
    /// The agent loop's consumer group (inbound messages and tool results, co-partitioned, range assignment), the
    /// per-process reader of cancel requests, and the publisher.
    /// </summary>
    public static IServiceCollection AddAgentMessaging(this IServiceCollection services)
    {
        services.AddMeshPublisher();
        services.AddMeshConsumer(o =>
        {
            o.GroupId = ConsumerGroup;
            o.Assignment = PartitionAssignment.Range;
            // A session's messages wait behind a failing one, so it gets about a minute to recover before the DLQ.
            o.MaxAttempts = 10;
            o.MaxFetchWait = TimeSpan.FromMilliseconds(KafkaClientConfig.UserFacingFetchWaitMaxMs);
            o.Topic<ConversationMessage, InboundMessageHandler>(MeshTopics.ConversationInbound);
            o.Topic<ToolResult, ToolResultHandler>(MeshTopics.ToolResults);
        });
        services.AddMeshConsumer(o =>
        {
            o.GroupId = $"{ConsumerGroup}-signals";
            o.GroupPerProcess = true;
            o.Assignment = PartitionAssignment.CooperativeSticky;
            o.MaxAttempts = 1;
            o.Topic<ConversationMessage, CancelSignalHandler>(MeshTopics.ConversationInbound);
        });
        return services;
    }

    private static OptionsBuilder<T> Bind<T>(IServiceCollection services, IConfiguration configuration, string section, Func<T, string?> validate)
        where T : class =>
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart(validate);

    private static void Configure(HttpClient client, IServiceProvider services, Func<ServiceOptions, string> url)
    {
        var options = services.GetRequiredService<IOptions<ServiceOptions>>().Value;
        client.BaseAddress = new Uri(url(options));
        client.Timeout = options.RequestTimeout;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ServiceKey);
    }
}
