using System.Net.Http.Headers;
using Mesh.Gateway.Endpoints;
using Mesh.Gateway.Ops;
using Mesh.Gateway.Options;
using Mesh.Gateway.Realtime;
using Mesh.Gateway.Sessions;
using Mesh.Infra.Configuration;
using Mesh.Infra.Messaging;
using Mesh.Observability.Health;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway;

/// <summary>The gateway's registrations, one method per concern, called from Program.cs.</summary>
public static class GatewayServices
{
    public static IServiceCollection AddGatewayOptions(this IServiceCollection services)
    {
        services.AddOptions<ChatOptions>().BindConfiguration(ChatOptions.SectionName).ValidateOnStart(o => o.Validate());
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateOnStart(o => o.Validate());
        services.AddOptions<ConversationWorkerOptions>().Configure<IConfiguration>(ConversationWorkerOptions.Bind).ValidateOnStart(o => o.Validate());
        services.AddOptions<OpsOptions>().BindConfiguration(OpsOptions.SectionName).ValidateOnStart(o => o.Validate());
        return services;
    }

    /// <summary>Session records, messages to <c>conversation.inbound</c>, and history from the conversation worker.</summary>
    public static IServiceCollection AddSessions(this IServiceCollection services)
    {
        services.AddSingleton<SessionStore>();
        services.AddMeshPublisher(o => o.ClientId = "mesh-gateway");
        services.AddSingleton<ConversationInbox>();
        services.AddHttpClient<ConversationWorkerClient>((provider, http) =>
        {
            var worker = provider.GetRequiredService<IOptions<ConversationWorkerOptions>>().Value;
            http.BaseAddress = new Uri(worker.Url);
            http.Timeout = worker.Timeout;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", worker.ServiceKey);
        });
        return services;
    }

    /// <summary>WebSocket and SSE connections, fed by one <c>conversation.outbound</c> consumer per instance.</summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddSingleton<SessionHub>();
        services.AddSingleton<OutboundFanOut>();
        services.AddHostedService(provider => provider.GetRequiredService<OutboundFanOut>());
        services.AddHostedService<SubscriptionSweeper>();
        services.AddTransient<EventStream>();
        services.AddTransient<ChatWebSocket>();
        services.AddTransient<ChatEventSource>();
        services.AddReadinessCheck("conversation-outbound", (provider, _) => Task.FromResult(
            provider.GetRequiredService<OutboundFanOut>().IsAssigned ? null : "the fan-out consumer has no partitions yet"));
        return services.AddKeyRateLimiting();
    }

    /// <summary>The ops page's read-only way to Prometheus.</summary>
    public static IServiceCollection AddOps(this IServiceCollection services)
    {
        // The page polls several queries every few seconds: a log line per query would drown everything else.
        services.AddHttpClient<PrometheusProxy>((provider, http) => PrometheusProxy.Configure(http, provider.GetRequiredService<IOptions<OpsOptions>>().Value))
            .RemoveAllLoggers();
        return services;
    }
}
