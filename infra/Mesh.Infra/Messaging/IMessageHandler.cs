namespace Mesh.Infra.Messaging;

/// <summary>
/// Handles one message type from one topic. The consumer host creates the handler in a fresh DI scope per
/// attempt and stores the message's offset only after <see cref="HandleAsync"/> completed (or the message was
/// dead-lettered), so a handler must tolerate seeing a message again (at-least-once).
/// </summary>
/// <typeparam name="T">The message record.</typeparam>
public interface IMessageHandler<T>
{
    /// <summary>Handles one valid message. Throw <see cref="PermanentMessageException"/> when retrying cannot help.</summary>
    /// <param name="context">The message and its metadata.</param>
    /// <param name="cancellationToken">Cancelled only when the service's shutdown grace period is over.</param>
    /// <returns>A task that completes when the message is finished.</returns>
    Task HandleAsync(MessageContext<T> context, CancellationToken cancellationToken);
}
