using Mesh.Contracts.Schemas;

namespace Mesh.Contracts.Messaging;

/// <summary>The mesh's topics, the schema each carries, and their dead-letter topics.</summary>
public static class MeshTopics
{
    /// <summary>Chat messages and cancel requests, from gateway and delegation to the conversation-worker.</summary>
    public const string ConversationInbound = "conversation.inbound";

    /// <summary>Conversation events, from the conversation-worker and tool-executor to gateway and delegation.</summary>
    public const string ConversationOutbound = "conversation.outbound";

    /// <summary>Tool calls, from the conversation-worker to the tool-executor.</summary>
    public const string ToolRequests = "tool.requests";

    /// <summary>Tool results, from the tool-executor to the conversation-worker.</summary>
    public const string ToolResults = "tool.results";

    /// <summary>Policy decision audit records, keyed by tenant.</summary>
    public const string PolicyDecisions = "policy.decisions";

    /// <summary>Suffix of a topic's dead-letter topic.</summary>
    public const string DlqSuffix = ".dlq";

    /// <summary>Every topic with its schema and key field (dead-letter topics not listed; see <see cref="Dlq"/>).</summary>
    public static IReadOnlyList<TopicContract> All { get; } =
    [
        new(ConversationInbound, MeshSchemas.ConversationMessage, "session_id"),
        new(ConversationOutbound, MeshSchemas.ConversationEvent, "session_id"),
        new(ToolRequests, MeshSchemas.ToolRequest, "session_id"),
        new(ToolResults, MeshSchemas.ToolResult, "session_id"),
        new(PolicyDecisions, MeshSchemas.PolicyDecision, "tenant_id"),
    ];

    /// <summary>The dead-letter topic of <paramref name="topic"/>: <c>&lt;topic&gt;.dlq</c>.</summary>
    /// <param name="topic">A topic that is not itself a dead-letter topic.</param>
    /// <returns>The dead-letter topic name.</returns>
    /// <exception cref="ArgumentException"><paramref name="topic"/> is empty or already a dead-letter topic.</exception>
    public static string Dlq(string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        if (IsDlq(topic))
        {
            throw new ArgumentException($"'{topic}' is already a dead-letter topic.", nameof(topic));
        }

        return topic + DlqSuffix;
    }

    /// <summary>Whether <paramref name="topic"/> is a dead-letter topic.</summary>
    /// <param name="topic">A topic name.</param>
    /// <returns><see langword="true"/> when it ends in <see cref="DlqSuffix"/>.</returns>
    public static bool IsDlq(string topic) => topic.EndsWith(DlqSuffix, StringComparison.Ordinal);

    /// <summary>
    /// The contract of a topic; for a dead-letter topic, the contract of its source topic, whose messages it holds unchanged.
    /// </summary>
    /// <param name="topic">A topic name.</param>
    /// <returns>The contract, or <see langword="null"/> for a topic the mesh does not define.</returns>
    public static TopicContract? FindContract(string topic)
    {
        var source = IsDlq(topic) ? topic[..^DlqSuffix.Length] : topic;
        return All.FirstOrDefault(contract => contract.Topic == source);
    }
}
