namespace Mesh.ToolExecutor.Options;

/// <summary>
/// The policy check before every run (section <c>PolicyGate</c>; <c>POLICY_URL</c> and the service key
/// <c>MESH_SERVICE_KEY</c> come from the environment).
/// </summary>
public sealed class PolicyGateOptions
{
    public const string SectionName = "PolicyGate";

    /// <summary>The policy service (<c>POLICY_URL</c>).</summary>
    public string Url { get; set; } = "http://localhost:8083";

    /// <summary>The service key sent as <c>Authorization: Bearer</c> (<c>MESH_SERVICE_KEY</c>).</summary>
    public string ServiceKey { get; set; } = "";

    /// <summary>How long the executor waits for a decision before it answers <c>denied</c> with <c>policy_unavailable</c>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an allow decision is reused for the same tenant, actor and tool.</summary>
    public TimeSpan AllowedTtl { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a deny decision is reused; zero (the default) asks again every time, so a grant takes effect at once.</summary>
    public TimeSpan DeniedTtl { get; set; } = TimeSpan.Zero;

    /// <summary>Why the options are unusable, or null.</summary>
    public string? Validate() =>
        !Uri.TryCreate(Url, UriKind.Absolute, out _) ? "POLICY_URL must be an absolute URL"
        : string.IsNullOrWhiteSpace(ServiceKey) ? "MESH_SERVICE_KEY is required: the executor asks policy with the service key"
        : Timeout <= TimeSpan.Zero ? "PolicyGate:Timeout must be positive"
        : AllowedTtl < TimeSpan.Zero || DeniedTtl < TimeSpan.Zero ? "PolicyGate cache TTLs must not be negative"
        : DeniedTtl > AllowedTtl ? "PolicyGate:DeniedTtl must not be longer than AllowedTtl"
        : null;
}
