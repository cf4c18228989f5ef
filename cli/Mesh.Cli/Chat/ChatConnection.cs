using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Mesh.Cli.Chat;

/// <summary>
/// One session's WebSocket, kept open: it reconnects with exponential backoff and resumes after the last seq it
/// rendered, and sends messages that were not acknowledged again with the same <c>client_msg_id</c> (the gateway
/// de-duplicates them), so a dropped connection loses nothing.
/// </summary>
internal sealed class ChatConnection(Uri gateway, string key, Guid session, Transcript transcript) : IDisposable
{
    private static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, string> unacknowledged = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> turnsByClientMsgId = new();
    private readonly ConcurrentDictionary<Guid, string> clientMsgIdByTurn = new();
    private readonly TaskCompletionSource firstConnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientWebSocket? socket;
    private long lastSeq;

    /// <summary>Completes when the first connection is open (or faults when it is refused).</summary>
    public Task Connected => firstConnect.Task;

    /// <summary>Keeps the connection until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!cancellationToken.IsCancellationRequested)
        {
            using var current = new ClientWebSocket();
            current.Options.SetRequestHeader("Authorization", "Bearer " + key);
            current.Options.CollectHttpResponseDetails = true;
            try
            {
                await current.ConnectAsync(Endpoint(), cancellationToken);
            }
            catch (WebSocketException e) when (!cancellationToken.IsCancellationRequested)
            {
                if (current.HttpStatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.NotFound)
                {
                    firstConnect.TrySetException(new InvalidOperationException($"The gateway refused the connection ({(int)current.HttpStatusCode})."));
                    return;
                }
                transcript.Note($"cannot connect ({e.Message}); retrying in {backoff.TotalSeconds:0.#} s");
                await DelayAsync(backoff, cancellationToken);
                backoff = Next(backoff);
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            socket = current;
            backoff = TimeSpan.FromMilliseconds(500);
            if (!firstConnect.TrySetResult())
            {
                transcript.Note("reconnected");
            }
            foreach (var (clientMsgId, message) in unacknowledged)
            {
                await SendFrameAsync(new { type = "chat.send", message, client_msg_id = clientMsgId }, cancellationToken);
            }
            using var pinging = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var pings = PingAsync(pinging.Token);
            await ReceiveAsync(current, cancellationToken);
            await pinging.CancelAsync();
            await pings;
            socket = null;
            if (!cancellationToken.IsCancellationRequested)
            {
                transcript.Note($"connection lost ({current.CloseStatusDescription ?? "network"}); reconnecting");
                await DelayAsync(backoff, cancellationToken);
                backoff = Next(backoff);
            }
        }
        if (socket is { State: WebSocketState.Open } open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await open.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Sends a message; the returned task completes when its turn has ended (answered, failed or cancelled).</summary>
    public async Task<Task> SendAsync(string message, CancellationToken cancellationToken)
    {
        var clientMsgId = "cli-" + Guid.NewGuid().ToString("N");
        var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        turnsByClientMsgId[clientMsgId] = turn;
        unacknowledged[clientMsgId] = message;
        await SendFrameAsync(new { type = "chat.send", message, client_msg_id = clientMsgId }, cancellationToken);
        return turn.Task;
    }

    public Task CancelAsync(CancellationToken cancellationToken) => SendFrameAsync(new { type = "chat.cancel" }, cancellationToken);

    /// <summary>Whether a client message id was sent from this terminal (its text is on screen already).</summary>
    public bool SentHere(string? clientMsgId) => clientMsgId is not null && turnsByClientMsgId.ContainsKey(clientMsgId);

    public void Dispose() => sendLock.Dispose();

    private Uri Endpoint()
    {
        var scheme = gateway.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        return new UriBuilder(gateway) { Scheme = scheme, Path = $"/v1/sessions/{session:D}/ws", Query = "after=" + Interlocked.Read(ref lastSeq) }.Uri;
    }

    private async Task ReceiveAsync(ClientWebSocket current, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await current.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    Handle(message.ToArray());
                    message.SetLength(0);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Lost or stopping: the caller reconnects or ends.
        }
    }

    /// <summary>Shows a stored event (from the history API) before connecting; the socket then resumes after it.</summary>
    public void Replay(JsonElement e) => Deliver(e, e.GetProperty("type").GetString());

    private void Deliver(JsonElement e, string? type)
    {
        var seq = e.GetProperty("seq").GetInt64();
        if (seq <= Interlocked.Read(ref lastSeq))
        {
            return;
        }
        Interlocked.Exchange(ref lastSeq, seq);
        transcript.Render(e);
        Track(e, type);
    }

    private void Handle(byte[] frame)
    {
        using var document = JsonDocument.Parse(frame);
        var root = document.RootElement;
        var type = root.GetProperty("type").GetString();
        if (root.TryGetProperty("seq", out _))
        {
            Deliver(root, type);
            return;
        }
        if (type == "ack" && root.TryGetProperty("client_msg_id", out var acked))
        {
            unacknowledged.TryRemove(acked.GetString()!, out _);
        }
        else if (type == "error")
        {
            var refused = root.TryGetProperty("client_msg_id", out var id) ? id.GetString() : null;
            if (refused is not null)
            {
                unacknowledged.TryRemove(refused, out _);
                EndTurn(refused);
            }
            transcript.Note(root.GetProperty("error").GetProperty("message").GetString() ?? "error", isError: true);
        }
    }

    private void Track(JsonElement e, string? type)
    {
        var turn = e.GetProperty("turn_id").GetGuid();
        if (type == "message.accepted" && e.TryGetProperty("client_msg_id", out var id) && id.GetString() is { } clientMsgId)
        {
            clientMsgIdByTurn[turn] = clientMsgId;
            unacknowledged.TryRemove(clientMsgId, out _);
        }
        else if (type is "assistant.final" or "error" or "turn.cancelled" && clientMsgIdByTurn.TryRemove(turn, out var ended))
        {
            EndTurn(ended);
        }
    }

    private void EndTurn(string clientMsgId)
    {
        if (turnsByClientMsgId.TryGetValue(clientMsgId, out var turn))
        {
            turn.TrySetResult();
        }
    }

    private async Task SendFrameAsync(object frame, CancellationToken cancellationToken)
    {
        if (socket is not { State: WebSocketState.Open } current)
        {
            return;
        }
        await sendLock.WaitAsync(cancellationToken);
        try
        {
            await current.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(frame)), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        catch (WebSocketException)
        {
            // The receive loop notices the loss and reconnects; unacknowledged messages are sent again then.
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task PingAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(PingEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await SendFrameAsync(new { type = "ping" }, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended.
        }
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        await Task.Delay(delay * (0.8 + Random.Shared.NextDouble() * 0.4), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    private static TimeSpan Next(TimeSpan backoff) => backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
}
