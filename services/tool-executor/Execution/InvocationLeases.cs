using Mesh.Infra.Redis;
using StackExchange.Redis;

namespace Mesh.ToolExecutor.Execution;

/// <summary>
/// Leases in Redis (<c>SET tool-lease:&lt;request_id&gt; &lt;executor&gt; NX PX &lt;ttl&gt;</c>) that keep two executors
/// from running the same request at once. A lease outlives the tool's timeout, so it expires only when its
/// holder died; then the next delivery takes it over.
/// </summary>
public sealed class InvocationLeases(RedisConnection redis)
{
    public static string Key(Guid requestId) => $"tool-lease:{requestId:D}";

    public Task<bool> TryAcquireAsync(Guid requestId, string executorId, TimeSpan ttl) =>
        redis.Database.StringSetAsync(Key(requestId), executorId, ttl, When.NotExists);

    /// <summary>Releases the lease if this executor still holds it (compare and delete).</summary>
    public Task ReleaseAsync(Guid requestId, string executorId) =>
        redis.Database.LockReleaseAsync(Key(requestId), executorId, CommandFlags.FireAndForget);
}
