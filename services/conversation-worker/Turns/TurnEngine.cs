using Mesh.Contracts.Conversations;
using Mesh.Contracts.Tools;
using Mesh.ConversationWorker.Domain;
using Mesh.ConversationWorker.Options;
using Mesh.ConversationWorker.Storage;
using Mesh.Infra.Messaging;
using Microsoft.Extensions.Options;

namespace Mesh.ConversationWorker.Turns;

/// <summary>
/// The agent loop's entry points, one per message kind, each under the session's lock and with the session's
/// writer. Every handler first brings the session to a rest state (<see cref="AdvanceAsync"/>): a step a crash
/// interrupted runs again, a batch saved but not sent is sent, a queued turn starts when none is active. So a
/// turn resumes on whichever worker owns the session next, driven only by the messages it receives.
/// <para>
/// Queueing: a message that arrives while a turn runs is accepted at once (<c>message.accepted</c>) and waits;
/// waiting messages start one after another in arrival order when the running turn ends, however it ends.
/// Beyond <see cref="AgentOptions.MaxQueuedMessages"/> waiting messages a new one is refused with <c>queue_full</c>.
/// </para>
/// </summary>
public sealed class TurnEngine(
    TurnStore turns,
    SessionWriters writers,
    SessionLocks locks,
    SchemaGate schema,
    StepRunner steps,
    ToolDispatcher dispatcher,
    ToolDeadlines deadlines,
    WindowCache window,
    IOptions<AgentOptions> agentOptions,
    IOptions<LlmOptions> llmOptions,
    TimeProvider time,
    ILogger<TurnEngine> logger)
{
    private readonly AgentOptions agent = agentOptions.Value;

    public async Task HandleMessageAsync(ConversationMessage message, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["session_id"] = message.SessionId });
        await schema.WaitAsync(cancellationToken);
        using var held = await locks.AcquireAsync(message.SessionId, cancellationToken);
        var tenant = await turns.EnsureSessionAsync(message.SessionId, message.TenantId, message.ActorId, cancellationToken);
        if (tenant != message.TenantId)
        {
            throw new PermanentMessageException("The session belongs to another tenant.", "SessionTenantMismatch");
        }

        var writer = await writers.OpenAsync(message.SessionId, messageId, cancellationToken);
        await AdvanceAsync(writer, cancellationToken);
        if (message.Kind == ConversationMessageKind.Cancel)
        {
            await CancelAsync(writer, message, cancellationToken);
        }
        else
        {
            await AcceptAsync(writer, message, cancellationToken);
        }

        await AdvanceAsync(writer, cancellationToken);
        await writer.FlushAsync();
    }

    public async Task HandleToolResultAsync(ToolResult result, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["session_id"] = result.SessionId, ["request_id"] = result.RequestId });
        await schema.WaitAsync(cancellationToken);
        using var held = await locks.AcquireAsync(result.SessionId, cancellationToken);
        var tenant = await turns.SessionTenantAsync(result.SessionId, cancellationToken);
        if (tenant is null)
        {
            Log.ResultIgnored(logger, result.SessionId, result.TurnId, result.RequestId, "unknown session");
            return;
        }

        if (tenant != result.TenantId)
        {
            throw new PermanentMessageException("The tool result names another tenant than its session's.", "SessionTenantMismatch");
        }

        var writer = await writers.OpenAsync(result.SessionId, messageId, cancellationToken);
        await AdvanceAsync(writer, cancellationToken);
        var turn = await turns.FindAsync(result.TurnId, cancellationToken);
        var applied = turn is null
            ? null
            : TurnDecisions.ApplyResult(turn, result.RequestId, result.Status, result.Output, result.Error, result.Truncated, agent.MaxToolOutputCharacters);
        if (applied is null)
        {
            Log.ResultIgnored(logger, result.SessionId, result.TurnId, result.RequestId, "not awaited");
            await writer.FlushAsync();
            return;
        }

        var completed = TurnEvents.ToolCompleted(turn!, applied.Call, result.Status, ToolOutcome.Summary(result.Status, result.Output, result.Error), result.FromCache, result.DurationMs);
        var saved = (await writer.CommitAsync([completed], applied.Turn, insert: false, cancellationToken))!;
        if (saved.Status == TurnStatus.Running)
        {
            deadlines.Disarm(saved.TurnId);
            await steps.RunAsync(writer, saved, cancellationToken);
        }

        await AdvanceAsync(writer, cancellationToken);
        await writer.FlushAsync();
    }

    private async Task AdvanceAsync(SessionWriter writer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var live = await turns.LiveAsync(writer.SessionId, cancellationToken);
            var active = live.FirstOrDefault(t => t.IsActive);
            switch (active)
            {
                case { Status: TurnStatus.Running }:
                    Log.StepResumed(logger, active.SessionId, active.TurnId);
                    await writer.BeginReplayAsync(active, cancellationToken);
                    await steps.RunAsync(writer, active, cancellationToken);
                    writer.EndReplay();
                    continue;
                case { RequestsPublished: false }:
                    await dispatcher.DispatchAsync(active, writer.Cause, cancellationToken);
                    return;
                case not null:
                    // The session may have come from another worker: its deadline is kept here from now on.
                    deadlines.Arm(active);
                    return;
            }

            if (live.FirstOrDefault(t => t.Status == TurnStatus.Queued) is not { } next)
            {
                return;
            }

            await StartAsync(writer, next, cancellationToken);
        }
    }

    private async Task AcceptAsync(SessionWriter writer, ConversationMessage message, CancellationToken cancellationToken)
    {
        var known = await turns.FindAsync(message.TurnId, cancellationToken) is not null;
        var live = await turns.LiveAsync(message.SessionId, cancellationToken);
        var decision = TurnDecisions.OnMessage(known, live.Any(t => t.IsActive), live.Count(t => t.Status == TurnStatus.Queued), agent.MaxQueuedMessages);
        if (decision == InboundDecision.Duplicate)
        {
            return;
        }

        var turn = new Turn
        {
            TurnId = message.TurnId,
            SessionId = message.SessionId,
            TenantId = message.TenantId,
            ActorId = message.ActorId,
            PersonaId = message.PersonaId,
            ClientMsgId = message.ClientMsgId,
            Content = message.Content ?? "",
            Labels = message.Metadata?.Labels,
            Status = TurnStatus.Queued,
            AcceptedSeq = writer.LastSeq + 1,
            AcceptedAt = time.GetUtcNow(),
        };
        if (decision == InboundDecision.Refuse)
        {
            var refused = turn with { Status = TurnStatus.Failed, Outcome = "queue_full", EndedAt = time.GetUtcNow() };
            var error = TurnEvents.Error(turn, "queue_full", $"{agent.MaxQueuedMessages} messages are already waiting; send this one again later.");
            await writer.CommitAsync([TurnEvents.Accepted(turn), error], refused, insert: true, cancellationToken);
            ConversationMetrics.TurnEnded(refused);
            return;
        }

        await writer.CommitAsync([TurnEvents.Accepted(turn)], turn, insert: true, cancellationToken);
    }

    private async Task StartAsync(SessionWriter writer, Turn next, CancellationToken cancellationToken)
    {
        var history = await window.GetAsync(next.SessionId, cancellationToken);
        var started = next with
        {
            Status = TurnStatus.Running,
            StartedAt = time.GetUtcNow(),
            Tier = ModelRouter.Route(new RoutingRequest(next.TenantId, next.PersonaId, next.Labels), llmOptions.Value.Routing),
            Messages = [new LlmMessage(ChatRoles.System, agent.SystemPrompt), .. history, new LlmMessage(ChatRoles.User, next.Content)],
        };
        var saved = (await writer.CommitAsync([TurnEvents.Started(next)], started, insert: false, cancellationToken))!;
        await steps.RunAsync(writer, saved, cancellationToken);
    }

    private async Task CancelAsync(SessionWriter writer, ConversationMessage message, CancellationToken cancellationToken)
    {
        var named = await turns.FindAsync(message.TurnId, cancellationToken);
        var active = (await turns.LiveAsync(message.SessionId, cancellationToken)).FirstOrDefault(t => t.IsActive);
        if (TurnDecisions.CancelTarget(named, active, message.CreatedAt) is not { } target)
        {
            return;
        }

        await steps.CancelAsync(writer, target, message.Metadata?.ExecutionId is null ? "user" : "execution_cancelled", cancellationToken);
    }
}
