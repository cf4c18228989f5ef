using System.Text.Json;
using Mesh.Infra.Auth;
using Mesh.Infra.Redis;
using Mesh.Policy.Domain;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackExchange.Redis;

namespace Mesh.Policy.KillSwitches;

/// <summary>A kill switch as stored, engaged or not.</summary>
public sealed record KillSwitchState(
    string Scope, string? TenantId, string? Tool, bool Enabled, string Reason, string UpdatedBy, DateTime UpdatedAt);

/// <summary>
/// Flips kill switches: the state and an audit row in one PostgreSQL transaction (the truth), then a copy in
/// the Redis hash <c>mesh:policy:kill-switches</c> and a notification to every instance.
/// </summary>
public sealed class KillSwitchStore(NpgsqlDataSource dataSource, RedisConnection redis, KillSwitchCache cache, ILogger<KillSwitchStore> logger)
{
    public const string RedisHash = "mesh:policy:kill-switches";

    public static KillSwitchScope ParseScope(string scope) => scope switch
    {
        "mesh" => KillSwitchScope.Mesh,
        "tenant" => KillSwitchScope.Tenant,
        "tool" => KillSwitchScope.Tool,
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "unknown kill-switch scope"),
    };

    public static string FormatScope(KillSwitchScope scope) => scope switch
    {
        KillSwitchScope.Mesh => "mesh",
        KillSwitchScope.Tenant => "tenant",
        KillSwitchScope.Tool => "tool",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "unknown kill-switch scope"),
    };

    public async Task<KillSwitchState> SetAsync(
        KillSwitchScope scope, string? tenantId, string? tool, bool enabled, string reason, ApiKeyPrincipal caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var scopeName = FormatScope(scope);
        KillSwitchState state;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using (var upsert = new NpgsqlCommand(
                """
                INSERT INTO policy_kill_switches (scope, tenant_id, tool, enabled, reason, updated_by, updated_at)
                VALUES (@scope, @tenant, @tool, @enabled, @reason, @actor, now())
                ON CONFLICT (scope, tenant_id, tool)
                DO UPDATE SET enabled = excluded.enabled, reason = excluded.reason, updated_by = excluded.updated_by, updated_at = now()
                RETURNING updated_at
                """, connection, transaction))
            {
                AddKey(upsert, scopeName, tenantId, tool);
                upsert.Parameters.AddWithValue("enabled", enabled);
                upsert.Parameters.AddWithValue("reason", reason);
                upsert.Parameters.AddWithValue("actor", $"{caller.TenantId}/{caller.Actor}");
                var updatedAt = (DateTime)(await upsert.ExecuteScalarAsync(cancellationToken))!;
                state = new KillSwitchState(scopeName, tenantId, tool, enabled, reason, $"{caller.TenantId}/{caller.Actor}", updatedAt);
            }

            await using (var audit = new NpgsqlCommand(
                """
                INSERT INTO policy_kill_switch_audit (scope, tenant_id, tool, enabled, reason, actor, actor_tenant, key_id)
                VALUES (@scope, @tenant, @tool, @enabled, @reason, @actor, @actor_tenant, @key)
                """, connection, transaction))
            {
                AddKey(audit, scopeName, tenantId, tool);
                audit.Parameters.AddWithValue("enabled", enabled);
                audit.Parameters.AddWithValue("reason", reason);
                audit.Parameters.AddWithValue("actor", caller.Actor);
                audit.Parameters.AddWithValue("actor_tenant", caller.TenantId);
                audit.Parameters.AddWithValue("key", caller.KeyId);
                await audit.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        Log.KillSwitchFlipped(logger, scopeName, tenantId ?? "*", tool ?? "*", enabled, caller.TenantId, caller.Actor);
        await AnnounceAsync(state);
        await cache.RefreshAsync(cancellationToken);
        return state;
    }

    /// <summary>Every stored switch, engaged or not, optionally only those a tenant's admin may see.</summary>
    public async Task<IReadOnlyList<KillSwitchState>> ListAsync(string? visibleToTenant, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT scope, tenant_id, tool, enabled, reason, updated_by, updated_at FROM policy_kill_switches
            WHERE @tenant = '' OR tenant_id IN ('', @tenant)
            ORDER BY scope, tenant_id, tool
            """);
        command.Parameters.AddWithValue("tenant", visibleToTenant ?? "");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var states = new List<KillSwitchState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            states.Add(new KillSwitchState(
                reader.GetString(0),
                reader.GetString(1) is { Length: > 0 } tenant ? tenant : null,
                reader.GetString(2) is { Length: > 0 } tool ? tool : null,
                reader.GetBoolean(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetFieldValue<DateTime>(6)));
        }

        return states;
    }

    private async Task AnnounceAsync(KillSwitchState state)
    {
        try
        {
            var field = $"{state.Scope}|{state.TenantId}|{state.Tool}";
            await redis.Database.HashSetAsync(RedisHash, field, JsonSerializer.Serialize(state));
            await redis.Multiplexer.GetSubscriber().PublishAsync(KillSwitchCache.NotificationChannel, field);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // PostgreSQL has the flip; every instance's periodic reload still picks it up within the refresh interval.
            Log.KillSwitchAnnounceFailed(logger, e.Message);
        }
    }

    private static void AddKey(NpgsqlCommand command, string scope, string? tenantId, string? tool)
    {
        command.Parameters.AddWithValue("scope", scope);
        command.Parameters.AddWithValue("tenant", tenantId ?? "");
        command.Parameters.AddWithValue("tool", tool ?? "");
    }
}
