using Mesh.Infra.Configuration;
using Mesh.Infra.Messaging;
using Mesh.Observability.Health;
using Mesh.Policy.Authorization;
using Mesh.Policy.Bootstrap;
using Mesh.Policy.Budgets;
using Mesh.Policy.Decisions;
using Mesh.Policy.KillSwitches;
using Mesh.Policy.OpenFga;
using Mesh.Policy.Options;
using Mesh.Policy.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.Policy;

/// <summary>The policy service's registrations, one method per concern, called from Program.cs.</summary>
public static class PolicyServices
{
    public static IServiceCollection AddPolicyOptions(this IServiceCollection services)
    {
        services.AddOptions<PolicyOptions>().BindConfiguration(PolicyOptions.SectionName).ValidateOnStart(o => o.Validate());
        services.AddOptions<BudgetOptions>().BindConfiguration(BudgetOptions.SectionName).ValidateOnStart(o => o.Validate());
        services.AddOptions<OpenFgaOptions>().Configure<IConfiguration>(OpenFgaOptions.Bind).ValidateOnStart(o => o.Validate());
        services.AddOptions<DevBootstrapOptions>().Configure<IConfiguration>(DevBootstrapOptions.Bind);
        return services;
    }

    /// <summary>Stores, models and tuples in PostgreSQL, and who answers /v1: the embedded evaluator or OpenFGA.</summary>
    public static IServiceCollection AddPolicyEvaluation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<StoreRepository>();
        services.AddSingleton<ModelRepository>();
        services.AddSingleton<TupleRepository>();
        var openFga = new OpenFgaOptions();
        OpenFgaOptions.Bind(openFga, configuration);
        if (!openFga.Enabled)
        {
            services.AddSingleton<ITenantAuthorization, EmbeddedTenantAuthorization>();
            return services;
        }

        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<OpenFgaOptions>>().Value;
            var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            {
                BaseAddress = new Uri(settings.ApiUrl!.TrimEnd('/') + "/"),
                Timeout = Timeout.InfiniteTimeSpan,
            };
            return new OpenFgaClient(http, settings.Timeout, settings.ApiToken);
        });
        services.AddSingleton<ITenantAuthorization, OpenFgaTenantAuthorization>();
        services.AddReadinessCheck("openfga", async (sp, ct) =>
        {
            await sp.GetRequiredService<OpenFgaClient>().GetStoreAsync(sp.GetRequiredService<IOptions<OpenFgaOptions>>().Value.StoreId, ct);
            return null;
        });
        return services;
    }

    /// <summary>Decisions: evaluation with fail-closed reasons, metrics, and the audit (PostgreSQL and <c>policy.decisions</c>).</summary>
    public static IServiceCollection AddDecisions(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new MeshPublisher(new MeshPublisherOptions
        {
            BootstrapServers = sp.GetRequiredService<ConnectionOptions>().KafkaBootstrapServers,
            ClientId = "mesh-policy",
        }));
        services.AddSingleton<DecisionPublisher>();
        services.AddSingleton<PolicyMetrics>();
        services.AddSingleton<DecisionRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<DecisionRecorder>());
        services.AddSingleton<DecisionService>();
        return services;
    }

    public static IServiceCollection AddKillSwitches(this IServiceCollection services)
    {
        services.AddSingleton<KillSwitchCache>();
        services.AddHostedService(sp => sp.GetRequiredService<KillSwitchCache>());
        services.AddSingleton<KillSwitchStore>();
        services.AddReadinessCheck("kill-switches", (sp, _) =>
            Task.FromResult(sp.GetRequiredService<KillSwitchCache>().Engaged is null ? "kill-switch state not loaded" : null));
        return services;
    }

    public static IServiceCollection AddBudgets(this IServiceCollection services)
    {
        services.AddSingleton<BudgetLimits>();
        services.AddSingleton<BudgetService>();
        services.AddHostedService<BudgetSweeper>();
        return services;
    }

    public static IServiceCollection AddDevSeed(this IServiceCollection services)
    {
        services.AddSingleton<DevSeed>();
        services.AddHostedService(sp => sp.GetRequiredService<DevSeed>());
        services.AddReadinessCheck("dev-seed", (sp, _) => Task.FromResult(sp.GetRequiredService<DevSeed>().Pending));
        return services;
    }
}
