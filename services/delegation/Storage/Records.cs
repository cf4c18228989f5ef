using Mesh.Contracts.Delegation;
using Mesh.Delegation.Domain;

namespace Mesh.Delegation.Storage;

/// <summary>Which engine runs an execution: the mesh itself, or the external ROMA-compatible executor.</summary>
public static class Executors
{
    public const string Mesh = "mesh";
    public const string Roma = "roma";
}

/// <summary>An execution as stored.</summary>
public sealed record ExecutionRecord(
    Guid Id,
    string TenantId,
    string ActorId,
    string Goal,
    int MaxDepth,
    int BaseDepth,
    string ConfigProfile,
    string MetadataJson,
    DelegationStatus Status,
    string Executor,
    string? ExternalId,
    IReadOnlyList<string>? AllowedTools,
    long? TimeBudgetMs,
    long? TokenBudget,
    long TokensUsed,
    long TokensDelegated,
    Guid? ParentExecutionId,
    Guid? ParentTaskId,
    Guid? ParentSessionId,
    string? Result,
    string? ErrorCode,
    string? ErrorMessage,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The end of the time budget, which counts from acceptance.</summary>
    public DateTimeOffset? Deadline => TimeBudgetMs is { } ms ? CreatedAt + TimeSpan.FromMilliseconds(ms) : null;

    public long? TokensRemaining => Budgets.TokensRemaining(TokenBudget, TokensUsed, TokensDelegated);
}

/// <summary>A task as stored.</summary>
public sealed record TaskRecord(
    Guid Id,
    Guid ExecutionId,
    Guid? ParentTaskId,
    int Ordinal,
    int Depth,
    TaskKind Kind,
    string Goal,
    IReadOnlyList<Guid> DependsOn,
    DelegationStatus Status,
    Guid? SessionId,
    Guid? TurnId,
    DateTimeOffset? DispatchedAt,
    string? Result,
    string? ErrorCode,
    string? ErrorMessage,
    long InputTokens,
    long OutputTokens,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt)
{
    public TaskSnapshot ToSnapshot() => new(Id, ParentTaskId, Ordinal, Depth, Kind, Goal, DependsOn, Status, Result, ErrorCode, StartedAt);
}

/// <summary>One recorded status change of an execution (no task) or of one of its tasks.</summary>
public sealed record TransitionRecord(long Id, Guid? TaskId, string? From, string To, string? Reason, DateTimeOffset At);

/// <summary>A stored intent record or receipt: the canonical inputs and their digest.</summary>
public sealed record IntentRecord(Guid ExecutionId, string Inputs, string Digest, DateTimeOffset CreatedAt);

/// <summary>A stored receipt: canonical inputs, digest, signature (base64 DER ECDSA P-256 SHA-256) and the key's id.</summary>
public sealed record ReceiptRecord(Guid ExecutionId, string Inputs, string Digest, string Signature, string KeyId, DateTimeOffset CreatedAt);

/// <summary>A new execution as accepted by the API.</summary>
public sealed record NewExecution(
    Guid Id,
    string TenantId,
    string ActorId,
    string Goal,
    int MaxDepth,
    int BaseDepth,
    string ConfigProfile,
    string MetadataJson,
    string Executor,
    IReadOnlyList<string>? AllowedTools,
    long? TimeBudgetMs,
    long? TokenBudget,
    Guid? ParentExecutionId,
    Guid? ParentTaskId,
    Guid? ParentSessionId,
    DateTimeOffset CreatedAt);
