using Mesh.ConversationWorker.Domain;

namespace Mesh.ConversationWorker.Llm;

/// <summary>
/// The built-in offline model (<see cref="OfflineModel"/>) behind the chat model interface: its answer streams in
/// pieces of a few words, so the offline path exercises streaming like a real model; tokens are estimated.
/// </summary>
public sealed class OfflineChatModel : IChatModel
{
    private const int WordsPerDelta = 3;

    public string Provider => "offline";

    public string Model => OfflineModel.Name;

    public async Task<ModelResult> CompleteAsync(
        IReadOnlyList<LlmMessage> messages, IReadOnlyList<ToolDefinition> tools, Func<string, CancellationToken, Task> onDelta, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onDelta);
        var reply = OfflineModel.Reply(messages, tools);
        foreach (var delta in TextChunks.Split(reply.Text, WordsPerDelta))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await onDelta(delta, cancellationToken);
        }

        var output = TokenEstimate.Of(reply.Text) + reply.ToolCalls.Sum(c => TokenEstimate.Of(c.Name) + TokenEstimate.Of(c.Arguments));
        return new ModelResult(reply, TokenEstimate.Of(messages), output);
    }
}
