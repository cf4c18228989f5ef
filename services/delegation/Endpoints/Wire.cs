using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Mesh.Contracts.Delegation;
using Mesh.Delegation.Domain;
using Mesh.Delegation.Receipts;
using Mesh.Delegation.Storage;

namespace Mesh.Delegation.Endpoints;

/// <summary><c>POST /v1/executions</c>.</summary>
public sealed record CreateExecutionRequest(
    string? Goal,
    int? MaxDepth,
    string? ConfigProfile,
    JsonObject? Metadata,
    long? TimeBudgetMs,
    long? TokenBudget,
    List<string>? AllowedTools,
    Guid? ParentSessionId,
    OnBehalfOf? OnBehalfOf);

/// <summary>Whom a service key starts an execution for (service keys only).</summary>
public sealed record OnBehalfOf(string? TenantId, string? ActorId);

/// <summary><c>POST /v1/receipts/verify</c>: an execution id (its stored receipt), or a presented receipt.</summary>
public sealed record VerifyReceiptRequest(Guid? ExecutionId, JsonNode? Inputs, string? Digest, string? Signature);

/// <summary>The JSON shapes of the delegation API (snake_case, nulls written).</summary>
public static class Wire
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static object Summary(ExecutionRecord e) => new
    {
        execution_id = e.Id,
        status = Statuses.Name(e.Status),
        job_state = Statuses.JobState(e.Status),
        goal = e.Goal,
        config_profile = e.ConfigProfile,
        max_depth = e.MaxDepth,
        tenant_id = e.TenantId,
        actor_id = e.ActorId,
        executor = e.Executor,
        error = Error(e.ErrorCode, e.ErrorMessage),
        created_at = e.CreatedAt,
        started_at = e.StartedAt,
        finished_at = e.FinishedAt,
    };

    public static object Detail(ExecutionRecord e, IReadOnlyList<TaskRecord> tasks, IReadOnlyList<TransitionRecord> transitions, IntentRecord? intent) => new
    {
        execution_id = e.Id,
        status = Statuses.Name(e.Status),
        job_state = Statuses.JobState(e.Status),
        goal = e.Goal,
        config_profile = e.ConfigProfile,
        max_depth = e.MaxDepth,
        base_depth = e.BaseDepth,
        tenant_id = e.TenantId,
        actor_id = e.ActorId,
        metadata = JsonNode.Parse(e.MetadataJson),
        executor = new { kind = e.Executor, external_id = e.ExternalId },
        parent = e.ParentExecutionId is null && e.ParentSessionId is null
            ? null
            : new { execution_id = e.ParentExecutionId, task_id = e.ParentTaskId, session_id = e.ParentSessionId },
        allowed_tools = e.AllowedTools,
        budgets = new
        {
            time_budget_ms = e.TimeBudgetMs,
            deadline = e.Deadline,
            token_budget = e.TokenBudget,
            tokens_used = e.TokensUsed,
            tokens_delegated = e.TokensDelegated,
            tokens_remaining = e.TokensRemaining,
        },
        result = e.Result,
        result_digest = Statuses.IsTerminal(e.Status) ? ReceiptDigests.TextDigest(e.Result) : null,
        error = Error(e.ErrorCode, e.ErrorMessage),
        created_at = e.CreatedAt,
        started_at = e.StartedAt,
        finished_at = e.FinishedAt,
        updated_at = e.UpdatedAt,
        tasks = tasks.Select(Task),
        statistics = Statistics(e, tasks),
        transitions = transitions.Select(t => new { task_id = t.TaskId, from = t.From, to = t.To, reason = t.Reason, at = t.At }),
        intent = intent is null ? null : new { digest = intent.Digest, inputs = JsonNode.Parse(intent.Inputs), created_at = intent.CreatedAt },
        links = Links(e.Id),
    };

    public static object Status(ExecutionRecord e, IReadOnlyList<TaskRecord> tasks)
    {
        var work = tasks.Where(t => t.Kind == TaskKind.Work).ToList();
        var done = work.Count(t => Statuses.IsTerminal(t.Status));
        return new
        {
            execution_id = e.Id,
            status = Statuses.Name(e.Status),
            job_state = Statuses.JobState(e.Status),
            progress = Statuses.IsTerminal(e.Status) ? 1.0 : work.Count == 0 ? 0.0 : Math.Round((double)done / work.Count, 4),
            total_tasks = tasks.Count,
            completed_tasks = tasks.Count(t => t.Status == DelegationStatus.Completed),
            failed_tasks = tasks.Count(t => t.Status == DelegationStatus.Failed),
            running_tasks = tasks.Count(t => t.Status == DelegationStatus.Running),
            tokens_used = e.TokensUsed,
            result = e.Result,
            error = Error(e.ErrorCode, e.ErrorMessage),
            updated_at = e.UpdatedAt,
            finished_at = e.FinishedAt,
        };
    }

    public static object Receipt(ExecutionRecord e, ReceiptRecord receipt, IntentRecord? intent) => new
    {
        execution_id = e.Id,
        status = Statuses.Name(e.Status),
        job_state = Statuses.JobState(e.Status),
        digest_algorithm = "sha256",
        digest = receipt.Digest,
        inputs = JsonNode.Parse(receipt.Inputs),
        canonical_inputs = receipt.Inputs,
        signature = new { algorithm = ReceiptSigner.Algorithm, key_id = receipt.KeyId, value = receipt.Signature },
        intent = intent is null ? null : new { digest = intent.Digest, inputs = JsonNode.Parse(intent.Inputs), canonical_inputs = intent.Inputs },
        created_at = receipt.CreatedAt,
    };

    public static object Verification(Guid? executionId, ReceiptVerification v) => new
    {
        execution_id = executionId,
        valid = v.Valid,
        result = v.Valid ? "valid" : "invalid",
        checks = new { digest = v.DigestValid, signature = v.SignatureValid, records = v.RecordsMatch },
        reasons = v.Reasons,
    };

    private static object Task(TaskRecord t) => new
    {
        task_id = t.Id,
        parent_task_id = t.ParentTaskId,
        ordinal = t.Ordinal,
        kind = ExecutionStore.KindName(t.Kind),
        goal = t.Goal,
        depth = t.Depth,
        depends_on = t.DependsOn,
        status = Statuses.Name(t.Status),
        job_state = Statuses.JobState(t.Status),
        session_id = t.SessionId,
        turn_id = t.TurnId,
        result = t.Result,
        error = Error(t.ErrorCode, t.ErrorMessage),
        tokens = new { input = t.InputTokens, output = t.OutputTokens },
        created_at = t.CreatedAt,
        started_at = t.StartedAt,
        finished_at = t.FinishedAt,
    };

    private static object Statistics(ExecutionRecord e, IReadOnlyList<TaskRecord> tasks) => new
    {
        total_tasks = tasks.Count,
        work_tasks = tasks.Count(t => t.Kind == TaskKind.Work),
        child_sessions = tasks.Count(t => t.SessionId is not null),
        status_counts = Enum.GetValues<DelegationStatus>().ToDictionary(Statuses.Name, s => tasks.Count(t => t.Status == s)),
        depth_distribution = tasks.GroupBy(t => t.Depth).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), g => g.Count()),
        max_depth_reached = tasks.Count == 0 ? (int?)null : tasks.Max(t => t.Depth),
        tokens_used = e.TokensUsed,
        duration_ms = e.FinishedAt is { } end ? (long?)(end - e.CreatedAt).TotalMilliseconds : null,
        is_complete = Statuses.IsTerminal(e.Status),
    };

    private static object? Error(string? code, string? message) => code is null ? null : new { code, message };

    private static object Links(Guid id) => new
    {
        self = $"/v1/executions/{id}",
        status = $"/v1/executions/{id}/status",
        cancel = $"/v1/executions/{id}/cancel",
        receipt = $"/v1/executions/{id}/receipt",
    };
}
