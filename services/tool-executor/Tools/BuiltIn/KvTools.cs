using System.Text;
using System.Text.Json;
using Mesh.Infra.Redis;
using Mesh.ToolExecutor.Domain;
using Mesh.ToolExecutor.Options;
using Microsoft.Extensions.Options;

namespace Mesh.ToolExecutor.Tools.BuiltIn;

/// <summary>The tenant's scratch space in Redis: <c>tool-kv:&lt;tenant&gt;:&lt;key&gt;</c>, every value with a TTL.</summary>
public static class KvKeys
{
    public const string KeySchema = """{ "type": "string", "minLength": 1, "maxLength": 256, "pattern": "^[A-Za-z0-9][A-Za-z0-9._:/-]*$" }""";

    public static string For(string tenantId, string key) => $"tool-kv:{tenantId}:{key}";
}

/// <summary><c>kv.set</c>: stores a JSON value under a key of the tenant's scratch space, with a TTL.</summary>
public sealed class KvSetTool(RedisConnection redis, IOptions<ScratchOptions> options) : ITool
{
    public ToolDescriptor Descriptor { get; } = BuiltIn.Describe(
        "kv.set",
        "Stores a JSON value under a key in the tenant's scratch space; it expires after ttl_seconds (default one hour).",
        $$"""
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["key", "value"],
          "properties": {
            "key": {{KvKeys.KeySchema}},
            "value": {},
            "ttl_seconds": { "type": "integer", "minimum": 1 }
          }
        }
        """,
        timeout: TimeSpan.FromSeconds(3),
        idempotent: true);

    public async Task<JsonElement> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var key = call.Arguments.GetProperty("key").GetString()!;
        var value = call.Arguments.GetProperty("value").GetRawText();
        if (Encoding.UTF8.GetByteCount(value) > settings.KvMaxValueBytes)
        {
            throw new ToolArgumentException($"the value is larger than {settings.KvMaxValueBytes} bytes");
        }
        var ttl = call.Arguments.TryGetProperty("ttl_seconds", out var t) ? TimeSpan.FromSeconds(t.GetInt64()) : settings.KvDefaultTtl;
        if (ttl > settings.KvMaxTtl)
        {
            throw new ToolArgumentException($"ttl_seconds may be at most {(long)settings.KvMaxTtl.TotalSeconds}");
        }
        await redis.Database.StringSetAsync(KvKeys.For(call.TenantId, key), value, ttl).WaitAsync(cancellationToken);
        return ToolSchemas.Output(new { key, stored = true, ttl_seconds = (long)ttl.TotalSeconds });
    }
}

/// <summary><c>kv.get</c>: reads a key of the tenant's scratch space.</summary>
public sealed class KvGetTool(RedisConnection redis) : ITool
{
    public ToolDescriptor Descriptor { get; } = BuiltIn.Describe(
        "kv.get",
        "Reads the JSON value stored under a key in the tenant's scratch space (found: false when absent or expired).",
        $$"""
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["key"],
          "properties": { "key": {{KvKeys.KeySchema}} }
        }
        """,
        timeout: TimeSpan.FromSeconds(3),
        idempotent: true);

    public async Task<JsonElement> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var key = call.Arguments.GetProperty("key").GetString()!;
        var stored = await redis.Database.StringGetWithExpiryAsync(KvKeys.For(call.TenantId, key)).WaitAsync(cancellationToken);
        if (stored.Value.IsNull)
        {
            return ToolSchemas.Output(new { key, found = false });
        }
        using var value = JsonDocument.Parse((string)stored.Value!);
        return ToolSchemas.Output(new
        {
            key,
            found = true,
            value = value.RootElement.Clone(),
            ttl_seconds = stored.Expiry is { } expiry ? (long?)Math.Ceiling(expiry.TotalSeconds) : null,
        });
    }
}
