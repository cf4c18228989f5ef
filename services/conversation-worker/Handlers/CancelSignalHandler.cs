using Mesh.Contracts.Conversations;
using Mesh.ConversationWorker.Storage;
using Mesh.ConversationWorker.Turns;
using Mesh.Infra.Messaging;

namespace Mesh.ConversationWorker.Handlers;

/// <summary>
/// Every worker process also reads <c>conversation.inbound</c> in a consumer group of its own, only to stop a
/// model answer streaming here when a cancel request for it arrives: the request's ordered handling waits behind
/// the streaming step on the session's partition. Ordered handling still decides everything else; this reader
/// writes nothing. The group starts at the end of the topic; a request older than <see cref="MaxAge"/> (one
/// held up in the broker) is ignored all the same.
/// </summary>
public sealed class CancelSignalHandler(RunningSteps running, TurnStore turns, SchemaGate schema, TimeProvider time) : IMessageHandler<ConversationMessage>
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    public async Task HandleAsync(MessageContext<ConversationMessage> context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var message = context.Message;
        if (message.Kind != ConversationMessageKind.Cancel
            || time.GetUtcNow() - message.CreatedAt > MaxAge
            || running.Streaming(message.SessionId) is not { } streaming)
        {
            return;
        }

        if (streaming.TurnId == message.TurnId)
        {
            running.Cancel(message.SessionId, streaming.TurnId);
            return;
        }

        if (streaming.StartedAt <= message.CreatedAt && await IsUnknownTurnAsync(message.TurnId, cancellationToken))
        {
            running.Cancel(message.SessionId, streaming.TurnId);
        }
    }

    // This reader never fails a message (that would dead-letter a copy of it): without an answer from the
    // database the stream is not stopped early, and the ordered handling cancels the turn after its step.
    private async Task<bool> IsUnknownTurnAsync(Guid turnId, CancellationToken cancellationToken)
    {
        try
        {
            await schema.WaitAsync(cancellationToken);
            return await turns.FindAsync(turnId, cancellationToken) is null;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            return false;
        }
    }
}
