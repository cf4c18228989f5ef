using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mesh.Contracts.Common;
using Mesh.Delegation.Domain;
using Mesh.Delegation.Options;
using Mesh.Delegation.Receipts;
using Mesh.Delegation.Storage;
using Mesh.Infra.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Delegation.Execution;

/// <summary>A validated request to start an execution.</summary>
public sealed record ExecutionRequest(
    string Goal,
    int MaxDepth,
    string ConfigProfile,
    JsonObject Metadata,
    long? TimeBudgetMs,
    long? TokenBudget,
    IReadOnlyList<string>? AllowedTools,
    Guid? ParentSessionId,
    string? OnBehalfOfTenant,
    string? OnBehalfOfActor);

/// <summary>Why a request was not accepted: an HTTP status, a stable code and words.</summary>
public sealed record IntakeRefusal(int Status, string Code, string Message);

/// <summary>
/// Accepts executions. The tenant and actor come from the caller's key (a service key may name them with
/// <c>on_behalf_of</c>). A request made from one of this service's child sessions (<c>parent_session_id</c>) starts a
/// nested execution under the authority of the delegating task (<see cref="Authority"/>): same tenant, the parent's
/// actor, one level deeper, within the parent's depth limit, remaining budgets and tools. The intent record is written
/// with the execution, before it starts.
/// </summary>
public sealed partial class ExecutionIntake(
    ExecutionStore store,
    ExecutionCoordinator coordinator,
    IOptions<DelegationOptions> options,
    IOptions<RomaOptions> roma,
    TimeProvider time,
    ILogger<ExecutionIntake> logger)
{
    public const int MaxGoalLength = 32768;
    public const int MaxMetadataBytes = 16384;
    public const int MaxAllowedTools = 32;
    public const int MaxAllowedToolsLength = 256;

    private readonly DelegationOptions settings = options.Value;

    /// <summary>Checks the shape of a request; null when it is well-formed.</summary>
    public string? Validate(ExecutionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return string.IsNullOrWhiteSpace(request.Goal) ? "'goal' is required."
            : request.Goal.Length > MaxGoalLength ? $"'goal' is longer than {MaxGoalLength} characters."
            : request.MaxDepth < 0 || request.MaxDepth > settings.MaxDepthLimit ? $"'max_depth' must be between 0 and {settings.MaxDepthLimit}."
            : !settings.Profiles.ContainsKey(request.ConfigProfile) && !roma.Value.Forwards(request.ConfigProfile)
                ? $"'config_profile' '{request.ConfigProfile}' is not configured."
            : System.Text.Encoding.UTF8.GetByteCount(request.Metadata.ToJsonString()) > MaxMetadataBytes ? $"'metadata' is larger than {MaxMetadataBytes} bytes."
            : request.TimeBudgetMs is { } ms && (ms < 1 || ms > settings.MaxTimeBudget.TotalMilliseconds)
                ? $"'time_budget_ms' must be between 1 and {settings.MaxTimeBudget.TotalMilliseconds:0}."
            : request.TokenBudget is < 1 ? "'token_budget' must be at least 1."
            : request.AllowedTools is { } tools && (tools.Count > MaxAllowedTools || tools.Any(t => !ToolName().IsMatch(t)) || string.Join(',', tools).Length > MaxAllowedToolsLength)
                ? $"'allowed_tools' must be at most {MaxAllowedTools} tool names, {MaxAllowedToolsLength} characters in all."
            : request.OnBehalfOfTenant is { } tenant && !TenantId().IsMatch(tenant) ? "'on_behalf_of.tenant_id' is not a valid tenant id."
            : request.OnBehalfOfActor is { } actor && !ActorId().IsMatch(actor) ? "'on_behalf_of.actor_id' is not a valid actor id."
            : (request.OnBehalfOfTenant is null) != (request.OnBehalfOfActor is null) ? "'on_behalf_of' needs both tenant_id and actor_id."
            : null;
    }

    /// <summary>Stores and launches a new execution, or says why not.</summary>
    public async Task<(ExecutionRecord? Execution, IntakeRefusal? Refusal)> AcceptAsync(
        ApiKeyPrincipal caller, ExecutionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        if (request.OnBehalfOfTenant is not null && !caller.IsService)
        {
            return (null, new IntakeRefusal(403, "on_behalf_of_forbidden", "Only service keys may start executions on behalf of others."));
        }

        var tenant = request.OnBehalfOfTenant ?? caller.TenantId;
        var actor = request.OnBehalfOfActor ?? caller.Actor;
        var now = time.GetUtcNow();
        ParentGrant? parent = null;
        if (request.ParentSessionId is { } parentSession && await store.FindBySessionAsync(parentSession, cancellationToken) is { } found
            && found.Execution.TenantId == tenant)
        {
            if (Statuses.IsTerminal(found.Execution.Status) || found.Task.Status != Contracts.Delegation.DelegationStatus.Running)
            {
                return (null, new IntakeRefusal(409, "parent_not_running", "The delegating task is not running any more."));
            }

            var nested = await store.CountNestedAsync(found.Task.Id, cancellationToken);
            parent = new ParentGrant(
                found.Execution.Id, found.Task.Id, found.Execution.TenantId, found.Execution.ActorId, found.Task.Depth, found.Execution.MaxDepth,
                found.Execution.AllowedTools, found.Execution.TokensRemaining, found.Execution.Deadline, nested);
            actor = found.Execution.ActorId;
        }

        var profileTools = settings.Profiles.TryGetValue(request.ConfigProfile, out var profile) ? profile.AllowedTools : null;
        var (grant, refusal) = Authority.Narrow(
            new GrantRequest(request.MaxDepth, request.AllowedTools, profileTools, request.TokenBudget, request.TimeBudgetMs), parent, settings.MaxFanOut, now);
        if (refusal is not null)
        {
            return (null, new IntakeRefusal(422, refusal.Code, refusal.Message));
        }

        var executor = roma.Value.Forwards(request.ConfigProfile) ? Executors.Roma : Executors.Mesh;
        var execution = new NewExecution(
            TimeOrderedIds.NewId(), tenant, actor, request.Goal, grant!.MaxDepth, grant.BaseDepth, request.ConfigProfile, request.Metadata.ToJsonString(),
            executor, grant.AllowedTools, grant.TimeBudgetMs, grant.TokenBudget, parent?.ExecutionId, parent?.TaskId, request.ParentSessionId, now);
        var intent = ReceiptService.Intent(new IntentInputs(
            tenant, actor, execution.Id, ReceiptDigests.TextDigest(request.Goal), request.ConfigProfile,
            grant.MaxDepth, grant.BaseDepth, executor, grant.AllowedTools, grant.TokenBudget, grant.TimeBudgetMs, parent?.ExecutionId, parent?.TaskId, now));
        await store.CreateAsync(execution, intent, cancellationToken);
        DelegationMetrics.Entered("pending", executor);
        DelegationMetrics.Active("pending", 1);
        Log.Accepted(logger, execution.Id, tenant, request.ConfigProfile, executor, grant.MaxDepth);
        var stored = await store.GetAsync(execution.Id, null, cancellationToken);
        coordinator.Launch(execution.Id);
        return (stored, null);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$")]
    private static partial Regex ToolName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex TenantId();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")]
    private static partial Regex ActorId();
}
