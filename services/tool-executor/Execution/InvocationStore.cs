using Dapper;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;
using Mesh.ToolExecutor.Domain;
using Npgsql;

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
/// </summary>
public sealed class InvocationStore(NpgsqlDataSource database)
{
    /// <summary>Records that this executor takes the request; tells whether it is new, done, or left unfinished by a crash.</summary>
    public async Task<Claim> ClaimAsync(ToolRequest request, string executorId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<(bool Inserted, string? Result)>(new CommandDefinition(
            """
            INSERT INTO tool_invocations (request_id, session_id, tenant_id, actor_id, tool, executor_id)
            VALUES (@RequestId, @SessionId, @TenantId, @ActorId, @Tool, @executorId)
            ON CONFLICT (request_id) DO UPDATE SET
                deliveries = tool_invocations.deliveries + 1,
                executor_id = CASE WHEN tool_invocations.finished_at IS NULL THEN EXCLUDED.executor_id ELSE tool_invocations.executor_id END
            RETURNING (xmax = 0) AS inserted, result::text AS result
            """,
            new { request.RequestId, request.SessionId, request.TenantId, request.ActorId, request.Tool, executorId },
            cancellationToken: cancellationToken));
        return row switch
        {
            { Inserted: true } => new Claim(RecordState.New, null),
            { Result: { } result } => new Claim(RecordState.Finished, MeshJson.Deserialize<ToolResult>(result)),
            _ => new Claim(RecordState.Unfinished, null),
        };
    }

    /// <summary>
    /// Records the result and its audit row, unless a result is already recorded (then nothing is written and
    /// the recorded result is returned, so the caller publishes that one).
    /// </summary>
    public async Task<ToolResult> FinishAsync(ToolRequest request, ToolResult result, AuditEntry audit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var written = await connection.ExecuteAsync(new CommandDefinition(
            """
            WITH finished AS (
                UPDATE tool_invocations
                SET finished_at = now(), status = @status, duration_ms = @DurationMs, result = @json::json, executor_id = @ExecutorId
                WHERE request_id = @RequestId AND finished_at IS NULL
                RETURNING request_id)
            INSERT INTO tool_audit (request_id, tenant_id, actor_id, persona_id, tool, argument_digest, outcome, error_code,
                                    from_cache, duration_ms, policy_decision_id, executor_id)
            SELECT request_id, @TenantId, @ActorId, @PersonaId, @Tool, @ArgumentDigest, @status, @errorCode,
                   @FromCache, @DurationMs, @PolicyDecisionId, @ExecutorId
            FROM finished
            """,
            new
            {
                result.RequestId,
                result.TenantId,
                result.Tool,
                result.DurationMs,
                result.FromCache,
                result.PolicyDecisionId,
                result.ExecutorId,
                audit.ActorId,
                audit.PersonaId,
                audit.ArgumentDigest,
                status = ToolOutcome.WireName(result.Status),
                errorCode = result.Error?.Code,
                json = MeshJson.Serialize(result),
            },
            cancellationToken: cancellationToken));
        if (written == 1)
        {
            return result;
        }
        return await FindAsync(request.RequestId, cancellationToken)
            ?? throw new InvalidOperationException($"The invocation record of {request.RequestId} disappeared.");
    }

    /// <summary>The recorded result of a request, or null while none is recorded.</summary>
    public async Task<ToolResult?> FindAsync(Guid requestId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var json = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT result::text FROM tool_invocations WHERE request_id = @requestId", new { requestId }, cancellationToken: cancellationToken));
        return json is null ? null : MeshJson.Deserialize<ToolResult>(json);
    }
}
