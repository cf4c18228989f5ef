using Mesh.Contracts.Messaging;
using Mesh.Contracts.Tools;
using Mesh.Infra.Messaging;
using Mesh.ToolExecutor.Execution;
using Microsoft.Extensions.Logging;

namespace Mesh.ToolExecutor.Handlers;

/// <summary>
/// <c>tool.requests</c> → <c>tool.results</c>: every request gets exactly one recorded result, published keyed by
/// session. The result is recorded before it is published and the offset is stored only after the publish, so a
/// crash anywhere leads to a redelivery that republishes the recorded result (or finishes the run).
/// </summary>
public sealed class ExecuteToolHandler(ToolInvoker invoker, MeshPublisher publisher, ILogger<ExecuteToolHandler> logger) : IMessageHandler<ToolRequest>
{
    public async Task HandleAsync(MessageContext<ToolRequest> context, CancellationToken cancellationToken)
    {
        var request = context.Message;
        using var scope = logger.BeginScope(new KeyValuePair<string, object?>[]
        {
            new("tenant_id", request.TenantId),
            new("session_id", request.SessionId),
            new("request_id", request.RequestId),
        });
        var result = await invoker.InvokeAsync(request, cancellationToken);
        await publisher.PublishAsync(
            MeshTopics.ToolResults,
            request.SessionId.ToString("D"),
            result,
            new PublishContext(request.TenantId, context.CorrelationId, context.MessageId),
            cancellationToken);
    }
}
