namespace Mesh.ConversationWorker.Domain;

/// <summary>
/// The working window: the newest earlier messages of a session that fit both limits, oldest dropped first. It
/// never starts with an assistant message (an answer without its question), and a message that alone exceeds
/// the character limit is left out rather than cut, so the model never reads half a sentence as a whole one.
/// </summary>
public static class ConversationWindow
{
    public static IReadOnlyList<LlmMessage> Trim(IReadOnlyList<LlmMessage> messages, int maxMessages, int maxCharacters)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var kept = new List<LlmMessage>();
        var characters = 0;
        for (var i = messages.Count - 1; i >= 0 && kept.Count < maxMessages; i--)
        {
            var length = messages[i].Content?.Length ?? 0;
            if (characters + length > maxCharacters)
            {
                break;
            }

            characters += length;
            kept.Add(messages[i]);
        }

        kept.Reverse();
        var start = kept.FindIndex(m => m.Role != ChatRoles.Assistant);
        return start < 0 ? [] : kept[start..];
    }

    /// <summary>The window after one more exchange: the old window, the question and its answer, trimmed.</summary>
    public static IReadOnlyList<LlmMessage> Append(IReadOnlyList<LlmMessage> window, string question, string answer, int maxMessages, int maxCharacters) =>
        Trim([.. window, new LlmMessage(ChatRoles.User, question), new LlmMessage(ChatRoles.Assistant, answer)], maxMessages, maxCharacters);
}
