using Mesh.ToolExecutor.Options;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Microsoft.Extensions.Logging;

namespace Mesh.ToolExecutor.Tools.Mcp;

/// <summary>
/// Keeps one MCP server connected: starts it (stdio) or connects (streamable HTTP), registers its tools, refreshes
/// them when the server announces a change, and when the session ends (the process died, the endpoint went away)
/// reconnects with exponential backoff. Between connections the tools stay registered and answer <c>failed</c>.
/// </summary>
public sealed class McpServerConnection(
    string name, McpServerOptions settings, McpOptions options, ToolRegistry registry, ILoggerFactory loggers)
{
    // A stdio server gets only these from the executor's environment, never its secrets (database, service key).
    private static readonly string[] InheritedVariables = ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "NODE_PATH"];

    private readonly ILogger logger = loggers.CreateLogger<McpServerConnection>();
    private volatile McpClient? current;

    public string Name => name;

    /// <summary>The live session, or null while the server is down.</summary>
    public McpClient? Current => current;

    /// <summary>Connects, serves until the session ends, and reconnects with backoff until <paramref name="stoppingToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var delay = options.InitialBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var client = await McpClient.CreateAsync(CreateTransport(), ClientOptions(), loggers, stoppingToken);
                await RefreshToolsAsync(client, stoppingToken);
                current = client;
                delay = options.InitialBackoff;
                Log.McpServerConnected(logger, name, client.ServerInfo?.Version ?? "?");
                var completion = await client.Completion.WaitAsync(stoppingToken);
                current = null;
                Log.McpServerDisconnected(logger, name, completion.Exception?.Message ?? "session ended", delay);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                current = null;
                Log.McpServerFailed(logger, name, e.GetType().Name, e.Message, delay);
            }
            finally
            {
                current = null;
            }
            await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxBackoff.Ticks));
        }
    }

    private async Task RefreshToolsAsync(McpClient client, CancellationToken cancellationToken)
    {
        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);
        var version = client.ServerInfo?.Version ?? "0";
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            var descriptor = McpTool.Describe(name, settings, tool.ProtocolTool, version);
            try
            {
                await registry.RegisterAsync(new McpTool(this, tool.Name, descriptor), cancellationToken);
                names.Add(descriptor.Name);
            }
            catch (ArgumentException e)
            {
                Log.McpToolSkipped(logger, name, tool.Name, e.Message);
            }
        }
        registry.RemoveOthers("mcp:" + name, names);
    }

    private McpClientOptions ClientOptions() => new()
    {
        ClientInfo = new Implementation { Name = "mesh-tool-executor", Version = "1.0" },
        Handlers = new McpClientHandlers
        {
            NotificationHandlers =
            [
                new(NotificationMethods.ToolListChangedNotification, async (_, cancellationToken) =>
                {
                    if (current is { } client)
                    {
                        await RefreshToolsAsync(client, cancellationToken);
                    }
                }),
            ],
        },
    };

    private IClientTransport CreateTransport()
    {
        if (settings.Url is { } url)
        {
            return new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(url),
                Name = name,
                TransportMode = HttpTransportMode.StreamableHttp,
            }, loggers);
        }
        var environment = InheritedVariables
            .Select(v => (v, Environment.GetEnvironmentVariable(v)))
            .Where(p => p.Item2 is not null)
            .ToDictionary(p => p.v, p => p.Item2);
        foreach (var (key, value) in settings.Env)
        {
            environment[key] = value;
        }
        return new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = name,
            Command = settings.Command!,
            Arguments = settings.Args,
            InheritEnvironmentVariables = false,
            EnvironmentVariables = environment,
            StandardErrorLines = line => Log.McpServerStderr(logger, name, line),
        }, loggers);
    }
}
