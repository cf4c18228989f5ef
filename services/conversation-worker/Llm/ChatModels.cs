using System.Collections.Concurrent;
using Mesh.ConversationWorker.Options;
using Microsoft.Extensions.Options;

namespace Mesh.ConversationWorker.Llm;

/// <summary>The chat model of each tier (see <see cref="LlmOptions.EndpointFor"/>), created once per tier.</summary>
public sealed class ChatModels(IOptions<LlmOptions> options)
{
    private readonly ConcurrentDictionary<string, IChatModel> models = new(StringComparer.Ordinal);
    private readonly OfflineChatModel offline = new();

    public IChatModel For(string tier) =>
        models.GetOrAdd(tier, t => options.Value.EndpointFor(t) is { } endpoint ? new OpenAiChatModel(endpoint, options.Value) : offline);
}
