namespace Mesh.ConversationWorker.Options;

/// <summary>The agent loop's guards (section <c>Agent</c>).</summary>
public sealed class AgentOptions
{
    public const string SectionName = "Agent";

    /// <summary>Model calls a turn may make before it is stopped with <c>max_iterations</c>.</summary>
    public int MaxIterations { get; set; } = 6;

    /// <summary>How long the worker waits for a tool result before it synthesizes a <c>timeout</c> result.</summary>
    public TimeSpan ToolResultTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages that may wait behind a running turn; beyond it a message is refused with <c>queue_full</c>.</summary>
    public int MaxQueuedMessages { get; set; } = 20;

    /// <summary>Characters of a tool's output the model sees; the rest is cut.</summary>
    public int MaxToolOutputCharacters { get; set; } = 8000;

    /// <summary>The system prompt every turn starts with.</summary>
    public string SystemPrompt { get; set; } =
        "You are Mesh, a helpful assistant. Use the available tools when they help, and answer briefly.";

    public string? Validate() =>
        MaxIterations is < 1 or > 50 ? "Agent:MaxIterations must be between 1 and 50"
        : ToolResultTimeout <= TimeSpan.Zero ? "Agent:ToolResultTimeout must be positive"
        : MaxQueuedMessages < 0 ? "Agent:MaxQueuedMessages must not be negative"
        : MaxToolOutputCharacters < 100 ? "Agent:MaxToolOutputCharacters must be at least 100"
        : null;
}
