using Mesh.Contracts.Tools;
using Mesh.ConversationWorker.Turns;
using Mesh.Infra.Messaging;

namespace Mesh.ConversationWorker.Handlers;

/// <summary>A tool result from <c>tool.results</c> (or a timeout the worker's deadline synthesized).</summary>
public sealed class ToolResultHandler(TurnEngine engine) : IMessageHandler<ToolResult>
{
    public Task HandleAsync(MessageContext<ToolResult> context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return engine.HandleToolResultAsync(context.Message, context.MessageId, cancellationToken);
    }
}
