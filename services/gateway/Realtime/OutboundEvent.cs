using Mesh.Contracts.Conversations;
using Mesh.Contracts.Serialization;

namespace Mesh.Gateway.Realtime;

/// <summary>
/// A conversation event on its way to a client, with its contract JSON ready to send; the same bytes go to every
/// local subscriber of the session. <see cref="KeepAlive"/> (no event) asks an SSE stream to write a comment.
/// </summary>
public sealed record OutboundEvent(ConversationEvent? Event, ReadOnlyMemory<byte> Json)
{
    public static readonly OutboundEvent KeepAlive = new(null, ReadOnlyMemory<byte>.Empty);

    /// <summary>The event's wire type (<c>assistant.delta</c>, ...), for metrics.</summary>
    public string TypeName => Event is null ? "keepalive" : MeshJson.WireName(Event.Type);
}
