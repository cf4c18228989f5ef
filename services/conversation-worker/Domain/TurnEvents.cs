using Mesh.Contracts.Common;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Tools;

namespace Mesh.ConversationWorker.Domain;

/// <summary>
/// The events a turn sends, as drafts: id, seq and time are stamped by the session's writer when it appends them.
/// Texts are cut to the contract's limits.
/// </summary>
public static class TurnEvents
{
    private const int MaxText = 65536;
    private const int MaxDelta = 16384;
    private const int MaxErrorMessage = 2048;

    public static ConversationEvent Accepted(Turn turn) =>
        Draft(turn, ConversationEventType.MessageAccepted) with { ActorId = turn.ActorId, ClientMsgId = turn.ClientMsgId, Text = turn.Content };

    public static ConversationEvent Started(Turn turn) => Draft(turn, ConversationEventType.AssistantStarted);

    /// <summary>One or more <c>assistant.delta</c> drafts: a piece longer than the contract allows is split.</summary>
    public static IReadOnlyList<ConversationEvent> Deltas(Turn turn, string delta) =>
        [.. delta.Chunk(MaxDelta).Select(piece => Draft(turn, ConversationEventType.AssistantDelta) with { Delta = new string(piece) })];

    public static ConversationEvent Final(Turn turn, string text) =>
        Draft(turn, ConversationEventType.AssistantFinal) with { Text = Clip(text, MaxText), Usage = new TokenUsage(turn.InputTokens, turn.OutputTokens) };

    public static ConversationEvent ToolStarted(Turn turn, PendingCall call) =>
        Draft(turn, ConversationEventType.ToolStarted) with { Tool = new ToolActivity(call.RequestId, call.CallIndex, call.Tool) };

    public static ConversationEvent ToolCompleted(Turn turn, PendingCall call, ToolResultStatus status, string summary, bool? fromCache = null, long? durationMs = null) =>
        Draft(turn, ConversationEventType.ToolCompleted) with
        {
            Tool = new ToolActivity(call.RequestId, call.CallIndex, call.Tool, status, summary, fromCache, durationMs),
        };

    public static ConversationEvent Error(Turn turn, string code, string message) =>
        Draft(turn, ConversationEventType.Error) with { Error = new ErrorDetail(code, Clip(message, MaxErrorMessage)) };

    public static ConversationEvent Cancelled(Turn turn, string reason) => Draft(turn, ConversationEventType.TurnCancelled) with { Reason = reason };

    private static ConversationEvent Draft(Turn turn, ConversationEventType type) =>
        new(Guid.Empty, turn.SessionId, turn.TenantId, turn.TurnId, 0, type, default);

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..length];
}
