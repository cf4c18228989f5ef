using System.Text.Json;
using System.Text.RegularExpressions;
using Mesh.Contracts.Common;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Tools;

namespace Mesh.ConversationWorker.Domain;

/// <summary>What to do with a user's message.</summary>
public enum InboundDecision
{
    /// <summary>The turn exists already (a resend, or a redelivery): nothing more to do.</summary>
    Duplicate,

    /// <summary>Queue it; it starts when the session has no running turn (at once when idle).</summary>
    Queue,

    /// <summary>Too many messages wait behind the running turn: refuse it with <c>queue_full</c>.</summary>
    Refuse,
}

/// <summary>Where a model call leaves the turn.</summary>
public abstract record StepOutcome;

/// <summary>The model answered: the turn ends with this text.</summary>
public sealed record FinishTurn(string Text) : StepOutcome;

/// <summary>A guard stopped the turn.</summary>
public sealed record FailTurn(string Code, string Message) : StepOutcome;

/// <summary>
/// The model asked for tools: <paramref name="Turn"/> holds the batch (waiting, or running again when every call
/// was answered on the spot), <paramref name="Batch"/> the calls as made, for the events.
/// </summary>
public sealed record CallTools(Turn Turn, IReadOnlyList<PendingCall> Batch) : StepOutcome;

/// <summary>A tool result taken into the turn, and the call it answered.</summary>
public sealed record AppliedResult(Turn Turn, PendingCall Call);

/// <summary>
/// The turn state machine as pure functions: queueing, cancelling, what follows a model reply (with the loop
/// guards) and a tool result. The handlers do the I/O around them.
/// </summary>
public static partial class TurnDecisions
{
    /// <summary>
    /// A message is queued behind the session's active turn (first in, first out); with an idle session it starts
    /// at once. Beyond <paramref name="maxQueued"/> waiting messages it is refused.
    /// </summary>
    public static InboundDecision OnMessage(bool turnKnown, bool sessionBusy, int queued, int maxQueued) =>
        turnKnown ? InboundDecision.Duplicate
        : sessionBusy && queued >= maxQueued ? InboundDecision.Refuse
        : InboundDecision.Queue;

    /// <summary>
    /// The turn a cancel request stops: the named turn while it is queued or active; a turn already over stays
    /// over. A turn id the worker never saw means "the turn running when the request was sent": the active turn,
    /// unless it started after <paramref name="sentAt"/> (the one meant has ended meanwhile and a queued one began).
    /// </summary>
    public static Turn? CancelTarget(Turn? named, Turn? active, DateTimeOffset sentAt) =>
        named is not null ? (named.IsOver ? null : named)
        : active is { StartedAt: { } started } && started <= sentAt ? active
        : null;

    /// <summary>The turn, cancelled: outstanding calls count as cancelled and are no longer waited for.</summary>
    public static Turn Cancel(Turn turn, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(turn);
        return turn with
        {
            Status = TurnStatus.Cancelled,
            Outcome = "cancelled",
            EndedAt = at,
            Deadline = null,
            Calls = [.. turn.Calls.Select(c => c.Resolved ? c : c with { Status = ToolResultStatus.Cancelled })],
        };
    }

    /// <summary>
    /// After a model call (<paramref name="turn"/> already counts it): an answer ends the turn; tool calls become
    /// the next batch unless a guard stops the turn, too many model calls or a call made before.
    /// </summary>
    public static StepOutcome AfterModel(Turn turn, ModelReply reply, int maxIterations, DateTimeOffset deadline, int maxToolOutputCharacters)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.ToolCalls.Count == 0)
        {
            return new FinishTurn(reply.Text);
        }

        if (TurnGuards.IterationsExhausted(turn.Iteration, maxIterations))
        {
            return new FailTurn("max_iterations", $"The turn stopped after {maxIterations} model calls without a final answer.");
        }

        if (TurnGuards.FindRepeated(turn.CallSignatures, reply.ToolCalls) is { } repeated)
        {
            return new FailTurn("repeated_tool_call", $"The model asked for the same {ToolName(repeated.Name)} call twice; the turn stopped to avoid a loop.");
        }

        var grant = DelegationGrant.FromLabels(turn.Labels);
        var batch = reply.ToolCalls.Select((call, i) => Plan(turn, grant, call, turn.NextCallIndex + i, maxToolOutputCharacters)).ToList();
        var planned = turn with
        {
            Messages = [.. turn.Messages, new LlmMessage(ChatRoles.Assistant, reply.Text, reply.ToolCalls)],
            Calls = batch,
            NextCallIndex = turn.NextCallIndex + batch.Count,
            CallSignatures = [.. turn.CallSignatures, .. reply.ToolCalls.Select(c => TurnGuards.Signature(c.Name, c.Arguments))],
            Status = TurnStatus.WaitingTools,
            RequestsPublished = false,
            Deadline = deadline,
        };
        return new CallTools(Settle(planned), batch);
    }

    /// <summary>Takes a tool result into the turn; null when the turn is not waiting for it (late, or a repeat).</summary>
    public static AppliedResult? ApplyResult(
        Turn turn, Guid requestId, ToolResultStatus status, JsonElement? output, ErrorDetail? error, bool truncated, int maxToolOutputCharacters)
    {
        ArgumentNullException.ThrowIfNull(turn);
        if (turn.Status != TurnStatus.WaitingTools || turn.Calls.FirstOrDefault(c => c.RequestId == requestId && !c.Resolved) is not { } call)
        {
            return null;
        }

        var answered = call with { Status = status, ModelContent = ToolOutcome.ForModel(status, output, error, truncated, maxToolOutputCharacters) };
        var updated = turn with { Calls = [.. turn.Calls.Select(c => c.RequestId == requestId ? answered : c)] };
        return new AppliedResult(Settle(updated), answered);
    }

    /// <summary>Whether a name can travel as a mesh tool name (the contracts' pattern).</summary>
    public static bool IsToolName(string name) => name.Length <= 128 && ToolNamePattern().IsMatch(name);

    /// <summary>A name as events may carry it: unusable characters replaced.</summary>
    public static string ToolName(string name)
    {
        var cleaned = UnusableInToolName().Replace(name, "_");
        cleaned = cleaned.Length == 0 || !char.IsAsciiLetterOrDigit(cleaned[0]) ? "x" + cleaned : cleaned;
        return cleaned.Length <= 128 ? cleaned : cleaned[..128];
    }

    // A call that cannot be sent (unusable name, a tool the delegated turn may not use, arguments that are not a
    // JSON object) is answered on the spot.
    private static PendingCall Plan(Turn turn, DelegationGrant grant, LlmToolCall call, int index, int maxToolOutputCharacters)
    {
        var pending = new PendingCall(index, RequestIds.ForToolCall(turn.SessionId, turn.TurnId, index), call.Id, ToolName(call.Name), call.Arguments);
        var problem = !IsToolName(call.Name) ? (ToolResultStatus.UnknownTool, new ErrorDetail("unknown_tool", $"No tool is named '{ToolName(call.Name)}'."))
            : !grant.AllowsTool(call.Name) ? (ToolResultStatus.Denied, new ErrorDetail("tool_not_allowed", $"This delegated task may not call '{call.Name}'."))
            : !IsJsonObject(call.Arguments) ? (ToolResultStatus.InvalidArguments, new ErrorDetail("invalid_arguments", "The arguments are not a JSON object."))
            : ((ToolResultStatus, ErrorDetail)?)null;
        return problem is var (status, error)
            ? pending with { Status = status, ModelContent = ToolOutcome.ForModel(status, null, error, false, maxToolOutputCharacters) }
            : pending;
    }

    // Once every call of the batch is answered the results join the message list, in call order, and the turn runs on.
    private static Turn Settle(Turn turn) =>
        turn.Calls.Count == 0 || turn.Calls.Any(c => !c.Resolved)
            ? turn
            : turn with
            {
                Messages = [.. turn.Messages, .. turn.Calls.OrderBy(c => c.CallIndex).Select(c => new LlmMessage(ChatRoles.Tool, c.ModelContent, ToolCallId: c.ToolCallId))],
                Calls = [],
                Deadline = null,
                Status = TurnStatus.Running,
            };

    private static bool IsJsonObject(string arguments)
    {
        try
        {
            using var document = JsonDocument.Parse(arguments);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")]
    private static partial Regex ToolNamePattern();

    [GeneratedRegex("[^A-Za-z0-9_.:/-]")]
    private static partial Regex UnusableInToolName();
}
