using Microsoft.Extensions.Configuration;

namespace Mesh.Policy.Options;

/// <summary>
/// A real OpenFGA server that answers instead of the embedded evaluator, from the flat environment names
/// <c>OPENFGA_API_URL</c>, <c>OPENFGA_STORE_ID</c>, <c>OPENFGA_MODEL_ID</c>, <c>OPENFGA_API_TOKEN</c> and
/// <c>OPENFGA_TIMEOUT_MS</c>. Unset URL: the embedded evaluator answers.
/// </summary>
public sealed class OpenFgaOptions
{
    public string? ApiUrl { get; set; }

    public string StoreId { get; set; } = "";

    public string ModelId { get; set; } = "";

    public string? ApiToken { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    public bool Enabled => !string.IsNullOrWhiteSpace(ApiUrl);

    public static void Bind(OpenFgaOptions options, IConfiguration configuration)
    {
        options.ApiUrl = configuration["OPENFGA_API_URL"] ?? options.ApiUrl;
        options.StoreId = configuration["OPENFGA_STORE_ID"] ?? options.StoreId;
        options.ModelId = configuration["OPENFGA_MODEL_ID"] ?? options.ModelId;
        options.ApiToken = configuration["OPENFGA_API_TOKEN"] ?? options.ApiToken;
        if (int.TryParse(configuration["OPENFGA_TIMEOUT_MS"], out var milliseconds))
        {
            options.Timeout = TimeSpan.FromMilliseconds(milliseconds);
        }
    }

    /// <summary>Why the options are unusable, or null.</summary>
    public string? Validate() =>
        !Enabled ? null
        : !Uri.TryCreate(ApiUrl, UriKind.Absolute, out _) ? "OPENFGA_API_URL is not an absolute URL"
        : string.IsNullOrWhiteSpace(StoreId) ? "OPENFGA_STORE_ID is required with OPENFGA_API_URL"
        : string.IsNullOrWhiteSpace(ModelId) ? "OPENFGA_MODEL_ID is required with OPENFGA_API_URL"
        : Timeout <= TimeSpan.Zero ? "OPENFGA_TIMEOUT_MS must be positive"
        : null;
}
