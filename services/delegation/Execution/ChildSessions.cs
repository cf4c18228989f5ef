using System.Collections.Concurrent;
using System.Globalization;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Messaging;
using Mesh.Delegation.Domain;
using Mesh.Delegation.Storage;
using Mesh.Infra.Messaging;
using Microsoft.Extensions.Logging;

namespace Mesh.Delegation.Execution;

/// <summary>A child session this service owns: the task it runs and the turn it waits for.</summary>
public sealed record ChildRef(Guid ExecutionId, Guid TaskId, Guid TurnId);

/// <summary>
/// The child sessions of running tasks: which session belongs to which task, and the messages that start and
/// cancel their turns on <c>conversation.inbound</c>. Labels carry the narrowed authority to the worker, which
/// enforces it (<see cref="DelegationGrant"/>).
/// </summary>
public sealed class ChildSessions(MeshPublisher publisher, TimeProvider time, ILogger<ChildSessions> logger)
{
    /// <summary>Longest content of a child message (the inbound schema's limit).</summary>
    public const int MaxContentLength = 65536;

    private const int MaxLabelLength = 256;

    private readonly ConcurrentDictionary<Guid, ChildRef> sessions = new();

    public int Count => sessions.Count;

    public void Track(Guid sessionId, ChildRef child) => sessions[sessionId] = child;

    public bool TryGet(Guid sessionId, out ChildRef child) => sessions.TryGetValue(sessionId, out child!);

    public bool Forget(Guid sessionId) => sessions.TryRemove(sessionId, out _);

    /// <summary>Opens the task's turn in its child session.</summary>
    public async Task StartAsync(ExecutionRecord execution, TaskRecord task, string content, string? personaId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(task);
        var sessionId = task.SessionId ?? throw new InvalidOperationException("The task has no child session.");
        var turnId = task.TurnId ?? throw new InvalidOperationException("The task has no turn.");
        var message = new ConversationMessage(
            ConversationMessageKind.Message, sessionId, execution.TenantId, execution.ActorId, turnId, time.GetUtcNow(),
            PersonaId: personaId,
            Content: content,
            Metadata: new ConversationMetadata(execution.Id, task.Id, task.ParentTaskId ?? execution.ParentTaskId, task.Depth, Labels(execution)));
        await publisher.PublishAsync(
            MeshTopics.ConversationInbound, sessionId.ToString("D"), message, new PublishContext(execution.TenantId, turnId.ToString("D")), cancellationToken);
    }

    /// <summary>Asks the worker to stop the task's turn; the worker ends it with <c>turn.cancelled</c>.</summary>
    public async Task CancelAsync(ExecutionRecord execution, TaskRecord task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(task);
        if (task.SessionId is not { } sessionId || task.TurnId is not { } turnId)
        {
            return;
        }

        Forget(sessionId);
        var message = new ConversationMessage(
            ConversationMessageKind.Cancel, sessionId, execution.TenantId, execution.ActorId, turnId, time.GetUtcNow(),
            Metadata: new ConversationMetadata(execution.Id, task.Id, task.ParentTaskId ?? execution.ParentTaskId, task.Depth));
        await publisher.PublishAsync(
            MeshTopics.ConversationInbound, sessionId.ToString("D"), message, new PublishContext(execution.TenantId, turnId.ToString("D")), cancellationToken);
        Log.CancelSent(logger, sessionId, turnId);
    }

    private static Dictionary<string, string> Labels(ExecutionRecord execution)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [DelegationGrant.MaxDepthLabel] = execution.MaxDepth.ToString(CultureInfo.InvariantCulture),
            [DelegationGrant.ProfileLabel] = Clip(execution.ConfigProfile),
        };
        if (execution.AllowedTools is { } tools)
        {
            labels[DelegationGrant.AllowedToolsLabel] = string.Join(',', tools);
        }

        if (execution.TokensRemaining is { } tokens)
        {
            labels[DelegationGrant.TokenBudgetLabel] = tokens.ToString(CultureInfo.InvariantCulture);
        }

        if (execution.Deadline is { } deadline)
        {
            labels[DelegationGrant.DeadlineLabel] = deadline.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        return labels;
    }

    private static string Clip(string value) => value.Length <= MaxLabelLength ? value : value[..MaxLabelLength];
}
