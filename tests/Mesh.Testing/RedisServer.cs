using System.Diagnostics;
using System.Net.Sockets;

namespace Mesh.Testing;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, private to the tests that start it.
/// It can be stopped and started again on the same port to test how services ride out an outage.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? process;

    private RedisServer(int port) => Port = port;

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Starts a server; fails with a clear message when redis-server is not installed.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(Ports.Free());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same port.</summary>
    public async Task StartAgainAsync()
    {
        var binary = ProcessRunner.Which("redis-server") ?? throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server).");
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" })
        {
            info.ArgumentList.Add(arg);
        }
        process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Poll.UntilAsync(async () =>
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync("127.0.0.1", Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(10), "redis-server to listen");
    }

    /// <summary>Stops the server (SIGKILL: an outage, not a shutdown).</summary>
    public async Task StopAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process?.Dispose();
        process = null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();
}
