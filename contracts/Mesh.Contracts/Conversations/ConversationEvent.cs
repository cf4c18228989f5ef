using Mesh.Contracts.Common;

namespace Mesh.Contracts.Conversations;

/// <summary>
/// Outbound on <c>conversation.outbound</c>, schema <c>mesh.conversation.event/v1</c>: what a chat client
/// sees of a turn. Which optional fields are present depends on <paramref name="Type"/>.
/// </summary>
/// <param name="EventId">Unique id of this event.</param>
/// <param name="SessionId">The session, also the Kafka key.</param>
/// <param name="TenantId">Tenant of the session.</param>
/// <param name="TurnId">The turn the event belongs to.</param>
/// <param name="Seq">Per-session position: 1 for the session's first event, then one more per event.</param>
/// <param name="Type">What happened.</param>
/// <param name="CreatedAt">When it happened.</param>
/// <param name="ActorId"><c>message.accepted</c>: who sent the message.</param>
/// <param name="ClientMsgId"><c>message.accepted</c>: echo of the inbound client message id.</param>
/// <param name="Text"><c>message.accepted</c>: the user's message; <c>assistant.final</c>: the whole answer.</param>
/// <param name="Delta"><c>assistant.delta</c>: the next piece of the answer.</param>
/// <param name="Tool"><c>tool.started</c> and <c>tool.completed</c>: the call.</param>
/// <param name="Error"><c>error</c>: what went wrong.</param>
/// <param name="Usage"><c>assistant.final</c>: tokens used by the turn.</param>
/// <param name="Reason"><c>turn.cancelled</c>: why, as a code.</param>
public sealed record ConversationEvent(
    Guid EventId,
    Guid SessionId,
    string TenantId,
    Guid TurnId,
    long Seq,
    ConversationEventType Type,
    DateTimeOffset CreatedAt,
    string? ActorId = null,
    string? ClientMsgId = null,
    string? Text = null,
    string? Delta = null,
    ToolActivity? Tool = null,
    ErrorDetail? Error = null,
    TokenUsage? Usage = null,
    string? Reason = null);
