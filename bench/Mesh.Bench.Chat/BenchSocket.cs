using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Mesh.Bench.Chat;

/// <summary>A chat WebSocket for the benchmark: every received frame is handed to a callback with its arrival time.</summary>
internal sealed class BenchSocket : IAsyncDisposable
{
    private readonly ClientWebSocket socket;
    private readonly Task receiving;
    private readonly SemaphoreSlim sendLock = new(1, 1);

    private BenchSocket(ClientWebSocket socket, Action<JsonElement, long> onFrame)
    {
        this.socket = socket;
        receiving = Task.Run(() => ReceiveAsync(onFrame));
    }

    public static async Task<BenchSocket> ConnectAsync(Uri gateway, Guid session, string key, Action<JsonElement, long> onFrame)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var uri = new UriBuilder(gateway) { Scheme = "ws", Path = $"/v1/sessions/{session:D}/ws" }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(uri, timeout.Token);
        return new BenchSocket(socket, onFrame);
    }

    public async Task SendAsync(object frame)
    {
        await sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(frame)), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        socket.Abort();
        await receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        socket.Dispose();
        sendLock.Dispose();
    }

    private async Task ReceiveAsync(Action<JsonElement, long> onFrame)
    {
        var buffer = new byte[8 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                // Wait without a buffer first: most of the benchmark's sockets are idle.
                var first = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                if (first.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                var arrived = Stopwatch.GetTimestamp();
                using (var document = JsonDocument.Parse(message.GetBuffer().AsMemory(0, (int)message.Length)))
                {
                    onFrame(document.RootElement, arrived);
                }
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted at the end of the run.
        }
    }
}
