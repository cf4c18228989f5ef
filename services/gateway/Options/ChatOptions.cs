namespace Mesh.Gateway.Options;

/// <summary>Limits of chat messages and of the realtime connections that carry them (section <c>Chat</c>).</summary>
public sealed class ChatOptions
{
    public const string SectionName = "Chat";

    /// <summary>The largest message text, counted in UTF-8 bytes as it travels in JSON (64 KiB).</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>The largest WebSocket frame or HTTP body a client may send.</summary>
    public int MaxFrameBytes { get; set; } = 512 * 1024;

    /// <summary>How long a <c>client_msg_id</c> is remembered, so that a resend within it is not sent twice.</summary>
    public TimeSpan ResendWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Events a connection may have waiting to be sent. A client that falls this far behind is disconnected
    /// (it reconnects with <c>after</c> and loses nothing) instead of being buffered for without bound.
    /// </summary>
    public int SendQueueCapacity { get; set; } = 512;

    /// <summary>A WebSocket that sends nothing (not even <c>ping</c>) for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often an SSE stream gets a keep-alive comment.</summary>
    public TimeSpan SseKeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Events fetched per history request while replaying.</summary>
    public int HistoryPageSize { get; set; } = 500;

    public string? Validate() =>
        MaxMessageBytes < 1 ? "Chat:MaxMessageBytes must be positive"
        : MaxFrameBytes < MaxMessageBytes ? "Chat:MaxFrameBytes must be at least MaxMessageBytes"
        : ResendWindow <= TimeSpan.Zero ? "Chat:ResendWindow must be positive"
        : SendQueueCapacity < 16 ? "Chat:SendQueueCapacity must be at least 16"
        : IdleTimeout < TimeSpan.FromSeconds(5) ? "Chat:IdleTimeout must be at least five seconds"
        : SseKeepAlive <= TimeSpan.Zero ? "Chat:SseKeepAlive must be positive"
        : HistoryPageSize is < 1 or > 1000 ? "Chat:HistoryPageSize must be between 1 and 1000"
        : null;
}
