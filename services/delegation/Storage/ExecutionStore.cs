using Mesh.Contracts.Delegation;
using Mesh.Delegation.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Mesh.Delegation.Storage;

/// <summary>
/// Executions, their tasks, every status transition, intent records and receipts in PostgreSQL. Status changes are
/// conditional on the current status, so a late or repeated event never moves a finished task or execution again.
/// </summary>
public sealed class ExecutionStore(NpgsqlDataSource dataSource)
{
    private const string ExecutionColumns =
        """
        id, tenant_id, actor_id, goal, max_depth, base_depth, config_profile, metadata::text, status, executor, external_id,
        allowed_tools, time_budget_ms, token_budget, tokens_used, tokens_delegated, parent_execution_id, parent_task_id,
        parent_session_id, result, error_code, error_message, created_at, started_at, finished_at, updated_at
        """;

    private const string TaskColumns =
        """
        id, execution_id, parent_task_id, ordinal, depth, kind, goal, depends_on, status, session_id, turn_id, dispatched_at,
        result, error_code, error_message, input_tokens, output_tokens, created_at, started_at, finished_at
        """;

    private static readonly string[] Unfinished = ["pending", "running"];

    /// <summary>
    /// Stores a new pending execution with its intent record, in one transaction. A nested execution's token budget is
    /// taken out of its parent's remaining tokens at the same time.
    /// </summary>
    public async Task CreateAsync(NewExecution execution, IntentRecord intent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(intent);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO delegation_executions (id, tenant_id, actor_id, goal, max_depth, base_depth, config_profile, metadata, status,
                executor, allowed_tools, time_budget_ms, token_budget, parent_execution_id, parent_task_id, parent_session_id, created_at, updated_at)
            VALUES (@id, @tenant, @actor, @goal, @max_depth, @base_depth, @profile, @metadata::jsonb, 'pending',
                @executor, @tools, @time, @tokens, @parent_execution, @parent_task, @parent_session, @at, @at)
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("id", execution.Id);
            insert.Parameters.AddWithValue("tenant", execution.TenantId);
            insert.Parameters.AddWithValue("actor", execution.ActorId);
            insert.Parameters.AddWithValue("goal", execution.Goal);
            insert.Parameters.AddWithValue("max_depth", execution.MaxDepth);
            insert.Parameters.AddWithValue("base_depth", execution.BaseDepth);
            insert.Parameters.AddWithValue("profile", execution.ConfigProfile);
            insert.Parameters.AddWithValue("metadata", execution.MetadataJson);
            insert.Parameters.AddWithValue("executor", execution.Executor);
            insert.Parameters.Add(new NpgsqlParameter("tools", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (object?)execution.AllowedTools?.ToArray() ?? DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter<long?>("time", execution.TimeBudgetMs));
            insert.Parameters.Add(new NpgsqlParameter<long?>("tokens", execution.TokenBudget));
            insert.Parameters.Add(new NpgsqlParameter<Guid?>("parent_execution", execution.ParentExecutionId));
            insert.Parameters.Add(new NpgsqlParameter<Guid?>("parent_task", execution.ParentTaskId));
            insert.Parameters.Add(new NpgsqlParameter<Guid?>("parent_session", execution.ParentSessionId));
            insert.Parameters.AddWithValue("at", execution.CreatedAt);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var record = new NpgsqlCommand(
            "INSERT INTO delegation_intents (execution_id, inputs, digest, created_at) VALUES (@id, @inputs, @digest, @at)", connection, transaction))
        {
            record.Parameters.AddWithValue("id", execution.Id);
            record.Parameters.AddWithValue("inputs", intent.Inputs);
            record.Parameters.AddWithValue("digest", intent.Digest);
            record.Parameters.AddWithValue("at", intent.CreatedAt);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        if (execution.ParentExecutionId is { } parent && execution.TokenBudget is { } slice)
        {
            await using var reserve = new NpgsqlCommand(
                "UPDATE delegation_executions SET tokens_delegated = tokens_delegated + @slice, updated_at = now() WHERE id = @parent AND token_budget IS NOT NULL",
                connection, transaction);
            reserve.Parameters.AddWithValue("slice", slice);
            reserve.Parameters.AddWithValue("parent", parent);
            await reserve.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertTransitionAsync(connection, transaction, execution.Id, null, null, "pending", "accepted", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The execution, if it exists and belongs to <paramref name="tenantScope"/> (null: any tenant).</summary>
    public async Task<ExecutionRecord?> GetAsync(Guid id, string? tenantScope, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {ExecutionColumns} FROM delegation_executions WHERE id = @id AND (@tenant::text IS NULL OR tenant_id = @tenant)");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.Add(new NpgsqlParameter<string?>("tenant", tenantScope));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadExecution(reader) : null;
    }

    /// <summary>A page of executions, newest first, optionally of one status; <paramref name="before"/> is the paging cursor.</summary>
    public async Task<IReadOnlyList<ExecutionRecord>> ListAsync(
        string? tenantScope, DelegationStatus? status, Guid? before, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT {ExecutionColumns} FROM delegation_executions
            WHERE (@tenant::text IS NULL OR tenant_id = @tenant) AND (@status::text IS NULL OR status = @status) AND (@before::uuid IS NULL OR id < @before)
            ORDER BY id DESC LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter<string?>("tenant", tenantScope));
        command.Parameters.Add(new NpgsqlParameter<string?>("status", status is { } s ? Statuses.Name(s) : null));
        command.Parameters.Add(new NpgsqlParameter<Guid?>("before", before));
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<ExecutionRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(ReadExecution(reader));
        }

        return list;
    }

    public async Task<IReadOnlyList<TaskRecord>> TasksAsync(Guid executionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {TaskColumns} FROM delegation_tasks WHERE execution_id = @id ORDER BY ordinal");
        command.Parameters.AddWithValue("id", executionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<TaskRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(ReadTask(reader));
        }

        return list;
    }

    public async Task<IReadOnlyList<TransitionRecord>> TransitionsAsync(Guid executionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, task_id, from_status, to_status, reason, at FROM delegation_transitions WHERE execution_id = @id ORDER BY id");
        command.Parameters.AddWithValue("id", executionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<TransitionRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new TransitionRecord(
                reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return list;
    }

    /// <summary>The task whose child session is <paramref name="sessionId"/>, with its execution.</summary>
    public async Task<(ExecutionRecord Execution, TaskRecord Task)?> FindBySessionAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {TaskColumns} FROM delegation_tasks WHERE session_id = @session");
        command.Parameters.AddWithValue("session", sessionId);
        TaskRecord task;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            task = ReadTask(reader);
        }

        var execution = await GetAsync(task.ExecutionId, null, cancellationToken);
        return execution is null ? null : (execution, task);
    }

    /// <summary>How many nested executions a task has started.</summary>
    public async Task<int> CountNestedAsync(Guid parentTaskId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM delegation_executions WHERE parent_task_id = @task");
        command.Parameters.AddWithValue("task", parentTaskId);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Ids of executions still pending or running, oldest first.</summary>
    public async Task<IReadOnlyList<Guid>> UnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT id FROM delegation_executions WHERE status = ANY(@statuses) ORDER BY id");
        command.Parameters.AddWithValue("statuses", Unfinished);
        return await ReadIdsAsync(command, cancellationToken);
    }

    /// <summary>Ids of the unfinished nested executions started from tasks of <paramref name="executionId"/>.</summary>
    public async Task<IReadOnlyList<Guid>> UnfinishedChildrenAsync(Guid executionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id FROM delegation_executions WHERE parent_execution_id = @id AND status = ANY(@statuses) ORDER BY id");
        command.Parameters.AddWithValue("id", executionId);
        command.Parameters.AddWithValue("statuses", Unfinished);
        return await ReadIdsAsync(command, cancellationToken);
    }

    /// <summary>Stores the plan and moves the execution from pending to running; false when it was no longer pending.</summary>
    public async Task<bool> StartAsync(Guid executionId, IReadOnlyList<PlannedTask> plan, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var start = new NpgsqlCommand(
            "UPDATE delegation_executions SET status = 'running', started_at = @at, updated_at = @at WHERE id = @id AND status = 'pending'",
            connection, transaction))
        {
            start.Parameters.AddWithValue("id", executionId);
            start.Parameters.AddWithValue("at", at);
            if (await start.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }

        foreach (var task in plan)
        {
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO delegation_tasks (id, execution_id, parent_task_id, ordinal, depth, kind, goal, depends_on, status, created_at)
                VALUES (@id, @execution, @parent, @ordinal, @depth, @kind, @goal, @depends, 'pending', @at)
                """, connection, transaction);
            insert.Parameters.AddWithValue("id", task.Id);
            insert.Parameters.AddWithValue("execution", executionId);
            insert.Parameters.Add(new NpgsqlParameter<Guid?>("parent", task.ParentId));
            insert.Parameters.AddWithValue("ordinal", task.Ordinal);
            insert.Parameters.AddWithValue("depth", task.Depth);
            insert.Parameters.AddWithValue("kind", KindName(task.Kind));
            insert.Parameters.AddWithValue("goal", task.Goal);
            insert.Parameters.AddWithValue("depends", task.DependsOn.ToArray());
            insert.Parameters.AddWithValue("at", at);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertTransitionAsync(connection, transaction, executionId, null, "pending", "running", $"planned {plan.Count} tasks", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Records the external executor's id of a forwarded execution and moves it to running.</summary>
    public async Task<bool> StartExternalAsync(Guid executionId, string externalId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var start = new NpgsqlCommand(
            """
            UPDATE delegation_executions SET status = 'running', external_id = @external, started_at = @at, updated_at = @at
            WHERE id = @id AND status = 'pending'
            """, connection, transaction))
        {
            start.Parameters.AddWithValue("id", executionId);
            start.Parameters.AddWithValue("external", externalId);
            start.Parameters.AddWithValue("at", at);
            if (await start.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }

        await InsertTransitionAsync(connection, transaction, executionId, null, "pending", "running", "forwarded to the external executor", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Moves a pending task to running. A work task gets its child session and turn; its message counts as sent only
    /// once <see cref="MarkDispatchedAsync"/> ran.
    /// </summary>
    public async Task<bool> RunTaskAsync(Guid executionId, Guid taskId, Guid? sessionId, Guid? turnId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var update = new NpgsqlCommand(
            """
            UPDATE delegation_tasks SET status = 'running', session_id = @session, turn_id = @turn, started_at = @at
            WHERE id = @id AND status = 'pending'
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("id", taskId);
            update.Parameters.Add(new NpgsqlParameter<Guid?>("session", sessionId));
            update.Parameters.Add(new NpgsqlParameter<Guid?>("turn", turnId));
            update.Parameters.AddWithValue("at", at);
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }

        await InsertTransitionAsync(connection, transaction, executionId, taskId, "pending", "running", sessionId is null ? null : "child session started", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task MarkDispatchedAsync(Guid taskId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE delegation_tasks SET dispatched_at = @at WHERE id = @id AND dispatched_at IS NULL");
        command.Parameters.AddWithValue("id", taskId);
        command.Parameters.AddWithValue("at", at);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Ends a task that is not yet finished with <paramref name="outcome"/>, adding the tokens it used to its execution;
    /// false when the task had already ended.
    /// </summary>
    public async Task<bool> EndTaskAsync(
        Guid executionId, Guid taskId, Outcome outcome, long inputTokens, long outputTokens, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string from;
        await using (var update = new NpgsqlCommand(
            """
            UPDATE delegation_tasks t SET status = @status, result = @result, error_code = @code, error_message = @message,
                input_tokens = @input, output_tokens = @output, finished_at = @at
            FROM (SELECT id, status FROM delegation_tasks WHERE id = @id FOR UPDATE) old
            WHERE t.id = old.id AND old.status = ANY(@unfinished)
            RETURNING old.status
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("id", taskId);
            update.Parameters.AddWithValue("status", Statuses.Name(outcome.Status));
            update.Parameters.Add(new NpgsqlParameter<string?>("result", outcome.Result));
            update.Parameters.Add(new NpgsqlParameter<string?>("code", outcome.ErrorCode));
            update.Parameters.Add(new NpgsqlParameter<string?>("message", outcome.ErrorMessage));
            update.Parameters.AddWithValue("input", inputTokens);
            update.Parameters.AddWithValue("output", outputTokens);
            update.Parameters.AddWithValue("at", at);
            update.Parameters.AddWithValue("unfinished", Unfinished);
            if (await update.ExecuteScalarAsync(cancellationToken) is not string previous)
            {
                return false;
            }

            from = previous;
        }

        if (inputTokens + outputTokens > 0)
        {
            await using var tokens = new NpgsqlCommand(
                "UPDATE delegation_executions SET tokens_used = tokens_used + @tokens, updated_at = @at WHERE id = @id", connection, transaction);
            tokens.Parameters.AddWithValue("id", executionId);
            tokens.Parameters.AddWithValue("tokens", inputTokens + outputTokens);
            tokens.Parameters.AddWithValue("at", at);
            await tokens.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertTransitionAsync(connection, transaction, executionId, taskId, from, Statuses.Name(outcome.Status), outcome.ErrorCode, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Ends an execution that is not yet finished: its unfinished tasks are cancelled, its receipt is written, and a
    /// nested execution hands its unused token slice back to its parent and adds what it used. False when it had
    /// already ended. Returns the tasks that were still running (their child sessions get a cancel).
    /// </summary>
    public async Task<(bool Finished, IReadOnlyList<TaskRecord> Interrupted)> FinishAsync(
        Guid executionId, Outcome outcome, ReceiptRecord receipt, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(receipt);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string from;
        await using (var update = new NpgsqlCommand(
            """
            UPDATE delegation_executions e SET status = @status, result = @result, error_code = @code, error_message = @message,
                finished_at = @at, updated_at = @at
            FROM (SELECT id, status FROM delegation_executions WHERE id = @id FOR UPDATE) old
            WHERE e.id = old.id AND old.status = ANY(@unfinished)
            RETURNING old.status
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("id", executionId);
            update.Parameters.AddWithValue("status", Statuses.Name(outcome.Status));
            update.Parameters.Add(new NpgsqlParameter<string?>("result", outcome.Result));
            update.Parameters.Add(new NpgsqlParameter<string?>("code", outcome.ErrorCode));
            update.Parameters.Add(new NpgsqlParameter<string?>("message", outcome.ErrorMessage));
            update.Parameters.AddWithValue("at", at);
            update.Parameters.AddWithValue("unfinished", Unfinished);
            if (await update.ExecuteScalarAsync(cancellationToken) is not string previous)
            {
                return (false, []);
            }

            from = previous;
        }

        var interrupted = new List<TaskRecord>();
        await using (var unfinished = new NpgsqlCommand(
            $"SELECT {TaskColumns} FROM delegation_tasks WHERE execution_id = @id AND status = ANY(@unfinished) ORDER BY ordinal FOR UPDATE",
            connection, transaction))
        {
            unfinished.Parameters.AddWithValue("id", executionId);
            unfinished.Parameters.AddWithValue("unfinished", Unfinished);
            await using var reader = await unfinished.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                interrupted.Add(ReadTask(reader));
            }
        }

        await using (var cancel = new NpgsqlCommand(
            """
            UPDATE delegation_tasks SET status = 'cancelled', error_code = @code, error_message = @message, finished_at = @at
            WHERE execution_id = @id AND status = ANY(@unfinished)
            """, connection, transaction))
        {
            cancel.Parameters.AddWithValue("id", executionId);
            cancel.Parameters.AddWithValue("code", outcome.Status == DelegationStatus.Cancelled ? ErrorCodes.Cancelled : outcome.ErrorCode ?? ErrorCodes.Cancelled);
            cancel.Parameters.AddWithValue("message", $"The execution ended {Statuses.Name(outcome.Status)}.");
            cancel.Parameters.AddWithValue("at", at);
            cancel.Parameters.AddWithValue("unfinished", Unfinished);
            await cancel.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var task in interrupted)
        {
            await InsertTransitionAsync(connection, transaction, executionId, task.Id, Statuses.Name(task.Status), "cancelled", "execution ended", cancellationToken);
        }

        await InsertTransitionAsync(connection, transaction, executionId, null, from, Statuses.Name(outcome.Status), outcome.ErrorCode, cancellationToken);
        await using (var write = new NpgsqlCommand(
            "INSERT INTO delegation_receipts (execution_id, inputs, digest, signature, key_id, created_at) VALUES (@id, @inputs, @digest, @signature, @key, @at)",
            connection, transaction))
        {
            write.Parameters.AddWithValue("id", executionId);
            write.Parameters.AddWithValue("inputs", receipt.Inputs);
            write.Parameters.AddWithValue("digest", receipt.Digest);
            write.Parameters.AddWithValue("signature", receipt.Signature);
            write.Parameters.AddWithValue("key", receipt.KeyId);
            write.Parameters.AddWithValue("at", receipt.CreatedAt);
            await write.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var settle = new NpgsqlCommand(
            """
            UPDATE delegation_executions p SET
                tokens_delegated = greatest(0, p.tokens_delegated - coalesce(c.token_budget, 0)),
                tokens_used = p.tokens_used + c.tokens_used, updated_at = @at
            FROM delegation_executions c
            WHERE c.id = @id AND p.id = c.parent_execution_id AND p.token_budget IS NOT NULL
            """, connection, transaction))
        {
            settle.Parameters.AddWithValue("id", executionId);
            settle.Parameters.AddWithValue("at", at);
            await settle.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (true, [.. interrupted.Where(t => t.Status == DelegationStatus.Running)]);
    }

    public async Task<IntentRecord?> IntentAsync(Guid executionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT execution_id, inputs, digest, created_at FROM delegation_intents WHERE execution_id = @id");
        command.Parameters.AddWithValue("id", executionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new IntentRecord(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }

    public async Task<ReceiptRecord?> ReceiptAsync(Guid executionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT execution_id, inputs, digest, signature, key_id, created_at FROM delegation_receipts WHERE execution_id = @id");
        command.Parameters.AddWithValue("id", executionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ReceiptRecord(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5))
            : null;
    }

    public static string KindName(TaskKind kind) => kind == TaskKind.Work ? "work" : "aggregate";

    private static async Task<IReadOnlyList<Guid>> ReadIdsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private static async Task InsertTransitionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid executionId, Guid? taskId, string? from, string to, string? reason,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO delegation_transitions (execution_id, task_id, from_status, to_status, reason) VALUES (@execution, @task, @from, @to, @reason)",
            connection, transaction);
        command.Parameters.AddWithValue("execution", executionId);
        command.Parameters.Add(new NpgsqlParameter<Guid?>("task", taskId));
        command.Parameters.Add(new NpgsqlParameter<string?>("from", from));
        command.Parameters.AddWithValue("to", to);
        command.Parameters.Add(new NpgsqlParameter<string?>("reason", reason));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static ExecutionRecord ReadExecution(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5), r.GetString(6), r.GetString(7),
        Statuses.Parse(r.GetString(8)), r.GetString(9), NullableString(r, 10), r.IsDBNull(11) ? null : r.GetFieldValue<string[]>(11),
        r.IsDBNull(12) ? null : r.GetInt64(12), r.IsDBNull(13) ? null : r.GetInt64(13), r.GetInt64(14), r.GetInt64(15),
        NullableGuid(r, 16), NullableGuid(r, 17), NullableGuid(r, 18), NullableString(r, 19), NullableString(r, 20), NullableString(r, 21),
        r.GetFieldValue<DateTimeOffset>(22), NullableTime(r, 23), NullableTime(r, 24), r.GetFieldValue<DateTimeOffset>(25));

    private static TaskRecord ReadTask(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetGuid(1), NullableGuid(r, 2), r.GetInt32(3), r.GetInt32(4), r.GetString(5) == "work" ? TaskKind.Work : TaskKind.Aggregate,
        r.GetString(6), r.GetFieldValue<Guid[]>(7), Statuses.Parse(r.GetString(8)), NullableGuid(r, 9), NullableGuid(r, 10), NullableTime(r, 11),
        NullableString(r, 12), NullableString(r, 13), NullableString(r, 14), r.GetInt64(15), r.GetInt64(16),
        r.GetFieldValue<DateTimeOffset>(17), NullableTime(r, 18), NullableTime(r, 19));

    private static string? NullableString(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static Guid? NullableGuid(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetGuid(i);

    private static DateTimeOffset? NullableTime(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
}
