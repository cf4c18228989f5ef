namespace Mesh.ToolExecutor.Options;

/// <summary>
/// The <c>http.fetch</c> tool (section <c>HttpFetch</c>, or <c>HTTP_FETCH_ALLOWED_HOSTS</c> as a comma-separated
/// list). See <see cref="Domain.HostAllowlist"/> and <see cref="Domain.AddressRules"/> for what the entries mean.
/// </summary>
public sealed class HttpFetchOptions
{
    public const string SectionName = "HttpFetch";

    /// <summary>Hosts that may be fetched; empty means none.</summary>
    public List<string> AllowedHosts { get; } = [];

    /// <summary>The most body bytes read from one response; the rest is cut and flagged.</summary>
    public int MaxBytes { get; set; } = 192 * 1024;

    /// <summary>Redirects followed (each to an allowed host only).</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>Why the options are unusable, or null.</summary>
    public string? Validate() =>
        MaxBytes is < 1 or > 1024 * 1024 ? "HttpFetch:MaxBytes must be within [1, 1 MiB]"
        : MaxRedirects is < 0 or > 20 ? "HttpFetch:MaxRedirects must be within [0, 20]"
        : null;
}
