using System.Text.Json.Serialization;

namespace Mesh.Contracts.Conversations;

/// <summary>What an inbound conversation message asks for.</summary>
public enum ConversationMessageKind
{
    /// <summary>A user's chat message that opens a turn.</summary>
    [JsonStringEnumMemberName("message")]
    Message,

    /// <summary>A request to stop a running turn.</summary>
    [JsonStringEnumMemberName("cancel")]
    Cancel,
}
