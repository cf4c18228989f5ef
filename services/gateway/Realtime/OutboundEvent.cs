using Mesh.Contracts.Conversations;

namespace Mesh.Gateway.Realtime;

/// <summary>
/// A conversation event on its way to a client, with its contract JSON ready to send; the same bytes go to every
/// local subscriber of the session. <see cref="KeepAlive"/> (no event) asks an SSE stream to write a comment.
/// </summary>
public sealed record OutboundEvent(ConversationEvent? Event, ReadOnlyMemory<byte> Json)
{
    public static readonly OutboundEvent KeepAlive = new(null, ReadOnlyMemory<byte>.Empty);

    /// <summary>The event's wire type (<c>assistant.delta</c>, ...), for metrics.</summary>
    public string TypeName => Event is null ? "keepalive" : EventTypeNames.Of(Event.Type);
}

/// <summary>The wire names of event types.</summary>
public static class EventTypeNames
{
    public static string Of(ConversationEventType type) => type switch
    {
        ConversationEventType.MessageAccepted => "message.accepted",
        ConversationEventType.AssistantStarted => "assistant.started",
        ConversationEventType.AssistantDelta => "assistant.delta",
        ConversationEventType.AssistantFinal => "assistant.final",
        ConversationEventType.ToolStarted => "tool.started",
        ConversationEventType.ToolCompleted => "tool.completed",
        ConversationEventType.Error => "error",
        ConversationEventType.TurnCancelled => "turn.cancelled",
        _ => "unknown",
    };
}
