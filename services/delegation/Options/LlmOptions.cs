namespace Mesh.Delegation.Options;

/// <summary>
/// The OpenAI-compatible model used for planning and aggregation (<c>LLM_BASE_URL</c>, <c>LLM_API_KEY</c>,
/// <c>LLM_MODEL</c>). Without a base URL the offline planner and aggregation are used.
/// </summary>
public sealed class LlmOptions
{
    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public string Model { get; set; } = "gpt-4o-mini";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    public bool IsEnabled => !string.IsNullOrWhiteSpace(BaseUrl);

    public string? Validate() =>
        IsEnabled && !Uri.TryCreate(BaseUrl, UriKind.Absolute, out _) ? "LLM_BASE_URL must be an absolute URL"
        : Timeout <= TimeSpan.Zero ? "LLM timeout must be positive"
        : null;
}
