using System.Text.Json;
using Mesh.ConversationWorker.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Mesh.ConversationWorker.Storage;

/// <summary>Sessions (their tenant) and turns (their whole state as JSON, with the columns queries need).</summary>
public sealed class TurnStore(NpgsqlDataSource dataSource)
{
    private const string TenantQuery = "SELECT tenant_id FROM conversation_sessions WHERE session_id = @s";

    private const string TurnQuery = "SELECT state FROM conversation_turns WHERE turn_id = @id";

    private const string LiveQuery =
        """
        SELECT state FROM conversation_turns
        WHERE session_id = @s AND status IN ('queued', 'running', 'waiting_tools')
        ORDER BY status = 'queued', accepted_seq
        """;

    /// <summary>
    /// What a handler needs to know of a session before it acts, read in one round trip (one implicit
    /// transaction): the tenant it belongs to (null when the worker has never seen it), its last seq (0 before its
    /// first event), its live turns (<see cref="LiveAsync"/>) and the turn <paramref name="turnId"/>. With
    /// <paramref name="owner"/> (a user's message) a session seen for the first time is recorded as theirs.
    /// </summary>
    public async Task<SessionSnapshot> LoadAsync(Guid sessionId, Guid turnId, (string TenantId, string ActorId)? owner, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        var tenant = owner is null
            ? new NpgsqlBatchCommand(TenantQuery)
            : new NpgsqlBatchCommand(
                """
                WITH inserted AS (
                    INSERT INTO conversation_sessions (session_id, tenant_id, actor_id) VALUES (@s, @t, @a)
                    ON CONFLICT (session_id) DO NOTHING RETURNING tenant_id)
                SELECT tenant_id FROM inserted
                UNION ALL SELECT tenant_id FROM conversation_sessions WHERE session_id = @s
                LIMIT 1
                """);
        tenant.Parameters.AddWithValue("s", sessionId);
        if (owner is var (tenantId, actorId))
        {
            tenant.Parameters.AddWithValue("t", tenantId);
            tenant.Parameters.AddWithValue("a", actorId);
        }

        var lastSeq = new NpgsqlBatchCommand("SELECT coalesce(max(seq), 0) FROM session_events WHERE session_id = @s");
        lastSeq.Parameters.AddWithValue("s", sessionId);
        var live = new NpgsqlBatchCommand(LiveQuery);
        live.Parameters.AddWithValue("s", sessionId);
        var turn = new NpgsqlBatchCommand(TurnQuery);
        turn.Parameters.AddWithValue("id", turnId);
        batch.BatchCommands.Add(tenant);
        batch.BatchCommands.Add(lastSeq);
        batch.BatchCommands.Add(live);
        batch.BatchCommands.Add(turn);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var owningTenant = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var seq = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        var liveTurns = new List<Turn>();
        while (await reader.ReadAsync(cancellationToken))
        {
            liveTurns.Add(Read(reader.GetString(0)));
        }

        await reader.NextResultAsync(cancellationToken);
        var named = await reader.ReadAsync(cancellationToken) ? Read(reader.GetString(0)) : null;
        return new SessionSnapshot(owningTenant, seq, liveTurns, named);
    }

    /// <summary>The tenant of a session, or null when the worker has never seen it.</summary>
    public async Task<string?> SessionTenantAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(TenantQuery);
        command.Parameters.AddWithValue("s", sessionId);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    public async Task<Turn?> FindAsync(Guid turnId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(TurnQuery);
        command.Parameters.AddWithValue("id", turnId);
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? Read(json) : null;
    }

    /// <summary>The session's active turn first (if any), then its queued turns in arrival order.</summary>
    public async Task<IReadOnlyList<Turn>> LiveAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(LiveQuery);
        command.Parameters.AddWithValue("s", sessionId);
        return await ReadAllAsync(command, cancellationToken);
    }

    /// <summary>Every turn waiting for tool results, of any session: their deadlines are armed at start.</summary>
    public async Task<IReadOnlyList<Turn>> WaitingAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT state FROM conversation_turns WHERE status = 'waiting_tools'");
        return await ReadAllAsync(command, cancellationToken);
    }

    /// <summary>
    /// The command that saves a turn's state: inserts it (<paramref name="insert"/>) or updates it. After it ran,
    /// <see cref="EnsureSaved"/> checks that it wrote the turn.
    /// </summary>
    public static NpgsqlBatchCommand SaveCommand(Turn turn, bool insert)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var command = new NpgsqlBatchCommand(
            insert
                ? """
                  INSERT INTO conversation_turns (turn_id, session_id, tenant_id, status, accepted_seq, deadline, state)
                  VALUES (@id, @s, @t, @status, @accepted, @deadline, @state)
                  """
                : "UPDATE conversation_turns SET status = @status, deadline = @deadline, state = @state, updated_at = now() WHERE turn_id = @id");
        command.Parameters.AddWithValue("id", turn.TurnId);
        command.Parameters.AddWithValue("s", turn.SessionId);
        command.Parameters.AddWithValue("t", turn.TenantId);
        command.Parameters.AddWithValue("status", StatusName(turn.Status));
        command.Parameters.AddWithValue("accepted", turn.AcceptedSeq);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("deadline", turn.Deadline));
        command.Parameters.Add(new NpgsqlParameter("state", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(turn, StateJson.Options) });
        return command;
    }

    public static void EnsureSaved(Turn turn, NpgsqlBatchCommand command)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentNullException.ThrowIfNull(command);
        if (command.RecordsAffected != 1)
        {
            throw new InvalidOperationException($"Turn {turn.TurnId} was not saved.");
        }
    }

    public async Task SaveAsync(Turn turn, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        var save = SaveCommand(turn, insert: false);
        batch.BatchCommands.Add(save);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        EnsureSaved(turn, save);
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

/// <summary>A session as <see cref="TurnStore.LoadAsync"/> found it.</summary>
/// <param name="TenantId">The tenant the session belongs to; null when the worker has never seen it.</param>
/// <param name="LastSeq">Its last seq, 0 before its first event.</param>
/// <param name="Live">Its active turn first (if any), then its queued turns in arrival order.</param>
/// <param name="Turn">The turn asked for, if it exists.</param>
public sealed record SessionSnapshot(string? TenantId, long LastSeq, IReadOnlyList<Turn> Live, Turn? Turn);
