using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Contracts.Common;
using Mesh.Contracts.Tools;
using Mesh.Infra.Redis;
using Mesh.ToolExecutor.Domain;
using Mesh.ToolExecutor.Options;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.ToolExecutor.Execution;

/// <summary>Result-cache counters and entries of one tool, for <c>GET /v1/tools/cache/stats</c>.</summary>
public sealed record ToolCacheStats(string Tool, long Entries, long Hits, long Misses, long Stores);

/// <summary>
/// The result cache in Redis, per tenant: <c>tool-cache:&lt;tool&gt;:&lt;tenant&gt;:&lt;key&gt;</c> where the key is
/// <see cref="ToolArguments.CacheKey"/>. An entry lives for the tool's TTL plus the stale retention (which only
/// strategy <c>always</c> may use). Counters per tenant in <c>tool-cache-stats:&lt;tenant&gt;</c>.
/// </summary>
public sealed class ResultCache(RedisConnection redis, IOptions<ExecutorOptions> options, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string EntryKey(string tool, string tenantId, string key) => $"tool-cache:{tool}:{tenantId}:{key}";

    private static string StatsKey(string tenantId) => $"tool-cache-stats:{tenantId}";

    public async Task<CachedResult?> GetAsync(string tool, string tenantId, string key)
    {
        var value = await redis.Database.StringGetAsync(EntryKey(tool, tenantId, key));
        if (value.IsNull)
        {
            return null;
        }
        var entry = JsonSerializer.Deserialize<Entry>((string)value!, Json)!;
        return new CachedResult(new ToolOutcome(entry.Status, entry.Output, entry.Error, entry.Truncated), DateTimeOffset.FromUnixTimeMilliseconds(entry.StoredAtMs));
    }

    public Task StoreAsync(ToolDescriptor tool, string tenantId, string key, ToolOutcome outcome)
    {
        var entry = new Entry(outcome.Status, outcome.Output, outcome.Error, outcome.Truncated, time.GetUtcNow().ToUnixTimeMilliseconds());
        return redis.Database.StringSetAsync(
            EntryKey(tool.Name, tenantId, key), JsonSerializer.Serialize(entry, Json), tool.CacheTtl + options.Value.CacheStaleRetention,
            flags: CommandFlags.FireAndForget);
    }

    public void Count(string tool, string tenantId, string result) =>
        redis.Database.HashIncrement(StatsKey(tenantId), $"{tool}|{result}", flags: CommandFlags.FireAndForget);

    /// <summary>Entries and counters of the tenant, per tool.</summary>
    public async Task<IReadOnlyList<ToolCacheStats>> StatsAsync(string tenantId)
    {
        var counters = await redis.Database.HashGetAllAsync(StatsKey(tenantId));
        var entries = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var key in await Task.Run(() => ScanTenant(tenantId, tool: null)))
        {
            var tool = ((string)key!).Split(':')[1];
            entries[tool] = entries.GetValueOrDefault(tool) + 1;
        }
        var byTool = counters
            .Select(c => ((string)c.Name!).Split('|'))
            .Select(parts => parts[0])
            .Concat(entries.Keys)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        long Counter(string tool, string name) => (long?)counters.FirstOrDefault(c => c.Name == $"{tool}|{name}").Value ?? 0;
        return [.. byTool.Select(tool => new ToolCacheStats(tool, entries.GetValueOrDefault(tool), Counter(tool, "hit"), Counter(tool, "miss"), Counter(tool, "store")))];
    }

    /// <summary>Deletes the tenant's entries of one tool, or of every tool; returns how many.</summary>
    public async Task<long> ClearAsync(string tenantId, string? tool)
    {
        var keys = await Task.Run(() => ScanTenant(tenantId, tool));
        long deleted = 0;
        foreach (var batch in keys.Chunk(500))
        {
            deleted += await redis.Database.KeyDeleteAsync(batch);
        }
        return deleted;
    }

    // SCAN, not KEYS: walks the keyspace in pages without blocking Redis.
    private List<RedisKey> ScanTenant(string tenantId, string? tool)
    {
        var pattern = $"tool-cache:{Escape(tool) ?? "*"}:{Escape(tenantId)}:*";
        var multiplexer = redis.Multiplexer;
        return [.. multiplexer.GetEndPoints()
            .Select(endpoint => multiplexer.GetServer(endpoint))
            .Where(server => server.IsConnected && !server.IsSlave)
            .SelectMany(server => server.Keys(pattern: pattern, pageSize: 1000))];
    }

    private static string? Escape(string? value) =>
        value is null ? null : string.Concat(value.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? "\\" + c : c.ToString()));

    private sealed record Entry(ToolResultStatus Status, JsonElement? Output, ErrorDetail? Error, bool Truncated, long StoredAtMs);
}
