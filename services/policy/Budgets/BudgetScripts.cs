namespace Mesh.Policy.Budgets;

/// <summary>
/// The Lua scripts that change budget counters in Redis. Each runs atomically, so concurrent reservations
/// on any instance can never together pass a limit. Every script first releases expired reservations
/// and returns their ids (for the ledger) as the last element of its reply. Keys are built inside the
/// scripts from the reservation records, which a single Redis (not a cluster) allows.
/// Counter hashes hold <c>tokens_used</c>, <c>tokens_reserved</c>, <c>cost_used</c> and <c>cost_reserved</c>
/// (cost in millionths, as integers).
/// </summary>
public static class BudgetScripts
{
    public const string Expiries = "mesh:budget:expiries";
    public const string ReservationPrefix = "mesh:budget:reservation:";

    private const string ReleaseExpired = """
        local function adjust(key, tokens, cost)
          if key ~= '' then
            redis.call('HINCRBY', key, 'tokens_reserved', tokens)
            redis.call('HINCRBY', key, 'cost_reserved', cost)
          end
        end
        local function release(id)
          local key = 'mesh:budget:reservation:' .. id
          local r = redis.call('HMGET', key, 'tenant_key', 'persona_key', 'tokens', 'cost')
          redis.call('ZREM', 'mesh:budget:expiries', id)
          if not r[1] then return nil end
          -- 0 - x, not -x: Lua turns -0 into the string '-0', which HINCRBY refuses.
          adjust(r[1], 0 - tonumber(r[3]), 0 - tonumber(r[4]))
          adjust(r[2], 0 - tonumber(r[3]), 0 - tonumber(r[4]))
          redis.call('DEL', key)
          return r
        end
        local function release_expired(now)
          local ids = redis.call('ZRANGEBYSCORE', 'mesh:budget:expiries', '-inf', now, 'LIMIT', 0, 500)
          for _, id in ipairs(ids) do release(id) end
          return ids
        end
        """;

    /// <summary>
    /// ARGV: now (ms), tokens, cost, tenant token limit, tenant cost limit, persona token limit, persona cost
    /// limit (-1: none), expires at (ms), reservation id, counter TTL (s), tenant key, persona key (or ''),
    /// tenant set key, persona set key (or ''), tenant id, persona id.
    /// Reply: {{1}, released} when reserved; {{0, scope, kind, limit, used, reserved}, released} when a limit would be passed.
    /// </summary>
    public const string Reserve = ReleaseExpired + "\n" + """
        local now, tokens, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local tenant_key, persona_key = ARGV[11], ARGV[12]
        local released = release_expired(now)
        local function check(scope, key, token_limit, cost_limit)
          if key == '' then return nil end
          local h = redis.call('HMGET', key, 'tokens_used', 'tokens_reserved', 'cost_used', 'cost_reserved')
          local used_t, held_t = tonumber(h[1]) or 0, tonumber(h[2]) or 0
          local used_c, held_c = tonumber(h[3]) or 0, tonumber(h[4]) or 0
          if token_limit >= 0 and used_t + held_t + tokens > token_limit then
            return {0, scope, 'tokens', token_limit, used_t, held_t}
          end
          if cost_limit >= 0 and used_c + held_c + cost > cost_limit then
            return {0, scope, 'cost', cost_limit, used_c, held_c}
          end
          return nil
        end
        local refused = check('tenant', tenant_key, tonumber(ARGV[4]), tonumber(ARGV[5]))
          or check('persona', persona_key, tonumber(ARGV[6]), tonumber(ARGV[7]))
        if refused then return {refused, released} end
        local ttl = tonumber(ARGV[10])
        for _, key in ipairs({tenant_key, persona_key}) do
          if key ~= '' then
            adjust(key, tokens, cost)
            redis.call('EXPIRE', key, ttl)
          end
        end
        redis.call('SADD', ARGV[13], ARGV[15])
        redis.call('EXPIRE', ARGV[13], ttl)
        if ARGV[14] ~= '' then
          redis.call('SADD', ARGV[14], ARGV[16])
          redis.call('EXPIRE', ARGV[14], ttl)
        end
        local reservation = 'mesh:budget:reservation:' .. ARGV[9]
        redis.call('HSET', reservation, 'tenant_key', tenant_key, 'persona_key', persona_key, 'tokens', ARGV[2], 'cost', ARGV[3])
        redis.call('EXPIRE', reservation, ttl)
        redis.call('ZADD', 'mesh:budget:expiries', ARGV[8], ARGV[9])
        return {{1}, released}
        """;

    /// <summary>
    /// ARGV: now (ms), reservation id, actual tokens, actual cost, counter TTL (s), tenant key, persona key (or '').
    /// Releases the hold and adds the actual usage. Reply: {{1}, released} for a live reservation; {{2}, released}
    /// when it had expired (its hold was already released; the usage is still added).
    /// </summary>
    public const string Commit = ReleaseExpired + "\n" + """
        local released = release_expired(tonumber(ARGV[1]))
        local live = release(ARGV[2])
        local ttl = tonumber(ARGV[5])
        for _, key in ipairs({ARGV[6], ARGV[7]}) do
          if key ~= '' then
            redis.call('HINCRBY', key, 'tokens_used', ARGV[3])
            redis.call('HINCRBY', key, 'cost_used', ARGV[4])
            redis.call('EXPIRE', key, ttl)
          end
        end
        if live then return {{1}, released} end
        return {{2}, released}
        """;

    /// <summary>ARGV: now (ms). Releases every expired reservation. Reply: {{1}, released}.</summary>
    public const string Sweep = ReleaseExpired + "\n" + """
        return {{1}, release_expired(tonumber(ARGV[1]))}
        """;

    /// <summary>ARGV: reservation id. Releases one reservation's hold without usage (a reservation the ledger refused). Reply: {{1}, {}}.</summary>
    public const string Cancel = ReleaseExpired + "\n" + """
        release(ARGV[1])
        return {{1}, {}}
        """;

    public static string TenantKey(string tenantId, string day) => $"mesh:budget:{tenantId}:{day}";

    public static string PersonaKey(string tenantId, string day, string personaId) => $"mesh:budget:{tenantId}:{day}:persona:{personaId}";

    public static string PersonaSetKey(string tenantId, string day) => $"mesh:budget:{tenantId}:{day}:personas";

    public static string TenantSetKey(string day) => $"mesh:budget:tenants:{day}";
}
