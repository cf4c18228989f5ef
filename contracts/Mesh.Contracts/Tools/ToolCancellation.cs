namespace Mesh.Contracts.Tools;

/// <summary>
/// How a tool call is cancelled, shared by whoever cancels (the conversation worker) and the tool executors: the
/// Redis key <see cref="Key"/> marks the request as cancelled (with a TTL), and the request id published on the
/// Redis channel <see cref="Channel"/> interrupts a run in progress on any executor.
/// </summary>
public static class ToolCancellation
{
    /// <summary>The Redis channel a cancelled request's id is published on.</summary>
    public const string Channel = "tool-cancel";

    /// <summary>The Redis key that marks <paramref name="requestId"/> as cancelled: <c>tool-cancel:&lt;request_id&gt;</c>.</summary>
    public static string Key(Guid requestId) => $"tool-cancel:{requestId:D}";
}
