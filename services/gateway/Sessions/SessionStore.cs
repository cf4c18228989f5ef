using System.Text.Json;
using Mesh.Contracts.Common;
using Mesh.Infra.Auth;
using Npgsql;
using NpgsqlTypes;

namespace Mesh.Gateway.Sessions;

/// <summary>
/// The <c>sessions</c> table. Every read is scoped to the caller: another tenant's session, another actor's session
/// for a non-admin key, and a deleted session all read as absent.
/// </summary>
public sealed class SessionStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string Columns = "id, tenant_id, actor_id, persona_id, metadata, created_at";

    public async Task<Session> CreateAsync(
        ApiKeyPrincipal caller, string? personaId, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        // PostgreSQL keeps microseconds: the record returned now is the one read back later.
        var now = time.GetUtcNow();
        var session = new Session(TimeOrderedIds.NewId(), caller.TenantId, caller.Actor, personaId, metadata, now.AddTicks(-(now.Ticks % 10)));
        await using var command = dataSource.CreateCommand(
            "INSERT INTO sessions (id, tenant_id, actor_id, persona_id, metadata, created_at) VALUES (@id, @t, @a, @p, @m, @c)");
        command.Parameters.AddWithValue("id", session.Id);
        command.Parameters.AddWithValue("t", session.TenantId);
        command.Parameters.AddWithValue("a", session.ActorId);
        command.Parameters.Add(new NpgsqlParameter<string?>("p", personaId));
        command.Parameters.Add(new NpgsqlParameter("m", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(metadata) });
        command.Parameters.AddWithValue("c", session.CreatedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return session;
    }

    /// <summary>The session if the caller may see it, else null.</summary>
    public async Task<Session?> FindAsync(ApiKeyPrincipal caller, Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM sessions WHERE id = @id AND tenant_id = @t AND deleted_at IS NULL");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("t", caller.TenantId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) && Read(reader) is { } session && session.IsVisibleTo(caller) ? session : null;
    }

    /// <summary>The caller's sessions newest first (all of the tenant's for an admin), older than <paramref name="before"/> when given.</summary>
    public async Task<IReadOnlyList<Session>> ListAsync(ApiKeyPrincipal caller, Guid? before, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT {Columns} FROM sessions
            WHERE tenant_id = @t AND deleted_at IS NULL AND (@all OR actor_id = @a) AND (@before::uuid IS NULL OR id < @before)
            ORDER BY id DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("t", caller.TenantId);
        command.Parameters.AddWithValue("a", caller.Actor);
        command.Parameters.AddWithValue("all", caller.IsAdmin);
        command.Parameters.Add(new NpgsqlParameter<Guid?>("before", before));
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sessions = new List<Session>();
        while (await reader.ReadAsync(cancellationToken))
        {
            sessions.Add(Read(reader));
        }
        return sessions;
    }

    /// <summary>Marks a session the caller may see as deleted; false when there is none.</summary>
    public async Task<bool> DeleteAsync(ApiKeyPrincipal caller, Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE sessions SET deleted_at = now() WHERE id = @id AND tenant_id = @t AND deleted_at IS NULL AND (@all OR actor_id = @a)");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("t", caller.TenantId);
        command.Parameters.AddWithValue("a", caller.Actor);
        command.Parameters.AddWithValue("all", caller.IsAdmin);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static Session Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(4)) ?? [],
        reader.GetFieldValue<DateTimeOffset>(5));
}
