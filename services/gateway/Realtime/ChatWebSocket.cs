using System.Buffers;
using System.Net.WebSockets;
using Mesh.Gateway.Endpoints;
using Mesh.Gateway.Options;
using Mesh.Gateway.Sessions;
using Mesh.Infra.Auth;
using Mesh.Infra.Messaging;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Realtime;

/// <summary>
/// A chat WebSocket on one session: events go out (replay after <c>after</c>, then live), client frames come in.
/// A frame the gateway cannot act on is answered with an error frame and the socket stays open.
/// </summary>
public sealed class ChatWebSocket(
    SessionHub hub, EventStream stream, ConversationInbox inbox, KeyRateLimiter limiter, IOptions<ChatOptions> options, ILogger<ChatWebSocket> logger)
{
    /// <summary>
    /// The subprotocol the gateway selects. A browser, which cannot set headers, offers it together with
    /// <c>mesh.bearer.&lt;key&gt;</c>; the key is read from the latter and never echoed back.
    /// </summary>
    public const string SubProtocol = "mesh.v1";

    private const string Transport = "websocket";
    private const int ReadChunk = 4096;

    public async Task RunAsync(HttpContext http, Session session, ApiKeyPrincipal caller, long? after)
    {
        var protocol = http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol) ? SubProtocol : null;
        WebSocket? accepted = null;
        // Subscribed before the upgrade completes, so that an event published as soon as the client is connected is not missed.
        using var subscription = hub.Subscribe(session.Id, options.Value.SendQueueCapacity, closesWhenIdle: true, onOverflow: () => accepted?.Abort());
        // No keep-alive timer per socket: the sweeper closes sockets that stay silent (clients ping).
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = protocol, KeepAliveInterval = TimeSpan.Zero });
        accepted = socket;
        GatewayMetrics.WebSocketConnections.Add(1);
        using var connection = new Connection(socket);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        try
        {
            var sending = SendEventsAsync(connection, stream.ReadAsync(session, after, subscription, stop.Token), stop.Token);
            var receiving = ReceiveAsync(connection, session, caller, subscription, stop.Token);
            if (await Task.WhenAny(sending, receiving) == sending)
            {
                await CloseAsync(connection, sending, subscription.End, session.Id);
                await receiving.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            else if (socket.State == WebSocketState.CloseReceived)
            {
                await connection.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye");
            }
            stop.Cancel();
            await Task.WhenAll(sending, receiving).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var failure in new[] { sending.Exception, receiving.Exception }.OfType<AggregateException>().Select(e => e.GetBaseException()))
            {
                if (failure is not (WebSocketException or OperationCanceledException or ConversationWorkerException))
                {
                    Log.ConnectionFailed(logger, session.Id, failure);
                }
            }
        }
        finally
        {
            GatewayMetrics.WebSocketConnections.Add(-1);
            if (subscription.End == SubscriptionEnd.Overflow)
            {
                GatewayMetrics.SlowClientDisconnects.Add(1, new KeyValuePair<string, object?>("transport", Transport));
            }
        }
    }

    private static async Task SendEventsAsync(Connection connection, IAsyncEnumerable<OutboundEvent> events, CancellationToken cancellationToken)
    {
        await foreach (var outbound in events.WithCancellation(cancellationToken))
        {
            if (outbound.Event is not null)
            {
                await connection.SendAsync(outbound.Json, cancellationToken);
                GatewayMetrics.Out(outbound.TypeName, Transport);
            }
        }
    }

    private async Task CloseAsync(Connection connection, Task sending, SubscriptionEnd end, Guid sessionId)
    {
        if (end == SubscriptionEnd.Overflow)
        {
            return;
        }
        var (status, reason) = end switch
        {
            SubscriptionEnd.Idle => (WebSocketCloseStatus.PolicyViolation, "idle: send ping at least every idle timeout"),
            SubscriptionEnd.SessionDeleted => (WebSocketCloseStatus.NormalClosure, "session deleted"),
            SubscriptionEnd.ShuttingDown => (WebSocketCloseStatus.EndpointUnavailable, "gateway stopping; reconnect with after"),
            _ => (WebSocketCloseStatus.InternalServerError, "history unavailable; reconnect with after"),
        };
        if (sending.Exception?.GetBaseException() is ConversationWorkerException failure)
        {
            Log.ReplayFailed(logger, sessionId, failure.Message);
            try
            {
                await connection.SendAsync(ServerFrames.Error("history_unavailable", "Session history cannot be read right now; reconnect with after."), CancellationToken.None);
            }
            catch (WebSocketException)
            {
                return;
            }
        }
        await connection.CloseAsync(status, reason);
    }

    private async Task ReceiveAsync(Connection connection, Session session, ApiKeyPrincipal caller, Subscription subscription, CancellationToken cancellationToken)
    {
        var maxFrame = options.Value.MaxFrameBytes;
        while (true)
        {
            // A zero-byte read waits for the next frame without holding a buffer, so an idle socket costs none.
            var header = await connection.Socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            if (header.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            // Per frame, so that nothing stays allocated between frames.
            var frame = new ArrayBufferWriter<byte>();
            var (type, tooLarge) = await ReadMessageAsync(connection.Socket, header, frame, maxFrame, cancellationToken);
            if (type == WebSocketMessageType.Close)
            {
                return;
            }
            subscription.Touch();
            ClientFrame parsed = tooLarge ? new InvalidFrame("frame_too_large", $"A frame may be at most {maxFrame} bytes.")
                : type == WebSocketMessageType.Binary ? new InvalidFrame("binary_not_supported", "Frames are JSON text.")
                : ClientFrame.Parse(frame.WrittenMemory, options.Value.MaxMessageBytes);
            await connection.SendAsync(await HandleAsync(parsed, session, caller, cancellationToken), cancellationToken);
        }
    }

    private static async Task<(WebSocketMessageType Type, bool TooLarge)> ReadMessageAsync(
        WebSocket socket, ValueWebSocketReceiveResult first, ArrayBufferWriter<byte> frame, int maxFrame, CancellationToken cancellationToken)
    {
        var result = first;
        var tooLarge = false;
        while (!result.EndOfMessage)
        {
            var chunk = ArrayPool<byte>.Shared.Rent(ReadChunk);
            try
            {
                result = await socket.ReceiveAsync(chunk.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return (WebSocketMessageType.Close, false);
                }
                tooLarge |= frame.WrittenCount + result.Count > maxFrame;
                if (!tooLarge)
                {
                    frame.Write(chunk.AsSpan(0, result.Count));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
        return (first.MessageType, tooLarge);
    }

    private async Task<byte[]> HandleAsync(ClientFrame frame, Session session, ApiKeyPrincipal caller, CancellationToken cancellationToken)
    {
        using var span = frame is SendFrame or CancelFrame ? GatewayDiagnostics.StartFrame(frame is SendFrame ? ClientFrame.SendType : ClientFrame.CancelType) : null;
        switch (frame)
        {
            case PingFrame ping:
                GatewayMetrics.In(ClientFrame.PingType, Transport);
                GatewayMetrics.Out("pong", Transport);
                return ServerFrames.Pong(ping.Id);
            case InvalidFrame invalid:
                GatewayMetrics.In("invalid", Transport);
                return ErrorFrame(invalid.Code, invalid.Message, invalid.ClientMsgId);
            case SendFrame send when !limiter.TryAcquire(caller):
                GatewayMetrics.In(ClientFrame.SendType, Transport);
                return ErrorFrame("rate_limited", "This API key has used up its request rate; retry later.", send.ClientMsgId);
            case CancelFrame when !limiter.TryAcquire(caller):
                GatewayMetrics.In(ClientFrame.CancelType, Transport);
                return ErrorFrame("rate_limited", "This API key has used up its request rate; retry later.", null);
            case SendFrame send:
                GatewayMetrics.In(ClientFrame.SendType, Transport);
                try
                {
                    var sent = await inbox.SendAsync(session, caller, send.Message, send.ClientMsgId, cancellationToken);
                    GatewayMetrics.Out("ack", Transport);
                    return ServerFrames.Ack(ClientFrame.SendType, sent.TurnId, send.ClientMsgId, sent.MessageId, sent.Duplicate);
                }
                catch (Exception e) when (ConversationInbox.IsUnavailable(e))
                {
                    Log.SendFailed(logger, session.Id, e.GetType().Name, e.Message);
                    return ErrorFrame("unavailable", "The message could not be handed on; send it again with the same client_msg_id.", send.ClientMsgId);
                }
                catch (InvalidMessageException e)
                {
                    return ErrorFrame("invalid_message", e.Validation.ToString(), send.ClientMsgId);
                }
            case CancelFrame cancel:
                GatewayMetrics.In(ClientFrame.CancelType, Transport);
                try
                {
                    var turn = await inbox.CancelAsync(session, caller, cancel.TurnId, cancellationToken);
                    GatewayMetrics.Out("ack", Transport);
                    return ServerFrames.Ack(ClientFrame.CancelType, turn, null, null, duplicate: false);
                }
                catch (Exception e) when (ConversationInbox.IsUnavailable(e))
                {
                    Log.SendFailed(logger, session.Id, e.GetType().Name, e.Message);
                    return ErrorFrame("unavailable", "The cancel could not be handed on; send it again.", null);
                }
            default:
                return ErrorFrame("unknown_type", "Unsupported frame.", null);
        }
    }

    private static byte[] ErrorFrame(string code, string message, string? clientMsgId)
    {
        GatewayMetrics.Out("error", Transport);
        return ServerFrames.Error(code, message, clientMsgId);
    }

    /// <summary>The socket and the lock that keeps its sends one at a time (events and replies come from two loops).</summary>
    private sealed class Connection(WebSocket socket) : IDisposable
    {
        private readonly SemaphoreSlim sendLock = new(1, 1);

        public void Dispose() => sendLock.Dispose();

        public WebSocket Socket => socket;

        public async Task SendAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
        {
            await sendLock.WaitAsync(cancellationToken);
            try
            {
                await socket.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
            finally
            {
                sendLock.Release();
            }
        }

        public async Task CloseAsync(WebSocketCloseStatus status, string reason)
        {
            if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
            {
                return;
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await sendLock.WaitAsync(timeout.Token);
            try
            {
                await socket.CloseOutputAsync(status, reason, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                socket.Abort();
            }
            finally
            {
                sendLock.Release();
            }
        }
    }
}
