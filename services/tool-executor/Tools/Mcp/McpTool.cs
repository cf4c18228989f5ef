using System.Text.Json;
using Mesh.ToolExecutor.Domain;
using Mesh.ToolExecutor.Options;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mesh.ToolExecutor.Tools.Mcp;

/// <summary>
/// One tool of an MCP server, registered as <c>&lt;server&gt;.&lt;tool&gt;</c> with the server's input schema. It
/// calls through the server's current connection; while the server is down it answers <c>failed</c>
/// (<c>mcp_server_unavailable</c>). It counts as idempotent only when the server says so (idempotent or read-only hint).
/// </summary>
public sealed class McpTool(McpServerConnection server, string toolName, ToolDescriptor descriptor) : ITool
{
    public ToolDescriptor Descriptor { get; } = descriptor;

    /// <summary>The descriptor of an MCP server's tool.</summary>
    public static ToolDescriptor Describe(string serverName, McpServerOptions settings, Tool tool, string serverVersion) => new(
        $"{serverName}.{tool.Name}",
        serverVersion,
        tool.Description ?? tool.Title ?? tool.Name,
        tool.InputSchema.Clone(),
        TimeSpan.FromSeconds(settings.TimeoutSeconds),
        settings.MaxConcurrency,
        settings.Cost,
        tool.Annotations is { IdempotentHint: true } or { ReadOnlyHint: true },
        TimeSpan.FromSeconds(settings.CacheTtlSeconds),
        new HashSet<string>(),
        "mcp:" + serverName);

    public async Task<JsonElement> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var client = server.Current
            ?? throw new ToolException("mcp_server_unavailable", $"MCP server '{server.Name}' is not connected; it is being restarted", isFault: false);
        var arguments = call.Arguments.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal);
        CallToolResult result;
        try
        {
            result = await client.CallToolAsync(toolName, arguments, cancellationToken: cancellationToken);
        }
        catch (McpException e)
        {
            throw new ToolException("mcp_error", $"MCP server '{server.Name}': {e.Message}");
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            throw new ToolException("mcp_server_unavailable", $"MCP server '{server.Name}' went away during the call: {e.Message}", isFault: false);
        }
        if (result.IsError == true)
        {
            var text = string.Join(" ", result.Content.OfType<TextContentBlock>().Select(b => b.Text));
            throw new ToolException("mcp_tool_error", text.Length > 0 ? text : $"{Descriptor.Name} reported an error", isFault: false);
        }
        return JsonSerializer.SerializeToElement(result, McpJsonUtilities.DefaultOptions);
    }
}
