using System.Text.Json;
using Mesh.Delegation.Domain;
using Mesh.Delegation.Execution;
using Mesh.Delegation.Options;
using Mesh.Delegation.Storage;
using Mesh.Infra.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Mesh.Delegation.Endpoints;

/// <summary>
/// The execution API: start, read (DAG with statuses, results and statistics), status (with the job state, optionally
/// waiting for the end), cancel, and a paged list. A caller sees only its tenant's executions (another tenant's are
/// 404); service keys see every tenant's.
/// </summary>
public static class ExecutionEndpoints
{
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;
    private const int MaxWaitMs = 30_000;

    public static IEndpointRouteBuilder MapExecutionApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/executions");
        group.MapPost("", CreateAsync);
        group.MapGet("", ListAsync);
        group.MapGet("/{id:guid}", GetAsync);
        group.MapGet("/{id:guid}/status", StatusAsync);
        group.MapPost("/{id:guid}/cancel", CancelAsync);
        return endpoints;
    }

    /// <summary>The tenant whose executions the caller may see; null for service keys (every tenant).</summary>
    public static string? Scope(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var caller = http.User.Caller();
        return caller.IsService ? null : caller.TenantId;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, ExecutionIntake intake)
    {
        CreateExecutionRequest? body;
        try
        {
            body = await http.Request.ReadFromJsonAsync<CreateExecutionRequest>(Wire.Json, http.RequestAborted);
        }
        catch (JsonException e)
        {
            return Problems.BadRequest($"The body is not a valid execution request: {e.Message}");
        }

        if (body is null)
        {
            return Problems.BadRequest("A JSON body is required.");
        }

        var request = new ExecutionRequest(
            body.Goal ?? "", body.MaxDepth ?? 2, body.ConfigProfile ?? DelegationOptions.DefaultProfile, body.Metadata ?? [], body.TimeBudgetMs,
            body.TokenBudget, body.AllowedTools, body.ParentSessionId, body.OnBehalfOf?.TenantId, body.OnBehalfOf?.ActorId);
        if (intake.Validate(request) is { } problem)
        {
            return Problems.BadRequest(problem);
        }

        var (execution, refusal) = await intake.AcceptAsync(http.User.Caller(), request, http.RequestAborted);
        if (refusal is not null)
        {
            return Problems.Refused(refusal.Status, refusal.Code, refusal.Message);
        }

        http.Response.Headers.Location = $"/v1/executions/{execution!.Id}";
        return Results.Json(Wire.Summary(execution), Wire.Json, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ListAsync(HttpContext http, ExecutionStore store, string? status, int? limit, Guid? cursor)
    {
        Contracts.Delegation.DelegationStatus? filter = null;
        if (status is not null)
        {
            if (!Statuses.TryParse(status, out var parsed))
            {
                return Problems.BadRequest("'status' must be pending, running, completed, failed or cancelled.");
            }

            filter = parsed;
        }

        var size = limit ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
        {
            return Problems.BadRequest($"'limit' must be between 1 and {MaxPageSize}.");
        }

        var page = await store.ListAsync(Scope(http), filter, cursor, size + 1, http.RequestAborted);
        return Results.Json(new
        {
            executions = page.Take(size).Select(Wire.Summary),
            next_cursor = page.Count > size ? page[size - 1].Id : (Guid?)null,
        }, Wire.Json);
    }

    private static async Task<IResult> GetAsync(HttpContext http, Guid id, ExecutionStore store)
    {
        if (await store.GetAsync(id, Scope(http), http.RequestAborted) is not { } execution)
        {
            return Problems.NotFound(id);
        }

        var tasks = await store.TasksAsync(id, http.RequestAborted);
        var transitions = await store.TransitionsAsync(id, http.RequestAborted);
        var intent = await store.IntentAsync(id, http.RequestAborted);
        return Results.Json(Wire.Detail(execution, tasks, transitions, intent), Wire.Json);
    }

    private static async Task<IResult> StatusAsync(HttpContext http, Guid id, ExecutionStore store, ExecutionCoordinator coordinator, [FromQuery(Name = "wait_ms")] int? waitMs)
    {
        if (waitMs is < 0 or > MaxWaitMs)
        {
            return Problems.BadRequest($"'wait_ms' must be between 0 and {MaxWaitMs}.");
        }

        var scope = Scope(http);
        if (await store.GetAsync(id, scope, http.RequestAborted) is null)
        {
            return Problems.NotFound(id);
        }

        if (waitMs is > 0)
        {
            await coordinator.WaitForEndAsync(
                id, async () => (await store.GetAsync(id, scope, http.RequestAborted)) is { } e && Statuses.IsTerminal(e.Status),
                TimeSpan.FromMilliseconds(waitMs.Value), http.RequestAborted);
        }

        var execution = (await store.GetAsync(id, scope, http.RequestAborted))!;
        return Results.Json(Wire.Status(execution, await store.TasksAsync(id, http.RequestAborted)), Wire.Json);
    }

    private static async Task<IResult> CancelAsync(HttpContext http, Guid id, ExecutionStore store, ExecutionCoordinator coordinator)
    {
        if (await store.GetAsync(id, Scope(http), http.RequestAborted) is not { } execution)
        {
            return Problems.NotFound(id);
        }

        if (Statuses.IsTerminal(execution.Status) && execution.Status != Contracts.Delegation.DelegationStatus.Cancelled)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "already-ended", "Already ended",
                $"Execution {id} already ended {Statuses.Name(execution.Status)}.",
                new Dictionary<string, object?> { ["status"] = Statuses.Name(execution.Status), ["job_state"] = Statuses.JobState(execution.Status) });
        }

        var caller = http.User.Caller();
        var ended = await coordinator.CancelAsync(id, ErrorCodes.Cancelled, $"Cancelled by {caller.TenantId}/{caller.Actor}.", http.RequestAborted);
        return Results.Json(Wire.Summary(ended!), Wire.Json);
    }
}
