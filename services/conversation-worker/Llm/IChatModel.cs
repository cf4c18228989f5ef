using Mesh.ConversationWorker.Domain;

namespace Mesh.ConversationWorker.Llm;

/// <summary>What a model call produced and what it cost in tokens (as reported, or estimated where none is reported).</summary>
public sealed record ModelResult(ModelReply Reply, int InputTokens, int OutputTokens);

/// <summary>A chat model that streams its answer.</summary>
public interface IChatModel
{
    /// <summary>Who serves the model, for usage records: the endpoint's host, or <c>offline</c>.</summary>
    string Provider { get; }

    /// <summary>The model name, for usage records and token metrics.</summary>
    string Model { get; }

    /// <summary>Runs one model call, handing each piece of answer text to <paramref name="onDelta"/> as it arrives.</summary>
    Task<ModelResult> CompleteAsync(
        IReadOnlyList<LlmMessage> messages, IReadOnlyList<ToolDefinition> tools, Func<string, CancellationToken, Task> onDelta, CancellationToken cancellationToken);
}
