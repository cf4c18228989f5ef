namespace Mesh.Gateway.Options;

/// <summary>Where the ops page reads its metrics (section <c>Ops</c>; <c>Ops__PrometheusUrl</c> overrides).</summary>
public sealed class OpsOptions
{
    public const string SectionName = "Ops";

    /// <summary>The Prometheus whose HTTP API the ops page queries through the gateway; <c>make run</c> starts one here.</summary>
    public string PrometheusUrl { get; set; } = "http://127.0.0.1:9090";

    /// <summary>How long one query may take before the gateway answers 504.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public string? Validate() =>
        !Uri.TryCreate(PrometheusUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            ? "Ops:PrometheusUrl must be an absolute http or https URL"
        : !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment) ? "Ops:PrometheusUrl must not have a query or fragment"
        : Timeout < TimeSpan.FromSeconds(1) || Timeout > TimeSpan.FromMinutes(2) ? "Ops:Timeout must be between one second and two minutes"
        : null;
}
