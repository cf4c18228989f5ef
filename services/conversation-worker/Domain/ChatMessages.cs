using System.Text.Json;

namespace Mesh.ConversationWorker.Domain;

/// <summary>The roles of a conversation as language models see it.</summary>
public static class ChatRoles
{
    public const string System = "system";
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string Tool = "tool";
}

/// <summary>One message of the list a model is given: what a turn persists as its working memory.</summary>
/// <param name="Role">system, user, assistant or tool.</param>
/// <param name="Content">The text; for a tool message the result as <see cref="ToolOutcome"/> JSON.</param>
/// <param name="ToolCalls">The tool calls an assistant message made.</param>
/// <param name="ToolCallId">The call a tool message answers.</param>
public sealed record LlmMessage(string Role, string? Content, IReadOnlyList<LlmToolCall>? ToolCalls = null, string? ToolCallId = null);

/// <summary>A tool call a model asked for.</summary>
/// <param name="Id">The model's id for the call, echoed by the tool message that answers it.</param>
/// <param name="Name">The mesh tool name (e.g. <c>math.evaluate</c>).</param>
/// <param name="Arguments">The arguments as JSON text, as the model wrote them.</param>
public sealed record LlmToolCall(string Id, string Name, string Arguments);

/// <summary>A tool the model may call, from the tool executor's catalog.</summary>
/// <param name="Name">The mesh tool name.</param>
/// <param name="Description">What it does.</param>
/// <param name="Parameters">The JSON Schema of its arguments, when known.</param>
public sealed record ToolDefinition(string Name, string Description, JsonElement? Parameters);

/// <summary>What one model call produced: text, tool calls, or both.</summary>
public sealed record ModelReply(string Text, IReadOnlyList<LlmToolCall> ToolCalls)
{
    public static ModelReply FromText(string text) => new(text, []);
}

/// <summary>Rough token counts where a provider reports none: about four characters per token.</summary>
public static class TokenEstimate
{
    public static int Of(string? text) => string.IsNullOrEmpty(text) ? 0 : (text.Length + 3) / 4;

    public static int Of(IEnumerable<LlmMessage> messages) =>
        messages.Sum(m => 4 + Of(m.Content) + (m.ToolCalls?.Sum(c => Of(c.Name) + Of(c.Arguments)) ?? 0));
}
