using Mesh.ConversationWorker.Options;

namespace Mesh.ConversationWorker.Domain;

/// <summary>The model tiers a session can be routed to.</summary>
public static class ModelTiers
{
    /// <summary>A model that runs where the data may stay: a local endpoint, or the built-in offline model.</summary>
    public const string LocalPrivate = "tier_local_private";

    /// <summary>The everyday cloud model.</summary>
    public const string CloudStandard = "tier_cloud_standard";

    /// <summary>A stronger, costlier cloud model.</summary>
    public const string HighReasoning = "tier_high_reasoning";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { LocalPrivate, CloudStandard, HighReasoning };
}

/// <summary>What routing looks at: who, as which persona, and how sensitive the session is. Never the prompt.</summary>
public sealed record RoutingRequest(string TenantId, string? PersonaId, IReadOnlyDictionary<string, string>? Labels);

/// <summary>
/// Picks a session's model tier from configuration, outside the prompt, so no message can talk its way to
/// another model. Privacy first: a private sensitivity or a tenant pinned to the private tier always gets it.
/// Then the persona's tier, then the tenant's, then the default.
/// </summary>
public static class ModelRouter
{
    public static string Route(RoutingRequest request, RoutingOptions rules)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(rules);
        var tenantTier = rules.TenantTiers.GetValueOrDefault(request.TenantId);
        if (IsPrivate(request, rules) || tenantTier == ModelTiers.LocalPrivate)
        {
            return ModelTiers.LocalPrivate;
        }

        if (request.PersonaId is { } persona && rules.PersonaTiers.TryGetValue(persona, out var personaTier))
        {
            return personaTier;
        }

        return tenantTier ?? rules.DefaultTier;
    }

    private static bool IsPrivate(RoutingRequest request, RoutingOptions rules) =>
        request.Labels is not null
        && request.Labels.TryGetValue(rules.SensitivityLabel, out var sensitivity)
        && rules.PrivateSensitivities.Contains(sensitivity.Trim(), StringComparer.OrdinalIgnoreCase);
}
