namespace Mesh.ConversationWorker.Options;

/// <summary>The session event log's hot part in Redis and the history API's pages (section <c>History</c>).</summary>
public sealed class HistoryOptions
{
    public const string SectionName = "History";

    /// <summary>The newest events of a session kept in Redis.</summary>
    public int HotEvents { get; set; } = 500;

    /// <summary>How long an idle session's hot events stay in Redis.</summary>
    public TimeSpan HotTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Events per page when the caller names no limit.</summary>
    public int DefaultPageSize { get; set; } = 200;

    /// <summary>The largest page a caller may ask for.</summary>
    public int MaxPageSize { get; set; } = 1000;

    public string? Validate() =>
        HotEvents < 1 ? "History:HotEvents must be at least 1"
        : HotTtl <= TimeSpan.Zero ? "History:HotTtl must be positive"
        : DefaultPageSize < 1 || DefaultPageSize > MaxPageSize ? "History:DefaultPageSize must be between 1 and MaxPageSize"
        : null;
}
