using Mesh.ToolExecutor.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.ToolExecutor.Tools.Mcp;

/// <summary>Runs a <see cref="McpServerConnection"/> for every configured MCP server.</summary>
public sealed class McpServers(IOptions<McpOptions> options, ToolRegistry registry, ILoggerFactory loggers) : BackgroundService
{
    private readonly Dictionary<string, McpServerConnection> connections = options.Value.Servers.ToDictionary(
        s => "mcp:" + s.Key, s => new McpServerConnection(s.Key, s.Value, options.Value, registry, loggers), StringComparer.Ordinal);

    /// <summary>Whether the tools of <paramref name="source"/> can be called now: built-in tools always, an MCP server's while it is connected.</summary>
    public bool IsAvailable(string source) => !connections.TryGetValue(source, out var connection) || connection.Current is not null;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(connections.Values.Select(c => c.RunAsync(stoppingToken)));
}
