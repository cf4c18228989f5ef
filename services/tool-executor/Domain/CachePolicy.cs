using Mesh.Contracts.Tools;

namespace Mesh.ToolExecutor.Domain;

/// <summary>A result kept in the result cache.</summary>
/// <param name="Outcome">What the tool answered (succeeded or failed).</param>
/// <param name="StoredAt">When it was stored.</param>
public sealed record CachedResult(ToolOutcome Outcome, DateTimeOffset StoredAt);

/// <summary>The result-cache rules of architecture.md.</summary>
public static class CachePolicy
{
    /// <summary>
    /// Whether a cached entry answers a request: <c>never</c> uses none, <c>always</c> any entry still kept,
    /// <c>smart</c> only a successful one within the tool's TTL.
    /// </summary>
    public static bool IsUsable(CacheStrategy strategy, CachedResult entry, TimeSpan ttl, DateTimeOffset now) => strategy switch
    {
        CacheStrategy.Never => false,
        CacheStrategy.Always => true,
        _ => entry.Outcome.Status == ToolResultStatus.Succeeded && now - entry.StoredAt <= ttl,
    };

    /// <summary>Whether the cache is read at all for this request.</summary>
    public static bool ShouldLookUp(CacheStrategy strategy, ToolDescriptor tool) => strategy != CacheStrategy.Never && tool.IsCacheable;

    /// <summary>
    /// Whether an outcome is stored: only answers the tool itself gave (succeeded, failed), never refusals,
    /// timeouts or cancellations, and never an answer that was itself served from the cache.
    /// </summary>
    public static bool ShouldStore(ToolDescriptor tool, ToolOutcome outcome) =>
        tool.IsCacheable && !outcome.FromCache && outcome.Status is ToolResultStatus.Succeeded or ToolResultStatus.Failed;
}
