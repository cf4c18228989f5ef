using Mesh.Contracts.Conversations;
using Mesh.ConversationWorker.Turns;
using Mesh.Infra.Messaging;

namespace Mesh.ConversationWorker.Handlers;

/// <summary>A user's message or cancel request from <c>conversation.inbound</c>.</summary>
public sealed class InboundMessageHandler(TurnEngine engine) : IMessageHandler<ConversationMessage>
{
    public Task HandleAsync(MessageContext<ConversationMessage> context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.TenantId != context.Message.TenantId)
        {
            throw new PermanentMessageException("The tenant-id header and the message's tenant_id differ.", "TenantMismatch");
        }

        return engine.HandleMessageAsync(context.Message, context.MessageId, cancellationToken);
    }
}
