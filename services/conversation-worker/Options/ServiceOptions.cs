namespace Mesh.ConversationWorker.Options;

/// <summary>
/// The services the worker calls (section <c>Services</c>; the flat variables <c>POLICY_URL</c>,
/// <c>TOOL_EXECUTOR_URL</c> and <c>MESH_SERVICE_KEY</c> override it).
/// </summary>
public sealed class ServiceOptions
{
    public const string SectionName = "Services";

    /// <summary>The policy service: budgets are reserved there before every model call.</summary>
    public string PolicyUrl { get; set; } = "http://localhost:8083";

    /// <summary>The tool executor: its <c>GET /v1/tools</c> lists the tools the model may call.</summary>
    public string ToolExecutorUrl { get; set; } = "http://localhost:8082";

    /// <summary>The mesh service key the worker presents to other services; from the environment only.</summary>
    public string ServiceKey { get; set; } = "";

    /// <summary>How long a fetched tool list is reused.</summary>
    public TimeSpan ToolCatalogTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a call to another service may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public string? Validate() =>
        !Uri.IsWellFormedUriString(PolicyUrl, UriKind.Absolute) ? "POLICY_URL must be an absolute URL"
        : !Uri.IsWellFormedUriString(ToolExecutorUrl, UriKind.Absolute) ? "TOOL_EXECUTOR_URL must be an absolute URL"
        : string.IsNullOrWhiteSpace(ServiceKey) ? "MESH_SERVICE_KEY is not set"
        : ToolCatalogTtl <= TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero ? "Services timings must be positive"
        : null;
}
