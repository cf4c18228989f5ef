using Mesh.Contracts.Conversations;
using Mesh.Contracts.Messaging;
using Mesh.Gateway.Options;
using Mesh.Infra.Auth;
using Mesh.Infra.Messaging;
using Mesh.Infra.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Gateway.Sessions;

/// <summary>What became of a chat message handed to the conversation worker.</summary>
/// <param name="TurnId">The turn it opens (the same for a resend).</param>
/// <param name="MessageId">The <c>message-id</c> of the published message; null for a resend whose first send is still in flight.</param>
/// <param name="Duplicate">True when the message was a resend and was not published again.</param>
public sealed record SendOutcome(Guid TurnId, Guid? MessageId, bool Duplicate);

/// <summary>
/// Turns chat messages and cancels into conversation messages on <c>conversation.inbound</c> (key: session id),
/// with the caller's tenant and actor, never the client's. A message with a <c>client_msg_id</c> is sent once per
/// resend window: the turn id is derived from it and a Redis <c>SET NX</c> claims it before publishing.
/// </summary>
public sealed class ConversationInbox(MeshPublisher publisher, RedisConnection redis, IOptions<ChatOptions> options, TimeProvider time, ILogger<ConversationInbox> logger)
{
    private const string Pending = "pending";

    public async Task<SendOutcome> SendAsync(Session session, ApiKeyPrincipal caller, string content, string? clientMsgId, CancellationToken cancellationToken)
    {
        var turnId = TurnIds.For(session.Id, clientMsgId);
        var claim = clientMsgId is null ? null : (RedisKey?)$"gateway:sent:{session.Id:D}:{clientMsgId}";
        if (claim is { } key && !await redis.Database.StringSetAsync(key, Pending, options.Value.ResendWindow, When.NotExists))
        {
            var recorded = await redis.Database.StringGetAsync(key);
            return new SendOutcome(turnId, Guid.TryParse(recorded.ToString(), out var first) ? first : null, Duplicate: true);
        }

        var message = new ConversationMessage(
            ConversationMessageKind.Message, session.Id, caller.TenantId, caller.Actor, turnId, time.GetUtcNow(),
            session.PersonaId, clientMsgId, content, Labels(session));
        try
        {
            var published = await PublishAsync(session, message, cancellationToken);
            if (claim is { } sent)
            {
                await redis.Database.StringSetAsync(sent, published.MessageId.ToString("D"), options.Value.ResendWindow, When.Exists);
            }
            return new SendOutcome(turnId, published.MessageId, Duplicate: false);
        }
        catch when (claim is { } failed)
        {
            // Not sent: release the claim so that the client's retry goes through.
            await redis.Database.KeyDeleteAsync(failed);
            throw;
        }
    }

    /// <summary>Asks the worker to cancel <paramref name="turnId"/>, or the session's running turn when null; returns the turn id sent.</summary>
    public async Task<Guid> CancelAsync(Session session, ApiKeyPrincipal caller, Guid? turnId, CancellationToken cancellationToken)
    {
        var target = turnId ?? TurnIds.RunningTurn;
        var message = new ConversationMessage(
            ConversationMessageKind.Cancel, session.Id, caller.TenantId, caller.Actor, target, time.GetUtcNow(), session.PersonaId);
        await PublishAsync(session, message, cancellationToken);
        return target;
    }

    /// <summary>Whether a failure to send is transient (Kafka or Redis unreachable): the client may send again.</summary>
    public static bool IsUnavailable(Exception exception) =>
        exception is Confluent.Kafka.KafkaException or RedisException or TimeoutException;

    private async Task<PublishedMessage> PublishAsync(Session session, ConversationMessage message, CancellationToken cancellationToken)
    {
        var published = await publisher.PublishAsync(
            MeshTopics.ConversationInbound, session.Id.ToString("D"), message,
            new PublishContext(message.TenantId, message.TurnId.ToString("D")), cancellationToken);
        using (logger.BeginScope(new Dictionary<string, object?> { ["session_id"] = session.Id, ["turn_id"] = message.TurnId, ["tenant_id"] = message.TenantId }))
        {
            Log.MessageSent(logger, session.Id, message.Kind == ConversationMessageKind.Cancel ? "cancel" : "message", message.TurnId, published.MessageId);
        }
        return published;
    }

    private static ConversationMetadata? Labels(Session session) =>
        session.Metadata.Count == 0 ? null : new ConversationMetadata(Labels: session.Metadata);
}
