using System.Text.Json;
using Mesh.ConversationWorker.Domain;
using Mesh.ConversationWorker.Options;
using Microsoft.Extensions.Options;

namespace Mesh.ConversationWorker.Llm;

/// <summary>
/// The tools the model may call, from the tool executor's <c>GET /v1/tools</c> (service key), reused for
/// <see cref="ServiceOptions.ToolCatalogTtl"/>. While the executor cannot be reached the last list stays in use
/// (empty before the first success) and a new attempt is made after a few seconds, not on every model call.
/// </summary>
public sealed class ToolCatalog(IHttpClientFactory httpClients, IOptions<ServiceOptions> options, TimeProvider time, ILogger<ToolCatalog> logger) : IDisposable
{
    /// <summary>The HTTP client name of the tool executor.</summary>
    public const string HttpClientName = "tool-executor";

    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);
    private static readonly string[] SchemaFields = ["input_schema", "inputSchema", "arguments_schema", "parameters", "schema"];

    private readonly SemaphoreSlim refresh = new(1, 1);
    private volatile Snapshot? current;

    public async Task<IReadOnlyList<ToolDefinition>> GetAsync(CancellationToken cancellationToken)
    {
        if (current is { } fresh && fresh.ValidUntil > time.GetUtcNow())
        {
            return fresh.Tools;
        }

        await refresh.WaitAsync(cancellationToken);
        try
        {
            var known = current;
            if (known is not null && known.ValidUntil > time.GetUtcNow())
            {
                return known.Tools;
            }

            try
            {
                var tools = await FetchAsync(cancellationToken);
                current = new Snapshot(tools, time.GetUtcNow() + options.Value.ToolCatalogTtl);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException
                                          || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Log.ToolCatalogUnavailable(logger, e.GetType().Name, e.Message);
                current = new Snapshot(known?.Tools ?? [], time.GetUtcNow() + RetryAfterFailure);
            }

            return current.Tools;
        }
        finally
        {
            refresh.Release();
        }
    }

    public void Dispose() => refresh.Dispose();

    /// <summary>
    /// Reads a tool list: a JSON array, or an object with a <c>tools</c> array (the executor's form); each tool has a
    /// <c>name</c>, maybe a <c>description</c>, and its argument schema (<c>input_schema</c> or another usual name).
    /// Tools marked <c>"available": false</c> (an MCP server that is down) are not offered.
    /// </summary>
    public static IReadOnlyList<ToolDefinition> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var list = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("tools", out var tools) ? tools : root;
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("The tool list is neither an array nor an object with a 'tools' array.");
        }

        return list.EnumerateArray()
            .Where(t => t.ValueKind == JsonValueKind.Object && t.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
            .Where(t => !(t.TryGetProperty("available", out var a) && a.ValueKind == JsonValueKind.False))
            .Select(t => new ToolDefinition(
                t.GetProperty("name").GetString()!,
                t.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "",
                SchemaFields.Select(f => t.TryGetProperty(f, out var s) ? s : default).FirstOrDefault(s => s.ValueKind == JsonValueKind.Object) is { ValueKind: JsonValueKind.Object } schema
                    ? schema.Clone()
                    : null))
            .ToList();
    }

    private async Task<IReadOnlyList<ToolDefinition>> FetchAsync(CancellationToken cancellationToken)
    {
        using var response = await httpClients.CreateClient(HttpClientName).GetAsync(new Uri("/v1/tools", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        return Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    private sealed record Snapshot(IReadOnlyList<ToolDefinition> Tools, DateTimeOffset ValidUntil);
}
