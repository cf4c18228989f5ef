using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;
using Mesh.ToolExecutor.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Mesh.ToolExecutor.Execution;

/// <summary>What claiming a request found.</summary>
/// <param name="State">New, finished (with its result) or unfinished (a crashed run).</param>
/// <param name="Recorded">The recorded result when finished.</param>
public sealed record Claim(RecordState State, ToolResult? Recorded);

/// <summary>What the audit keeps of one answered request.</summary>
public sealed record AuditEntry(string? PersonaId, string ActorId, string ArgumentDigest);

/// <summary>
/// <c>tool_invocations</c> and <c>tool_audit</c> in PostgreSQL. A claim is one statement (insert, or count the
/// delivery and read the row); a finish is one statement that records the result and appends the audit row.
/// Concurrent claims, and concurrent finishes, are written together: one prepared statement over arrays per batch
/// (see <see cref="BatchWriter{TItem, TResult}"/>), each batch one transaction, so every caller still returns only
/// once its own row is committed.
/// </summary>
public sealed class InvocationStore : IAsyncDisposable
{
    private const int Writers = 2;
    private const int MaxBatch = 128;

    private const string ClaimSql =
        """
        INSERT INTO tool_invocations (request_id, session_id, tenant_id, actor_id, tool, executor_id)
        SELECT * FROM unnest(@request_ids, @session_ids, @tenant_ids, @actor_ids, @tools, @executor_ids)
        ON CONFLICT (request_id) DO UPDATE SET
            deliveries = tool_invocations.deliveries + 1,
            executor_id = CASE WHEN tool_invocations.finished_at IS NULL THEN EXCLUDED.executor_id ELSE tool_invocations.executor_id END
        RETURNING request_id, (xmax = 0) AS inserted, result::text AS result
        """;

    // The final SELECT reads tool_invocations as it was before this statement, so a row this statement did not
    // update shows the result recorded earlier (or none, when another transaction finished it meanwhile).
    private const string FinishSql =
        """
        WITH input AS (
            SELECT * FROM unnest(@request_ids, @statuses, @durations_ms, @results, @executor_ids, @tenant_ids, @actor_ids,
                                 @persona_ids, @tools, @argument_digests, @error_codes, @from_cache, @policy_decision_ids)
                AS i(request_id, status, duration_ms, result, executor_id, tenant_id, actor_id,
                     persona_id, tool, argument_digest, error_code, from_cache, policy_decision_id)),
        finished AS (
            UPDATE tool_invocations t
            SET finished_at = now(), status = i.status, duration_ms = i.duration_ms, result = i.result::json, executor_id = i.executor_id
            FROM input i
            WHERE t.request_id = i.request_id AND t.finished_at IS NULL
            RETURNING t.request_id),
        audited AS (
            INSERT INTO tool_audit (request_id, tenant_id, actor_id, persona_id, tool, argument_digest, outcome, error_code,
                                    from_cache, duration_ms, policy_decision_id, executor_id)
            SELECT i.request_id, i.tenant_id, i.actor_id, i.persona_id, i.tool, i.argument_digest, i.status, i.error_code,
                   i.from_cache, i.duration_ms, i.policy_decision_id, i.executor_id
            FROM input i JOIN finished f ON f.request_id = i.request_id)
        SELECT i.request_id, f.request_id IS NOT NULL AS written, t.result::text AS recorded
        FROM input i
        LEFT JOIN finished f ON f.request_id = i.request_id
        LEFT JOIN tool_invocations t ON t.request_id = i.request_id
        """;

    private readonly NpgsqlDataSource database;
    private readonly BatchWriter<ClaimRow, Claim> claims;
    private readonly BatchWriter<FinishRow, FinishedRow> finishes;

    public InvocationStore(NpgsqlDataSource database)
    {
        this.database = database;
        claims = new BatchWriter<ClaimRow, Claim>(c => c.Request.RequestId, ClaimBatchAsync, Writers, MaxBatch);
        finishes = new BatchWriter<FinishRow, FinishedRow>(f => f.Result.RequestId, FinishBatchAsync, Writers, MaxBatch);
    }

    /// <summary>Records that this executor takes the request; tells whether it is new, done, or left unfinished by a crash.</summary>
    public Task<Claim> ClaimAsync(ToolRequest request, string executorId, CancellationToken cancellationToken) =>
        claims.WriteAsync(new ClaimRow(request, executorId), cancellationToken);

    /// <summary>
    /// Records the result and its audit row, unless a result is already recorded (then nothing is written and
    /// the recorded result is returned, so the caller publishes that one).
    /// </summary>
    public async Task<ToolResult> FinishAsync(ToolRequest request, ToolResult result, AuditEntry audit, CancellationToken cancellationToken)
    {
        var finished = await finishes.WriteAsync(new FinishRow(result, audit, MeshJson.Serialize(result)), cancellationToken);
        if (finished.Written)
        {
            return result;
        }
        if (finished.Recorded is { } recorded)
        {
            return MeshJson.Deserialize<ToolResult>(recorded)!;
        }
        return await FindAsync(request.RequestId, cancellationToken)
            ?? throw new InvalidOperationException($"The invocation record of {request.RequestId} disappeared.");
    }

    /// <summary>The recorded result of a request, or null while none is recorded.</summary>
    public async Task<ToolResult?> FindAsync(Guid requestId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT result::text FROM tool_invocations WHERE request_id = @request_id");
        command.Parameters.Add(new NpgsqlParameter<Guid>("request_id", requestId));
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? MeshJson.Deserialize<ToolResult>(json) : null;
    }

    public async ValueTask DisposeAsync()
    {
        await claims.DisposeAsync();
        await finishes.DisposeAsync();
    }

    private async Task<IReadOnlyList<Claim>> ClaimBatchAsync(IReadOnlyList<ClaimRow> rows)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(ClaimSql, connection);
        var parameters = command.Parameters;
        parameters.Add(Column("request_ids", rows, r => r.Request.RequestId, NpgsqlDbType.Uuid));
        parameters.Add(Column("session_ids", rows, r => r.Request.SessionId, NpgsqlDbType.Uuid));
        parameters.Add(Column("tenant_ids", rows, r => r.Request.TenantId, NpgsqlDbType.Text));
        parameters.Add(Column("actor_ids", rows, r => r.Request.ActorId, NpgsqlDbType.Text));
        parameters.Add(Column("tools", rows, r => r.Request.Tool, NpgsqlDbType.Text));
        parameters.Add(Column("executor_ids", rows, r => r.ExecutorId, NpgsqlDbType.Text));
        await command.PrepareAsync();

        var found = new Dictionary<Guid, Claim>(rows.Count);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                found[reader.GetGuid(0)] = reader.GetBoolean(1) ? new Claim(RecordState.New, null)
                    : reader.IsDBNull(2) ? new Claim(RecordState.Unfinished, null)
                    : new Claim(RecordState.Finished, MeshJson.Deserialize<ToolResult>(reader.GetString(2)));
            }
        }
        return [.. rows.Select(r => found[r.Request.RequestId])];
    }

    private async Task<IReadOnlyList<FinishedRow>> FinishBatchAsync(IReadOnlyList<FinishRow> rows)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(FinishSql, connection);
        var parameters = command.Parameters;
        parameters.Add(Column("request_ids", rows, r => r.Result.RequestId, NpgsqlDbType.Uuid));
        parameters.Add(Column("statuses", rows, r => MeshJson.WireName(r.Result.Status), NpgsqlDbType.Text));
        parameters.Add(Column("durations_ms", rows, r => r.Result.DurationMs, NpgsqlDbType.Bigint));
        parameters.Add(Column("results", rows, r => r.Json, NpgsqlDbType.Text));
        parameters.Add(Column("executor_ids", rows, r => r.Result.ExecutorId, NpgsqlDbType.Text));
        parameters.Add(Column("tenant_ids", rows, r => r.Result.TenantId, NpgsqlDbType.Text));
        parameters.Add(Column("actor_ids", rows, r => r.Audit.ActorId, NpgsqlDbType.Text));
        parameters.Add(Column("persona_ids", rows, r => r.Audit.PersonaId, NpgsqlDbType.Text));
        parameters.Add(Column("tools", rows, r => r.Result.Tool, NpgsqlDbType.Text));
        parameters.Add(Column("argument_digests", rows, r => r.Audit.ArgumentDigest, NpgsqlDbType.Text));
        parameters.Add(Column("error_codes", rows, r => r.Result.Error?.Code, NpgsqlDbType.Text));
        parameters.Add(Column("from_cache", rows, r => r.Result.FromCache, NpgsqlDbType.Boolean));
        parameters.Add(Column("policy_decision_ids", rows, r => r.Result.PolicyDecisionId, NpgsqlDbType.Uuid));
        await command.PrepareAsync();

        var found = new Dictionary<Guid, FinishedRow>(rows.Count);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                found[reader.GetGuid(0)] = new FinishedRow(reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetString(2));
            }
        }
        return [.. rows.Select(r => found[r.Result.RequestId])];
    }

    private static NpgsqlParameter Column<TRow, TValue>(string name, IReadOnlyList<TRow> rows, Func<TRow, TValue> value, NpgsqlDbType type) =>
        new(name, NpgsqlDbType.Array | type) { Value = rows.Select(value).ToArray() };

    private sealed record ClaimRow(ToolRequest Request, string ExecutorId);

    private sealed record FinishRow(ToolResult Result, AuditEntry Audit, string Json);

    private sealed record FinishedRow(bool Written, string? Recorded);
}
