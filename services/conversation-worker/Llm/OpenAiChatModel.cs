using System.ClientModel;
using System.Text;
using Mesh.ConversationWorker.Domain;
using Mesh.ConversationWorker.Options;
using OpenAI;
using OpenAI.Chat;

namespace Mesh.ConversationWorker.Llm;

/// <summary>
/// Any OpenAI-compatible chat-completions endpoint through the official OpenAI .NET client: streamed answers,
/// tool calls assembled from their streamed fragments, and the usage the endpoint reports (estimated when it
/// reports none).
/// </summary>
public sealed class OpenAiChatModel : IChatModel
{
    private const string EmptySchema = """{"type":"object","properties":{}}""";

    private readonly ChatClient client;
    private readonly int maxOutputTokens;

    public OpenAiChatModel(ModelEndpoint endpoint, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        // Local endpoints often need no key, but the client insists on one.
        var key = new ApiKeyCredential(string.IsNullOrEmpty(endpoint.ApiKey) ? "none" : endpoint.ApiKey);
        client = new ChatClient(endpoint.Model, key, new OpenAIClientOptions { Endpoint = endpoint.BaseUrl, NetworkTimeout = options.Timeout });
        maxOutputTokens = options.MaxOutputTokens;
        Provider = endpoint.BaseUrl.Authority;
        Model = endpoint.Model;
    }

    public string Provider { get; }

    public string Model { get; }

    public async Task<ModelResult> CompleteAsync(
        IReadOnlyList<LlmMessage> messages, IReadOnlyList<ToolDefinition> tools, Func<string, CancellationToken, Task> onDelta, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(onDelta);
        var names = new FunctionNames(tools.Select(t => t.Name));
        var options = new ChatCompletionOptions { MaxOutputTokenCount = maxOutputTokens };
        foreach (var tool in tools)
        {
            options.Tools.Add(ChatTool.CreateFunctionTool(
                FunctionNames.ToFunction(tool.Name), tool.Description, BinaryData.FromString(tool.Parameters?.GetRawText() ?? EmptySchema)));
        }

        var text = new StringBuilder();
        var calls = new SortedDictionary<int, CallBuilder>();
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync(messages.Select(m => ToChat(m)), options, cancellationToken))
        {
            foreach (var part in update.ContentUpdate)
            {
                if (!string.IsNullOrEmpty(part.Text))
                {
                    text.Append(part.Text);
                    await onDelta(part.Text, cancellationToken);
                }
            }

            foreach (var fragment in update.ToolCallUpdates)
            {
                if (!calls.TryGetValue(fragment.Index, out var call))
                {
                    calls[fragment.Index] = call = new CallBuilder();
                }

                call.Id ??= fragment.ToolCallId;
                call.Name ??= fragment.FunctionName;
                if (fragment.FunctionArgumentsUpdate is { } arguments && !arguments.IsEmpty)
                {
                    call.Arguments.Append(arguments.ToString());
                }
            }

            usage = update.Usage ?? usage;
        }

        var toolCalls = calls.Select(c => new LlmToolCall(
            c.Value.Id ?? $"call_{c.Key}", names.ToMesh(c.Value.Name ?? ""), c.Value.Arguments.Length == 0 ? "{}" : c.Value.Arguments.ToString())).ToList();
        var reply = new ModelReply(text.ToString(), toolCalls);
        return new ModelResult(
            reply,
            usage?.InputTokenCount ?? TokenEstimate.Of(messages),
            usage?.OutputTokenCount ?? TokenEstimate.Of(reply.Text) + toolCalls.Sum(c => TokenEstimate.Of(c.Arguments)));
    }

    private static ChatMessage ToChat(LlmMessage message) => message.Role switch
    {
        ChatRoles.System => new SystemChatMessage(message.Content ?? ""),
        ChatRoles.User => new UserChatMessage(message.Content ?? ""),
        ChatRoles.Tool => new ToolChatMessage(message.ToolCallId ?? "", message.Content ?? ""),
        _ when message.ToolCalls is { Count: > 0 } calls => WithText(
            new AssistantChatMessage(calls.Select(c => ChatToolCall.CreateFunctionToolCall(c.Id, FunctionNames.ToFunction(c.Name), BinaryData.FromString(c.Arguments)))),
            message.Content),
        _ => new AssistantChatMessage(message.Content ?? ""),
    };

    private static AssistantChatMessage WithText(AssistantChatMessage message, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            message.Content.Add(ChatMessageContentPart.CreateTextPart(text));
        }

        return message;
    }

    private sealed class CallBuilder
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public StringBuilder Arguments { get; } = new();
    }
}
