using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Options;

/// <summary>
/// Where the conversation worker serves session history and usage (section <c>ConversationWorker</c>;
/// <c>CONVERSATION_WORKER_URL</c> and <c>MESH_SERVICE_KEY</c> override).
/// </summary>
public sealed class ConversationWorkerOptions
{
    public const string SectionName = "ConversationWorker";

    public string Url { get; set; } = "http://localhost:8081";

    /// <summary>The service key the gateway presents; from the environment only.</summary>
    public string ServiceKey { get; set; } = "";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public static void Bind(ConversationWorkerOptions options, IConfiguration configuration)
    {
        configuration.GetSection(SectionName).Bind(options);
        options.Url = configuration["CONVERSATION_WORKER_URL"] is { Length: > 0 } url ? url : options.Url;
        options.ServiceKey = configuration["MESH_SERVICE_KEY"] ?? "";
    }

    public string? Validate() =>
        !Uri.TryCreate(Url, UriKind.Absolute, out _) ? "CONVERSATION_WORKER_URL must be an absolute URL"
        : string.IsNullOrWhiteSpace(ServiceKey) ? "MESH_SERVICE_KEY is not set: the gateway needs it to read session history"
        : Timeout <= TimeSpan.Zero ? "ConversationWorker:Timeout must be positive"
        : null;
}
