using Mesh.Contracts.Tools;

namespace Mesh.ConversationWorker.Domain;

/// <summary>Where a turn stands.</summary>
public enum TurnStatus
{
    /// <summary>Waiting behind the session's running turn.</summary>
    Queued,

    /// <summary>A model step is in progress (seen by another handler only after a crash: the step is run again).</summary>
    Running,

    /// <summary>Tool calls are out; the turn advances when their results (or their deadline) arrive.</summary>
    WaitingTools,

    /// <summary>Answered.</summary>
    Completed,

    /// <summary>Ended by an <c>error</c> event.</summary>
    Failed,

    /// <summary>Ended by a cancel request.</summary>
    Cancelled,
}

/// <summary>One tool call of a turn's current batch, and its outcome once known.</summary>
/// <param name="CallIndex">Position of the call within the turn, from 0.</param>
/// <param name="RequestId"><see cref="RequestIds.ForToolCall"/> of session, turn and index.</param>
/// <param name="ToolCallId">The model's id for the call.</param>
/// <param name="Tool">The tool name.</param>
/// <param name="Arguments">The arguments as JSON text.</param>
/// <param name="Status">How it ended; null while outstanding.</param>
/// <param name="ModelContent">The result as the model sees it (<see cref="ToolOutcome.ForModel"/>).</param>
public sealed record PendingCall(
    int CallIndex, Guid RequestId, string ToolCallId, string Tool, string Arguments, ToolResultStatus? Status = null, string? ModelContent = null)
{
    public bool Resolved => Status is not null;
}

/// <summary>
/// A turn's whole state, persisted after every step so that any worker can resume it: the message that opened
/// it, where it stands, the model's message list so far and the outstanding tool calls.
/// </summary>
public sealed record Turn
{
    public required Guid TurnId { get; init; }

    public required Guid SessionId { get; init; }

    public required string TenantId { get; init; }

    public required string ActorId { get; init; }

    public string? PersonaId { get; init; }

    public string? ClientMsgId { get; init; }

    /// <summary>The user's message.</summary>
    public required string Content { get; init; }

    /// <summary>The session's metadata labels as the message carried them (sensitivity among them).</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    public required TurnStatus Status { get; init; }

    /// <summary>The seq of the turn's <c>message.accepted</c>: queued turns start in this order.</summary>
    public required long AcceptedSeq { get; init; }

    public required DateTimeOffset AcceptedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The model tier chosen when the turn started.</summary>
    public string? Tier { get; init; }

    /// <summary>Model calls made so far.</summary>
    public int Iteration { get; init; }

    /// <summary>The index the next tool call gets.</summary>
    public int NextCallIndex { get; init; }

    /// <summary>The model's message list so far: system prompt, window, the user's message, tool calls and results.</summary>
    public IReadOnlyList<LlmMessage> Messages { get; init; } = [];

    /// <summary>The current batch of tool calls.</summary>
    public IReadOnlyList<PendingCall> Calls { get; init; } = [];

    /// <summary>Every call of the turn as <see cref="TurnGuards.Signature"/>, to catch a model repeating itself.</summary>
    public IReadOnlyList<string> CallSignatures { get; init; } = [];

    /// <summary>Whether the current batch's requests are on <c>tool.requests</c>.</summary>
    public bool RequestsPublished { get; init; }

    /// <summary>When the outstanding calls count as timed out.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>The session's last seq when this state was saved; later events of the turn are an interrupted step's.</summary>
    public long StepSeq { get; init; }

    public int InputTokens { get; init; }

    public int OutputTokens { get; init; }

    /// <summary>Whether an <c>assistant.delta</c> was sent (time to first delta is measured once).</summary>
    public bool Streamed { get; init; }

    public string? FinalText { get; init; }

    /// <summary>How the turn ended: completed, cancelled, or the error code.</summary>
    public string? Outcome { get; init; }

    public bool IsActive => Status is TurnStatus.Running or TurnStatus.WaitingTools;

    public bool IsOver => Status is TurnStatus.Completed or TurnStatus.Failed or TurnStatus.Cancelled;
}
