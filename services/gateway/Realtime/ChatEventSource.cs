using System.Globalization;
using System.Text;
using Mesh.Gateway.Options;
using Mesh.Gateway.Sessions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Realtime;

/// <summary>
/// The same events as the WebSocket, as Server-Sent Events: <c>id:</c> is the seq, <c>data:</c> the event JSON. A client
/// resumes with <c>Last-Event-ID</c> (what EventSource sends on reconnect) or <c>?after=</c>.
/// </summary>
public sealed class ChatEventSource(SessionHub hub, EventStream stream, IOptions<ChatOptions> options, ILogger<ChatEventSource> logger)
{
    private const string Transport = "sse";
    private static readonly byte[] KeepAliveComment = ": keepalive\n\n"u8.ToArray();
    private static readonly byte[] Preamble = "retry: 1000\n\n"u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    public async Task RunAsync(HttpContext http, Session session, long? after)
    {
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var cancellationToken = http.RequestAborted;

        GatewayMetrics.SseStreams.Add(1);
        using var subscription = hub.Subscribe(session.Id, options.Value.SendQueueCapacity, closesWhenIdle: false, onOverflow: http.Abort);
        try
        {
            await response.Body.WriteAsync(Preamble, cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
            await foreach (var outbound in stream.ReadAsync(session, after, subscription, cancellationToken))
            {
                if (outbound.Event is not { } current)
                {
                    await response.Body.WriteAsync(KeepAliveComment, cancellationToken);
                }
                else
                {
                    await response.Body.WriteAsync(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"id: {current.Seq}\ndata: ")), cancellationToken);
                    await response.Body.WriteAsync(outbound.Json, cancellationToken);
                    await response.Body.WriteAsync(EventEnd, cancellationToken);
                    GatewayMetrics.Out(outbound.TypeName, Transport);
                }
                await response.Body.FlushAsync(cancellationToken);
            }
        }
        catch (ConversationWorkerException e)
        {
            Log.ReplayFailed(logger, session.Id, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            GatewayMetrics.SseStreams.Add(-1);
            if (subscription.End == SubscriptionEnd.Overflow)
            {
                GatewayMetrics.SlowClientDisconnects.Add(1, new KeyValuePair<string, object?>("transport", Transport));
            }
        }
    }
}
