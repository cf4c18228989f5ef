using System.Text.Json.Serialization;

namespace Mesh.Contracts.Conversations;

/// <summary>The kinds of outbound conversation events, with their exact wire names.</summary>
public enum ConversationEventType
{
    /// <summary><c>message.accepted</c>: the worker took the user's message; carries it as text.</summary>
    [JsonStringEnumMemberName("message.accepted")]
    MessageAccepted,

    /// <summary><c>assistant.started</c>: the assistant began answering.</summary>
    [JsonStringEnumMemberName("assistant.started")]
    AssistantStarted,

    /// <summary><c>assistant.delta</c>: the next streamed piece of the answer.</summary>
    [JsonStringEnumMemberName("assistant.delta")]
    AssistantDelta,

    /// <summary><c>assistant.final</c>: the whole answer; the turn is over.</summary>
    [JsonStringEnumMemberName("assistant.final")]
    AssistantFinal,

    /// <summary><c>tool.started</c>: a tool call was sent.</summary>
    [JsonStringEnumMemberName("tool.started")]
    ToolStarted,

    /// <summary><c>tool.completed</c>: a tool call ended, with its status.</summary>
    [JsonStringEnumMemberName("tool.completed")]
    ToolCompleted,

    /// <summary><c>error</c>: the turn failed.</summary>
    [JsonStringEnumMemberName("error")]
    Error,

    /// <summary><c>turn.cancelled</c>: the turn was cancelled.</summary>
    [JsonStringEnumMemberName("turn.cancelled")]
    TurnCancelled,
}
