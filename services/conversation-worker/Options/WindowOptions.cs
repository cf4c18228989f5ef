namespace Mesh.ConversationWorker.Options;

/// <summary>
/// The working window (section <c>Window</c>): the earlier exchanges of a session a new turn sends to the
/// model, cached in Redis and bounded in messages and characters.
/// </summary>
public sealed class WindowOptions
{
    public const string SectionName = "Window";

    /// <summary>Most earlier messages (user and assistant) in the window.</summary>
    public int MaxMessages { get; set; } = 20;

    /// <summary>Most characters of earlier messages in the window.</summary>
    public int MaxCharacters { get; set; } = 16000;

    /// <summary>How long an idle session's window stays cached.</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromHours(24);

    public string? Validate() =>
        MaxMessages < 0 ? "Window:MaxMessages must not be negative"
        : MaxCharacters < 0 ? "Window:MaxCharacters must not be negative"
        : CacheTtl <= TimeSpan.Zero ? "Window:CacheTtl must be positive"
        : null;
}
