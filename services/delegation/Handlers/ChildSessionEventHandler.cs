using Mesh.Contracts.Conversations;
using Mesh.Delegation.Execution;
using Mesh.Infra.Messaging;

namespace Mesh.Delegation.Handlers;

/// <summary>
/// Follows <c>conversation.outbound</c> (every partition; the group has one member per delegation instance) for the
/// final events of the child sessions this service started: <c>assistant.final</c>, <c>error</c> and
/// <c>turn.cancelled</c> of the task's turn end the task. Every other event, and every other session, is skipped.
/// </summary>
public sealed class ChildSessionEventHandler(ExecutionCoordinator coordinator, ChildSessions children) : IMessageHandler<ConversationEvent>
{
    public async Task HandleAsync(MessageContext<ConversationEvent> context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var message = context.Message;
        if (message.Type is not (ConversationEventType.AssistantFinal or ConversationEventType.Error or ConversationEventType.TurnCancelled))
        {
            return;
        }

        // Until the unfinished executions are reloaded the session map is incomplete: wait rather than skip.
        await coordinator.Ready.WaitAsync(cancellationToken);
        if (children.TryGet(message.SessionId, out var child) && child.TurnId == message.TurnId)
        {
            await coordinator.OnChildEventAsync(child, message, cancellationToken);
        }
    }
}
