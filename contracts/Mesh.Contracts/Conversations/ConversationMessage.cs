namespace Mesh.Contracts.Conversations;

/// <summary>
/// Inbound on <c>conversation.inbound</c>, schema <c>mesh.conversation.message/v1</c>: a user's chat
/// message that opens the turn <paramref name="TurnId"/>, or a request to cancel it.
/// </summary>
/// <param name="Kind">Message or cancel.</param>
/// <param name="SessionId">The session, also the Kafka key.</param>
/// <param name="TenantId">Tenant of the authenticated caller.</param>
/// <param name="ActorId">Actor of the authenticated caller, never taken from client content.</param>
/// <param name="TurnId">The turn this message opens or cancels.</param>
/// <param name="CreatedAt">When the gateway accepted the message.</param>
/// <param name="PersonaId">Persona the agent answers as, when chosen.</param>
/// <param name="ClientMsgId">The client's own id for the message, echoed in <c>message.accepted</c>.</param>
/// <param name="Content">The user's text; required for <see cref="ConversationMessageKind.Message"/>, at most 65,536 characters.</param>
/// <param name="Metadata">Delegation origin and labels.</param>
public sealed record ConversationMessage(
    ConversationMessageKind Kind,
    Guid SessionId,
    string TenantId,
    string ActorId,
    Guid TurnId,
    DateTimeOffset CreatedAt,
    string? PersonaId = null,
    string? ClientMsgId = null,
    string? Content = null,
    ConversationMetadata? Metadata = null);
