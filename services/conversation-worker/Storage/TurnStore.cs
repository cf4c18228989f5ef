using System.Text.Json;
using Mesh.ConversationWorker.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Mesh.ConversationWorker.Storage;

/// <summary>Sessions (their tenant) and turns (their whole state as JSON, with the columns queries need).</summary>
public sealed class TurnStore(NpgsqlDataSource dataSource)
{
    /// <summary>Records the session on its first message; returns the tenant it belongs to.</summary>
    public async Task<string> EnsureSessionAsync(Guid sessionId, string tenantId, string actorId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH inserted AS (
                INSERT INTO conversation_sessions (session_id, tenant_id, actor_id) VALUES (@s, @t, @a)
                ON CONFLICT (session_id) DO NOTHING RETURNING tenant_id)
            SELECT tenant_id FROM inserted
            UNION ALL SELECT tenant_id FROM conversation_sessions WHERE session_id = @s
            LIMIT 1
            """);
        command.Parameters.AddWithValue("s", sessionId);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("a", actorId);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The tenant of a session, or null when the worker has never seen it.</summary>
    public async Task<string?> SessionTenantAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT tenant_id FROM conversation_sessions WHERE session_id = @s");
        command.Parameters.AddWithValue("s", sessionId);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    public async Task<Turn?> FindAsync(Guid turnId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT state FROM conversation_turns WHERE turn_id = @id");
        command.Parameters.AddWithValue("id", turnId);
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? Read(json) : null;
    }

    /// <summary>The session's active turn first (if any), then its queued turns in arrival order.</summary>
    public async Task<IReadOnlyList<Turn>> LiveAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT state FROM conversation_turns
            WHERE session_id = @s AND status IN ('queued', 'running', 'waiting_tools')
            ORDER BY status = 'queued', accepted_seq
            """);
        command.Parameters.AddWithValue("s", sessionId);
        return await ReadAllAsync(command, cancellationToken);
    }

    /// <summary>Every turn waiting for tool results, of any session: their deadlines are armed at start.</summary>
    public async Task<IReadOnlyList<Turn>> WaitingAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT state FROM conversation_turns WHERE status = 'waiting_tools'");
        return await ReadAllAsync(command, cancellationToken);
    }

    public async Task SaveAsync(Turn turn, bool insert, NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            insert
                ? """
                  INSERT INTO conversation_turns (turn_id, session_id, tenant_id, status, accepted_seq, deadline, state)
                  VALUES (@id, @s, @t, @status, @accepted, @deadline, @state)
                  """
                : "UPDATE conversation_turns SET status = @status, deadline = @deadline, state = @state, updated_at = now() WHERE turn_id = @id",
            connection, transaction);
        command.Parameters.AddWithValue("id", turn.TurnId);
        command.Parameters.AddWithValue("s", turn.SessionId);
        command.Parameters.AddWithValue("t", turn.TenantId);
        command.Parameters.AddWithValue("status", StatusName(turn.Status));
        command.Parameters.AddWithValue("accepted", turn.AcceptedSeq);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("deadline", turn.Deadline));
        command.Parameters.Add(new NpgsqlParameter("state", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(turn, StateJson.Options) });
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new InvalidOperationException($"Turn {turn.TurnId} was not saved.");
        }
    }

    public async Task SaveAsync(Turn turn, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await SaveAsync(turn, insert: false, connection, null, cancellationToken);
    }

    public static string StatusName(TurnStatus status) => JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    private static async Task<IReadOnlyList<Turn>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var turns = new List<Turn>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            turns.Add(Read(reader.GetString(0)));
        }

        return turns;
    }

    private static Turn Read(string json) => JsonSerializer.Deserialize<Turn>(json, StateJson.Options)!;
}
