using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>A real WebSocket client of one session (System.Net.WebSockets.ClientWebSocket) with JSON helpers.</summary>
public sealed class ChatSocket : IAsyncDisposable
{
    private readonly ClientWebSocket socket;

    private ChatSocket(ClientWebSocket socket) => this.socket = socket;

    public WebSocket Socket => socket;

    /// <summary>
    /// Connects to <c>/v1/sessions/{id}/ws</c>. With <paramref name="browserStyle"/> the key travels as the
    /// <c>mesh.bearer.&lt;key&gt;</c> subprotocol next to <c>mesh.v1</c>, as a browser sends it; else in the header.
    /// </summary>
    public static async Task<ChatSocket> ConnectAsync(Uri gateway, Guid sessionId, string key, long? after = null, bool browserStyle = false)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (browserStyle)
        {
            socket.Options.AddSubProtocol("mesh.v1");
            socket.Options.AddSubProtocol("mesh.bearer." + key);
        }
        else
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        }
        var uri = new UriBuilder(gateway) { Scheme = "ws", Path = $"/v1/sessions/{sessionId:D}/ws", Query = after is { } a ? $"after={a}" : "" }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await socket.ConnectAsync(uri, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new ChatSocket(socket);
    }

    /// <summary>The HTTP status a refused upgrade got.</summary>
    public static async Task<System.Net.HttpStatusCode> RefusedStatusAsync(Uri gateway, Guid sessionId, string key)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        var uri = new UriBuilder(gateway) { Scheme = "ws", Path = $"/v1/sessions/{sessionId:D}/ws" }.Uri;
        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None);
            return System.Net.HttpStatusCode.SwitchingProtocols;
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }
    }

    public Task SendAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame));

    public async Task SendTextAsync(string text, WebSocketMessageType type = WebSocketMessageType.Text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), type, endOfMessage: true, timeout.Token);
    }

    /// <summary>The next frame, or null when the server closed the socket.</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(), cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No frame within {timeout}.");
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            }
        }
    }

    /// <summary>Frames until one matches <paramref name="last"/> (included); throws when the deadline passes first.</summary>
    public async Task<List<JsonElement>> ReceiveUntilAsync(Func<JsonElement, bool> last, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var frames = new List<JsonElement>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Gave up after {frames.Count} frames: {string.Join(" ", frames.Select(f => f.GetProperty("type").GetString()))}");
            }
            var frame = await ReceiveAsync(left) ?? throw new InvalidOperationException($"Closed after {frames.Count} frames ({socket.CloseStatus} {socket.CloseStatusDescription}).");
            frames.Add(frame);
            if (last(frame))
            {
                return frames;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                socket.Abort();
            }
        }
        socket.Dispose();
    }
}

/// <summary>Reading frames and events.</summary>
public static class Frames
{
    public static string Type(this JsonElement frame) => frame.GetProperty("type").GetString()!;

    public static long? Seq(this JsonElement frame) => frame.TryGetProperty("seq", out var seq) ? seq.GetInt64() : null;

    public static bool IsEvent(this JsonElement frame) => frame.Seq() is not null;

    public static string? Str(this JsonElement frame, string name) =>
        frame.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
