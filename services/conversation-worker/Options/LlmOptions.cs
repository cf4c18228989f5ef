using Mesh.ConversationWorker.Domain;

namespace Mesh.ConversationWorker.Options;

/// <summary>
/// The language models (section <c>Llm</c>). <c>LLM_BASE_URL</c>, <c>LLM_API_KEY</c> and <c>LLM_MODEL</c> set the
/// endpoint of the cloud tiers; a tier may name its own. <see cref="ModelTiers.LocalPrivate"/> never falls back to
/// the shared endpoint: without an endpoint of its own it runs the built-in offline model, so a sensitive session
/// never leaves the machine because of a default. A tier without endpoint and model runs the offline model.
/// </summary>
public sealed class LlmOptions
{
    public const string SectionName = "Llm";

    /// <summary>The OpenAI-compatible endpoint of the cloud tiers (<c>LLM_BASE_URL</c>).</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Its API key (<c>LLM_API_KEY</c>); from the environment only.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model of the cloud tiers (<c>LLM_MODEL</c>).</summary>
    public string? Model { get; set; }

    /// <summary>The most tokens one model call may produce; also what a budget reservation holds for the answer.</summary>
    public int MaxOutputTokens { get; set; } = 1024;

    /// <summary>How long one model call may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Endpoint, model and prices per tier, by tier name.</summary>
    public Dictionary<string, ModelEndpointOptions> Tiers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How a session's tier is chosen.</summary>
    public RoutingOptions Routing { get; set; } = new();

    /// <summary>Where a tier's calls go: an endpoint and model, or null for the offline model.</summary>
    public ModelEndpoint? EndpointFor(string tier)
    {
        var own = Tiers.GetValueOrDefault(tier) ?? new ModelEndpointOptions();
        var shared = tier != ModelTiers.LocalPrivate;
        var baseUrl = own.BaseUrl ?? (shared ? BaseUrl : null);
        var model = own.Model ?? (shared ? Model : null);
        if (string.IsNullOrWhiteSpace(baseUrl) || string.IsNullOrWhiteSpace(model))
        {
            return null;
        }

        return new ModelEndpoint(new Uri(baseUrl), model, own.ApiKey ?? (shared ? ApiKey : null));
    }

    /// <summary>The prices of a tier per 1,000 tokens (zero unless configured).</summary>
    public (decimal Input, decimal Output) PricesFor(string tier) =>
        Tiers.GetValueOrDefault(tier) is { } own ? (own.InputCostPer1kTokens, own.OutputCostPer1kTokens) : (0m, 0m);

    public string? Validate()
    {
        if (MaxOutputTokens < 1 || Timeout <= TimeSpan.Zero)
        {
            return "Llm:MaxOutputTokens and Llm:Timeout must be positive";
        }

        if (!string.IsNullOrWhiteSpace(BaseUrl) && !Uri.IsWellFormedUriString(BaseUrl, UriKind.Absolute))
        {
            return "LLM_BASE_URL must be an absolute URL";
        }

        foreach (var (name, tier) in Tiers)
        {
            if (!ModelTiers.All.Contains(name))
            {
                return $"Llm:Tiers:{name} is not a tier ({string.Join(", ", ModelTiers.All)})";
            }

            if (!string.IsNullOrWhiteSpace(tier.BaseUrl) && !Uri.IsWellFormedUriString(tier.BaseUrl, UriKind.Absolute))
            {
                return $"Llm:Tiers:{name}:BaseUrl must be an absolute URL";
            }

            if (tier.InputCostPer1kTokens < 0 || tier.OutputCostPer1kTokens < 0)
            {
                return $"Llm:Tiers:{name} prices must not be negative";
            }
        }

        return Routing.Validate();
    }
}

/// <summary>One tier's endpoint, model and prices; unset values fall back as <see cref="LlmOptions"/> says.</summary>
public sealed class ModelEndpointOptions
{
    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public string? Model { get; set; }

    public decimal InputCostPer1kTokens { get; set; }

    public decimal OutputCostPer1kTokens { get; set; }
}

/// <summary>An OpenAI-compatible endpoint and the model to ask there.</summary>
public sealed record ModelEndpoint(Uri BaseUrl, string Model, string? ApiKey);

/// <summary>The routing rules (section <c>Llm:Routing</c>), applied by <see cref="ModelRouter"/>.</summary>
public sealed class RoutingOptions
{
    /// <summary>The session metadata label that carries its sensitivity.</summary>
    public string SensitivityLabel { get; set; } = "sensitivity";

    /// <summary>Sensitivities that keep a session on <see cref="ModelTiers.LocalPrivate"/> (compared case-insensitively).</summary>
    public string[] PrivateSensitivities { get; set; } = ["confidential", "restricted", "private", "secret"];

    /// <summary>A tier per tenant; a tenant mapped to the private tier stays there whatever its personas say.</summary>
    public Dictionary<string, string> TenantTiers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A tier per persona.</summary>
    public Dictionary<string, string> PersonaTiers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The tier of everything else.</summary>
    public string DefaultTier { get; set; } = ModelTiers.CloudStandard;

    public string? Validate() =>
        TenantTiers.Values.Concat(PersonaTiers.Values).Append(DefaultTier).FirstOrDefault(t => !ModelTiers.All.Contains(t)) is { } unknown
            ? $"Llm:Routing names the unknown tier '{unknown}'"
            : null;
}
