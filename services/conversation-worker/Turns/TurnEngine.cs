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
        var session = await turns.LoadAsync(message.SessionId, message.TurnId, (message.TenantId, message.ActorId), cancellationToken);
        if (session.TenantId != message.TenantId)
        {
            throw new PermanentMessageException("The session belongs to another tenant.", "SessionTenantMismatch");
        }

        var writer = writers.Open(message.SessionId, session.LastSeq, messageId);
        var rest = await AdvanceAsync(writer, session.Live, cancellationToken);
        if (message.Kind == ConversationMessageKind.Cancel)
        {
            var named = rest.Moved ? await turns.FindAsync(message.TurnId, cancellationToken) : session.Turn;
            await CancelAsync(writer, message, named, rest.Live, cancellationToken);
            // The cancelled turn may have been the active one: the next queued turn starts now.
            await AdvanceAsync(writer, null, cancellationToken);
        }
        else
        {
            // At rest the session was busy (the message waits) or had nothing queued (it started, and ran, here):
            // nothing else can start now.
            await AcceptAsync(writer, message, session.Turn is not null, rest.Live, cancellationToken);
        }

        await writer.FlushAsync();
    }

    public async Task HandleToolResultAsync(ToolResult result, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["session_id"] = result.SessionId, ["request_id"] = result.RequestId });
        await schema.WaitAsync(cancellationToken);
        using var held = await locks.AcquireAsync(result.SessionId, cancellationToken);
        var session = await turns.LoadAsync(result.SessionId, result.TurnId, null, cancellationToken);
        if (session.TenantId is null)
        {
            Log.ResultIgnored(logger, result.SessionId, result.TurnId, result.RequestId, "unknown session");
            return;
        }

        if (session.TenantId != result.TenantId)
        {
            throw new PermanentMessageException("The tool result names another tenant than its session's.", "SessionTenantMismatch");
        }

        var writer = writers.Open(result.SessionId, session.LastSeq, messageId);
        var rest = await AdvanceAsync(writer, session.Live, cancellationToken);
        var turn = rest.Moved ? await turns.FindAsync(result.TurnId, cancellationToken) : session.Turn;
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
        if (applied.Turn.Status == TurnStatus.Running)
        {
            // The batch is complete: the turn runs on with the results.
            var ran = await steps.SaveAndRunAsync(writer, [completed], applied.Turn, insert: false, cancellationToken);
            if (ran.IsOver && rest.Live.Any(t => t.Status == TurnStatus.Queued))
            {
                await AdvanceAsync(writer, null, cancellationToken);
            }
        }
        else
        {
            await writer.CommitAsync([completed], applied.Turn, insert: false, cancellationToken);
        }

        await writer.FlushAsync();
    }

    /// <summary>
    /// Brings the session to rest (see the class summary), starting from its <paramref name="loaded"/> live turns
    /// when the caller has just read them. Returns its live turns at rest, and whether anything was done on the way
    /// (then turns read before are out of date).
    /// </summary>
    private async Task<(IReadOnlyList<Turn> Live, bool Moved)> AdvanceAsync(SessionWriter writer, IReadOnlyList<Turn>? loaded, CancellationToken cancellationToken)
    {
        var moved = false;
        var live = loaded;
        while (true)
        {
            live ??= await turns.LiveAsync(writer.SessionId, cancellationToken);
            var active = live.FirstOrDefault(t => t.IsActive);
            switch (active)
            {
                case { Status: TurnStatus.Running }:
                    Log.StepResumed(logger, active.SessionId, active.TurnId);
                    await writer.BeginReplayAsync(active, cancellationToken);
                    await steps.RunAsync(writer, active, cancellationToken);
                    writer.EndReplay();
                    (live, moved) = (null, true);
                    continue;
                case { RequestsPublished: false }:
                    await dispatcher.DispatchAsync(active, writer.Cause, cancellationToken);
                    return (live, true);
                case not null:
                    // The session may have come from another worker: its deadline is kept here from now on.
                    deadlines.Arm(active);
                    return (live, moved);
            }

            if (live.FirstOrDefault(t => t.Status == TurnStatus.Queued) is not { } next)
            {
                return (live, moved);
            }

            await StartAsync(writer, next, [], insert: false, cancellationToken);
            (live, moved) = (null, true);
        }
    }

    private async Task AcceptAsync(SessionWriter writer, ConversationMessage message, bool known, IReadOnlyList<Turn> live, CancellationToken cancellationToken)
    {
        var busy = live.Any(t => t.IsActive);
        var decision = TurnDecisions.OnMessage(known, busy, live.Count(t => t.Status == TurnStatus.Queued), agent.MaxQueuedMessages);
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

        if (busy)
        {
            await writer.CommitAsync([TurnEvents.Accepted(turn)], turn, insert: true, cancellationToken);
            return;
        }

        // An idle session (at rest, so nothing is queued either) starts the turn in the same commit that accepts it.
        await StartAsync(writer, turn, [TurnEvents.Accepted(turn)], insert: true, cancellationToken);
    }

    /// <summary>
    /// Starts a queued turn: routes it, builds its prompt from the history window, saves it running together with
    /// <paramref name="before"/> and its <c>assistant.started</c>, and runs it.
    /// </summary>
    private async Task StartAsync(SessionWriter writer, Turn next, IReadOnlyList<ConversationEvent> before, bool insert, CancellationToken cancellationToken)
    {
        var history = await window.GetAsync(next.SessionId, cancellationToken);
        var started = next with
        {
            Status = TurnStatus.Running,
            StartedAt = time.GetUtcNow(),
            Tier = ModelRouter.Route(new RoutingRequest(next.TenantId, next.PersonaId, next.Labels), llmOptions.Value.Routing),
            Messages = [new LlmMessage(ChatRoles.System, agent.SystemPrompt), .. history, new LlmMessage(ChatRoles.User, next.Content)],
        };
        await steps.SaveAndRunAsync(writer, [.. before, TurnEvents.Started(next)], started, insert, cancellationToken);
    }

    private async Task CancelAsync(SessionWriter writer, ConversationMessage message, Turn? named, IReadOnlyList<Turn> live, CancellationToken cancellationToken)
    {
        if (TurnDecisions.CancelTarget(named, live.FirstOrDefault(t => t.IsActive), message.CreatedAt) is not { } target)
        {
            return;
        }

        await steps.CancelAsync(writer, target, message.Metadata?.ExecutionId is null ? "user" : "execution_cancelled", cancellationToken);
    }
}
