using System.Text.Json;
using Mesh.ToolExecutor.Options;

namespace Mesh.ToolExecutor.Tools.Mcp;

/// <summary>
/// Reads the MCP servers file (<c>MCP_SERVERS_FILE</c>) in the shape most MCP hosts use:
/// <c>{"mcpServers": {"name": {"command": "node", "args": [...], "env": {...}} | {"url": "http://..."}}}</c>,
/// plus the executor's own optional keys (<c>timeoutSeconds</c>, <c>maxConcurrency</c>, <c>cacheTtlSeconds</c>, <c>cost</c>).
/// </summary>
public static class McpServersFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Adds the file's servers to <paramref name="options"/> (a server named in both keeps the file's definition).</summary>
    /// <exception cref="InvalidOperationException">The file is missing or not in the expected shape.</exception>
    public static void Load(string path, McpOptions options)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"MCP_SERVERS_FILE '{path}' does not exist.");
        }
        Shape? shape;
        try
        {
            shape = JsonSerializer.Deserialize<Shape>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"MCP_SERVERS_FILE '{path}' is not valid JSON: {e.Message}", e);
        }
        foreach (var (name, server) in shape?.McpServers ?? [])
        {
            options.Servers[name] = server;
        }
    }

    private sealed record Shape(Dictionary<string, McpServerOptions>? McpServers);
}
