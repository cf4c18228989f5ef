using System.Text;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;
using Mesh.ConversationWorker.Domain;
using Mesh.ConversationWorker.Llm;
using Mesh.ConversationWorker.Options;
using Mesh.ConversationWorker.Storage;
using Microsoft.Extensions.Options;

namespace Mesh.ConversationWorker.Turns;

/// <summary>
/// Runs a turn's model calls until it waits for tools or ends, and ends turns. Each call: check a delegated turn's
/// grant (its tools, token slice and deadline), reserve budget (fail closed), stream the answer as deltas, commit the actual tokens and record usage, then let
/// <see cref="TurnDecisions.AfterModel"/> decide: answer, guard, or the next batch of tool calls.
/// </summary>
public sealed class StepRunner(
    ChatModels models,
    ToolCatalog catalog,
    BudgetClient budgets,
    UsageStore usage,
    ToolDispatcher dispatcher,
    ToolDeadlines deadlines,
    WindowCache window,
    RunningSteps running,
    IOptions<AgentOptions> agentOptions,
    IOptions<LlmOptions> llmOptions,
    TimeProvider time,
    ILogger<StepRunner> logger)
{
    private readonly AgentOptions agent = agentOptions.Value;
    private readonly LlmOptions llm = llmOptions.Value;

    /// <summary>Runs a running turn on; returns it as saved, waiting for tools or over.</summary>
    public Task<Turn> RunAsync(SessionWriter writer, Turn turn, CancellationToken cancellationToken) =>
        RunAsync(writer, turn, null, cancellationToken);

    /// <summary>
    /// Saves <paramref name="running"/> together with <paramref name="events"/>, then runs it on (see
    /// <see cref="RunAsync(SessionWriter, Turn, CancellationToken)"/>). Its first model call is admitted (budget
    /// reserved at policy) while the commit runs; if the commit fails, the reservation is given back.
    /// </summary>
    public async Task<Turn> SaveAndRunAsync(
        SessionWriter writer, IReadOnlyList<ConversationEvent> events, Turn running, bool insert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var admitted = AdmitAsync(running, cancellationToken);
        Turn saved;
        try
        {
            saved = (await writer.CommitAsync(events, running, insert, cancellationToken))!;
        }
        catch
        {
            await ReleaseAsync(admitted);
            throw;
        }

        deadlines.Disarm(saved.TurnId);
        return await RunAsync(writer, saved, admitted, cancellationToken);
    }

    private async Task<Turn> RunAsync(SessionWriter writer, Turn turn, Task<Admission>? admitted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(turn);
        while (turn.Status == TurnStatus.Running)
        {
            turn = await StepAsync(writer, turn, await (admitted ?? AdmitAsync(turn, cancellationToken)), cancellationToken);
            admitted = null;
        }

        return turn;
    }

    // Admits the turn's next model call: the model of its tier, the tools a delegated turn may use, its grant's
    // token slice and deadline, and a budget reservation (fail closed). It writes nothing to the session, so it may
    // run while the turn's state is being saved.
    private async Task<Admission> AdmitAsync(Turn turn, CancellationToken cancellationToken)
    {
        var tier = turn.Tier ?? llm.Routing.DefaultTier;
        var model = models.For(tier);
        var authority = DelegationGrant.FromLabels(turn.Labels);
        var tools = (await catalog.GetAsync(cancellationToken)).Where(t => authority.AllowsTool(t.Name)).ToList();
        var promptEstimate = TokenEstimate.Of(turn.Messages);
        if (authority.RefusesModelCall(turn.InputTokens + turn.OutputTokens, promptEstimate, time.GetUtcNow()) is var (code, message))
        {
            return new Admission(tier, model, tools, promptEstimate, null, code, message);
        }

        var grant = await budgets.ReserveAsync(
            turn.TenantId, turn.PersonaId, promptEstimate + llm.MaxOutputTokens, Cost(tier, promptEstimate, llm.MaxOutputTokens), cancellationToken);
        return new Admission(tier, model, tools, promptEstimate, grant.ReservationId, grant.RefusalCode, grant.RefusalMessage);
    }

    // Gives back an admission that will not be used (its turn was not saved): the reservation holds nothing.
    private async Task ReleaseAsync(Task<Admission> admitted)
    {
        try
        {
            if (await admitted is { ReservationId: { } reservation })
            {
                await budgets.CommitAsync(reservation, 0, 0, CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
            // Nothing was reserved.
        }
    }

    public async Task<Turn> FinishAsync(SessionWriter writer, Turn turn, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(turn);
        var ended = turn with
        {
            Status = TurnStatus.Completed,
            Outcome = "completed",
            FinalText = text,
            EndedAt = time.GetUtcNow(),
            Messages = [.. turn.Messages, new LlmMessage(ChatRoles.Assistant, text)],
        };
        var saved = (await writer.CommitAsync([TurnEvents.Final(turn, text)], ended, insert: false, cancellationToken))!;
        await window.AppendAsync(turn.SessionId, turn.Content, text, cancellationToken);
        ConversationMetrics.TurnEnded(saved);
        return saved;
    }

    public async Task<Turn> FailAsync(SessionWriter writer, Turn turn, string code, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(turn);
        var ended = turn with { Status = TurnStatus.Failed, Outcome = code, EndedAt = time.GetUtcNow(), Deadline = null };
        var saved = (await writer.CommitAsync([TurnEvents.Error(turn, code, message)], ended, insert: false, cancellationToken))!;
        deadlines.Disarm(turn.TurnId);
        ConversationMetrics.TurnEnded(saved);
        Log.TurnFailed(logger, turn.SessionId, turn.TurnId, code);
        return saved;
    }

    /// <summary>Ends a queued or active turn as cancelled; its outstanding calls are reported cancelled and no longer awaited.</summary>
    public async Task<Turn> CancelAsync(SessionWriter writer, Turn turn, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(turn);
        var cancelled = TurnDecisions.Cancel(turn, time.GetUtcNow());
        var events = turn.Calls.Where(c => !c.Resolved)
            .Select(c => TurnEvents.ToolCompleted(turn, c, ToolResultStatus.Cancelled, "cancelled with the turn"))
            .Append(TurnEvents.Cancelled(turn, reason))
            .ToList();
        var saved = (await writer.CommitAsync(events, cancelled, insert: false, cancellationToken))!;
        deadlines.Disarm(turn.TurnId);
        await dispatcher.CancelAsync(turn.Calls.Where(c => !c.Resolved).Select(c => c.RequestId));
        ConversationMetrics.TurnEnded(saved);
        return saved;
    }

    private async Task<Turn> StepAsync(SessionWriter writer, Turn turn, Admission admission, CancellationToken cancellationToken)
    {
        if (admission.ReservationId is not { } reservation)
        {
            return await FailAsync(writer, turn, admission.RefusalCode!, admission.RefusalMessage!, cancellationToken);
        }

        var (tier, model, tools, promptEstimate) = (admission.Tier, admission.Model, admission.Tools, admission.PromptEstimate);
        var streamed = turn.Streamed;
        var answer = new StringBuilder();
        var step = running.Begin(turn.SessionId, turn.TurnId, turn.StartedAt ?? time.GetUtcNow(), cancellationToken);
        ModelResult result;
        try
        {
            result = await model.CompleteAsync(turn.Messages, tools, async (delta, _) =>
            {
                if (!streamed && turn.StartedAt is { } started)
                {
                    ConversationMetrics.FirstDelta(time.GetUtcNow() - started);
                }

                streamed = true;
                answer.Append(delta);
                await writer.EmitAsync(TurnEvents.Deltas(turn, delta), cancellationToken);
            }, step.Token);
        }
        catch (OperationCanceledException) when (step.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await SettleAsync(reservation, model, tier, turn, promptEstimate, TokenEstimate.Of(answer.ToString()), cancellationToken);
            return await CancelAsync(writer, turn with { Streamed = streamed }, "user", cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ModelFailed(logger, turn.SessionId, turn.TurnId, model.Provider, e.GetType().Name, e.Message);
            await SettleAsync(reservation, model, tier, turn, promptEstimate, TokenEstimate.Of(answer.ToString()), cancellationToken);
            return await FailAsync(writer, turn with { Streamed = streamed }, "llm_unavailable",
                $"The language model did not answer ({e.GetType().Name}).", cancellationToken);
        }
        finally
        {
            running.End(turn.SessionId, step);
        }

        await SettleAsync(reservation, model, tier, turn, result.InputTokens, result.OutputTokens, cancellationToken);
        var counted = turn with
        {
            Iteration = turn.Iteration + 1,
            InputTokens = turn.InputTokens + result.InputTokens,
            OutputTokens = turn.OutputTokens + result.OutputTokens,
            Streamed = streamed,
        };
        var deadline = time.GetUtcNow() + agent.ToolResultTimeout;
        switch (TurnDecisions.AfterModel(counted, result.Reply, agent.MaxIterations, deadline, agent.MaxToolOutputCharacters))
        {
            case FinishTurn finish:
                return await FinishAsync(writer, counted, finish.Text, cancellationToken);
            case FailTurn fail:
                return await FailAsync(writer, counted, fail.Code, fail.Message, cancellationToken);
            case CallTools call:
                var events = call.Batch.SelectMany(c => c.Resolved
                    ? new[] { TurnEvents.ToolStarted(counted, c), TurnEvents.ToolCompleted(counted, c, c.Status!.Value, "not sent: " + MeshJson.WireName(c.Status.Value)) }
                    : [TurnEvents.ToolStarted(counted, c)]).ToList();
                var saved = (await writer.CommitAsync(events, call.Turn, insert: false, cancellationToken))!;
                return saved.Status == TurnStatus.WaitingTools ? await dispatcher.DispatchAsync(saved, writer.Cause, cancellationToken) : saved;
            default:
                throw new InvalidOperationException("Unknown step outcome.");
        }
    }

    private async Task SettleAsync(Guid reservation, IChatModel model, string tier, Turn turn, int input, int output, CancellationToken cancellationToken)
    {
        var cost = Cost(tier, input, output);
        await budgets.CommitAsync(reservation, input + output, cost, cancellationToken);
        await usage.RecordAsync(new UsageRecord(turn.SessionId, turn.TenantId, turn.TurnId, model.Provider, model.Model, tier, input, output, cost), cancellationToken);
        ConversationMetrics.ModelTokens(model.Model, input, output);
    }

    private decimal Cost(string tier, int input, int output)
    {
        var (inputPrice, outputPrice) = llm.PricesFor(tier);
        return Math.Round((input * inputPrice + output * outputPrice) / 1000m, 6);
    }
}

/// <summary>
/// A model call admitted or refused: the model of the turn's tier, the tools offered, the prompt's estimated
/// tokens, and the budget reservation, or why there is none (<c>budget_exceeded</c>, <c>budget_unavailable</c>, or
/// a delegated turn's <c>budget_exceeded</c> / <c>deadline_exceeded</c>).
/// </summary>
internal sealed record Admission(
    string Tier, IChatModel Model, IReadOnlyList<ToolDefinition> Tools, int PromptEstimate, Guid? ReservationId, string? RefusalCode, string? RefusalMessage);
