using Mesh.Infra.Redis;
using StackExchange.Redis;

namespace Mesh.ToolExecutor.Execution;

/// <summary>
/// Leases in Redis (<c>SET tool-lease:&lt;request_id&gt; &lt;executor&gt; NX PX &lt;ttl&gt;</c>) that keep two executors
/// from running the same request at once. A lease outlives the longest run (the wait for a concurrency slot and the
/// tool's timeout), so it expires only when its holder died; then the next delivery takes it over.
/// </summary>
public sealed class InvocationLeases(RedisConnection redis)
{
    // One command; the library's LockRelease is a WATCH/MULTI transaction, several round trips per call.
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    public static string Key(Guid requestId) => $"tool-lease:{requestId:D}";

    public Task<bool> TryAcquireAsync(Guid requestId, string executorId, TimeSpan ttl) =>
        redis.Database.StringSetAsync(Key(requestId), executorId, ttl, When.NotExists);

    /// <summary>Releases the lease if this executor still holds it (compare and delete), without waiting for the answer.</summary>
    public Task ReleaseAsync(Guid requestId, string executorId) =>
        redis.Database.ScriptEvaluateAsync(ReleaseScript, [Key(requestId)], [executorId], CommandFlags.FireAndForget);
}
