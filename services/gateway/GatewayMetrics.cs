using System.Diagnostics.Metrics;

namespace Mesh.Gateway;

/// <summary>The gateway's instruments (meter <c>Mesh.Gateway</c>), exported on <c>/metrics</c> by the service defaults.</summary>
public static class GatewayMetrics
{
    public const string MeterName = "Mesh.Gateway";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Open WebSocket connections.</summary>
    public static readonly UpDownCounter<long> WebSocketConnections =
        Meter.CreateUpDownCounter<long>("mesh.gateway.websocket.connections", "{connection}", "Open chat WebSocket connections.");

    /// <summary>Open SSE streams.</summary>
    public static readonly UpDownCounter<long> SseStreams =
        Meter.CreateUpDownCounter<long>("mesh.gateway.sse.streams", "{stream}", "Open chat SSE streams.");

    /// <summary>Client messages in, tagged <c>type</c> (<c>chat.send</c>, <c>chat.cancel</c>, <c>ping</c>, <c>invalid</c>) and <c>transport</c>.</summary>
    public static readonly Counter<long> MessagesIn =
        Meter.CreateCounter<long>("mesh.gateway.messages.in", "{message}", "Messages received from chat clients, by type and transport.");

    /// <summary>Frames sent to clients, tagged <c>type</c> (the event type, or <c>pong</c>, <c>ack</c>, <c>error</c>) and <c>transport</c>.</summary>
    public static readonly Counter<long> MessagesOut =
        Meter.CreateCounter<long>("mesh.gateway.messages.out", "{message}", "Frames sent to chat clients, by type and transport.");

    /// <summary>Connections closed because the client fell behind, tagged <c>transport</c>.</summary>
    public static readonly Counter<long> SlowClientDisconnects =
        Meter.CreateCounter<long>("mesh.gateway.slow_client.disconnects", "{connection}", "Connections dropped because the client did not keep up.");

    /// <summary>Events read from <c>conversation.outbound</c> by this instance, whether or not a local client wanted them.</summary>
    public static readonly Counter<long> EventsRouted =
        Meter.CreateCounter<long>("mesh.gateway.events.routed", "{event}", "Conversation events this instance read for its local clients.");

    public static void In(string type, string transport) =>
        MessagesIn.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("transport", transport));

    public static void Out(string type, string transport) =>
        MessagesOut.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("transport", transport));
}
