namespace Mesh.ToolExecutor.Options;

/// <summary>One MCP server: a command run over stdio, or a streamable HTTP endpoint.</summary>
public sealed class McpServerOptions
{
    /// <summary>The executable of a stdio server (for example <c>node</c>).</summary>
    public string? Command { get; set; }

    /// <summary>Its arguments.</summary>
    public List<string> Args { get; set; } = [];

    /// <summary>Extra environment variables of a stdio server.</summary>
    public Dictionary<string, string> Env { get; set; } = [];

    /// <summary>The endpoint of a streamable HTTP server.</summary>
    public string? Url { get; set; }

    /// <summary>Timeout of one call of this server's tools.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Calls of each of this server's tools one process allows at once.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Result-cache TTL of this server's tools; zero (the default) caches nothing.</summary>
    public int CacheTtlSeconds { get; set; }

    /// <summary>Cost of one call.</summary>
    public decimal Cost { get; set; }
}

/// <summary>
/// MCP servers whose tools join the registry as <c>&lt;server&gt;.&lt;tool&gt;</c> (section <c>Mcp</c>, plus the
/// file named by <c>MCP_SERVERS_FILE</c> in the common <c>{"mcpServers": {...}}</c> shape).
/// </summary>
public sealed class McpOptions
{
    public const string SectionName = "Mcp";

    /// <summary>A JSON file of servers (<c>MCP_SERVERS_FILE</c>).</summary>
    public string? ServersFile { get; set; }

    /// <summary>Servers by name.</summary>
    public Dictionary<string, McpServerOptions> Servers { get; } = new(StringComparer.Ordinal);

    /// <summary>The first wait before reconnecting to a server that died or could not start.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between reconnection attempts.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Why the options are unusable, or null.</summary>
    public string? Validate()
    {
        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            return "Mcp: InitialBackoff must be positive and at most MaxBackoff";
        }
        foreach (var (name, server) in Servers)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"))
            {
                return $"MCP server name '{name}' must be letters, digits, '_' or '-' (at most 32)";
            }
            if (string.IsNullOrWhiteSpace(server.Command) == string.IsNullOrWhiteSpace(server.Url))
            {
                return $"MCP server '{name}' needs either a command or a url";
            }
            if (server.Url is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
            {
                return $"MCP server '{name}' has an invalid url";
            }
            if (server.TimeoutSeconds < 1 || server.MaxConcurrency < 1 || server.CacheTtlSeconds < 0 || server.Cost < 0)
            {
                return $"MCP server '{name}' has a non-positive timeout or concurrency, or a negative cache TTL or cost";
            }
        }
        return null;
    }
}
