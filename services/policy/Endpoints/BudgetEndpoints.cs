using System.Text.RegularExpressions;
using Mesh.Infra.Auth;
using Mesh.Policy.Budgets;
using Mesh.Policy.Options;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Mesh.Policy.Endpoints;

/// <summary>
/// Budgets: reserve before an LLM call or a costly tool (409 <c>budget_exceeded</c> when a daily limit would be
/// passed), commit the actual usage after, read a tenant's day, and set limits (admin). A tenant never sees or
/// changes another's budgets; service keys act for every tenant. Without Redis or PostgreSQL nothing is granted (503).
/// </summary>
public static partial class BudgetEndpoints
{
    private const long MaxTokens = 1_000_000_000_000;
    private const decimal MaxCost = 1_000_000m;

    public static IEndpointRouteBuilder MapBudgetApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/budgets");
        group.MapPost("/reserve", ReserveAsync);
        group.MapPost("/commit", CommitAsync);
        group.MapGet("/{tenantId}", GetAsync);
        group.MapPut("/{tenantId}/limits", SetLimitsAsync).RequireAuthorization(MeshAuth.Admin);
        return endpoints;
    }

    private static async Task<IResult> ReserveAsync(HttpContext http, BudgetService budgets, IOptions<BudgetOptions> options)
    {
        var (body, problem) = await PolicyProblems.ReadBodyAsync<V1ReserveRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        if (!TenantAccess.IsValidTenantId(body!.TenantId))
        {
            return PolicyProblems.BadRequest("invalid-request", "'tenant_id' is required.");
        }

        var caller = http.User.Caller();
        if (!TenantAccess.MayActFor(caller, body.TenantId!))
        {
            return PolicyProblems.ForbiddenTenant(body.TenantId!);
        }

        if ((FindAmountError(body.Tokens, body.Cost) ?? FindPersonaError(body.PersonaId)) is { } error)
        {
            return PolicyProblems.BadRequest("invalid-request", error);
        }

        TimeSpan? ttl = null;
        if (body.TtlSeconds is { } seconds)
        {
            if (seconds < 1 || TimeSpan.FromSeconds(seconds) > options.Value.MaxReservationTtl)
            {
                return PolicyProblems.BadRequest("invalid-request", $"'ttl_seconds' must be between 1 and {options.Value.MaxReservationTtl.TotalSeconds:0}.");
            }

            ttl = TimeSpan.FromSeconds(seconds);
        }

        try
        {
            var request = new ReserveRequest(body.TenantId!, body.PersonaId, body.Tokens!.Value, body.Cost!.Value, ttl, $"{caller.TenantId}/{caller.Actor}");
            var result = await budgets.ReserveAsync(request, http.RequestAborted);
            if (result.Exceeded is { } exceeded)
            {
                return PolicyProblems.Budget(StatusCodes.Status409Conflict, "exceeded", "Budget exceeded",
                    $"Reserving would pass the {exceeded.Scope}'s daily {exceeded.Kind} limit of {exceeded.Limit}.",
                    new Dictionary<string, object?>
                    {
                        ["code"] = "budget_exceeded",
                        ["scope"] = exceeded.Scope,
                        ["kind"] = exceeded.Kind,
                        ["limit"] = exceeded.Limit,
                        ["used"] = exceeded.Used,
                        ["reserved"] = exceeded.Reserved,
                        ["requested"] = exceeded.Requested,
                    });
            }

            var response = new V1ReserveResponse(result.ReservationId!.Value, request.TenantId, request.PersonaId, request.Tokens, request.Cost, result.ExpiresAt!.Value);
            return Results.Json(response, V1Wire.Json, statusCode: StatusCodes.Status201Created);
        }
        catch (BudgetUnavailableException e)
        {
            return Unavailable(e);
        }
    }

    private static async Task<IResult> CommitAsync(HttpContext http, BudgetService budgets)
    {
        var (body, problem) = await PolicyProblems.ReadBodyAsync<V1CommitRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.ReservationId is not { } reservationId)
        {
            return PolicyProblems.BadRequest("invalid-request", "'reservation_id' is required.");
        }

        if (FindAmountError(body.Tokens, body.Cost) is { } error)
        {
            return PolicyProblems.BadRequest("invalid-request", error);
        }

        var caller = http.User.Caller();
        try
        {
            var result = await budgets.CommitAsync(
                reservationId, body.Tokens!.Value, body.Cost!.Value, caller.IsService ? null : caller.TenantId, $"{caller.TenantId}/{caller.Actor}", http.RequestAborted);
            return result.Status switch
            {
                CommitStatus.NotFound => PolicyProblems.Budget(StatusCodes.Status404NotFound, "reservation-not-found", "No such reservation",
                    $"Reservation {reservationId} does not exist for this tenant."),
                CommitStatus.AlreadyCommitted => PolicyProblems.Budget(StatusCodes.Status409Conflict, "already-committed", "Already committed",
                    $"Reservation {reservationId} was committed before; its usage counts once."),
                _ => Results.Json(
                    new V1CommitResponse(reservationId, result.TenantId!, result.PersonaId,
                        result.Status == CommitStatus.Committed ? "committed" : "committed_after_expiry", body.Tokens.Value, body.Cost.Value),
                    V1Wire.Json),
            };
        }
        catch (BudgetUnavailableException e)
        {
            return Unavailable(e);
        }
    }

    private static async Task<IResult> GetAsync(HttpContext http, string tenantId, BudgetService budgets)
    {
        if (!TenantAccess.MayActFor(http.User.Caller(), tenantId))
        {
            return PolicyProblems.ForbiddenTenant(tenantId);
        }

        try
        {
            var report = await budgets.ReportAsync(tenantId, http.RequestAborted);
            return Results.Json(new
            {
                tenant_id = report.TenantId,
                day = report.Day,
                tokens = Figures(report.Tokens),
                cost = Figures(report.Cost),
                personas = report.Personas.Select(p => new { persona_id = p.PersonaId, tokens = Figures(p.Tokens), cost = Figures(p.Cost) }),
            }, V1Wire.Json);
        }
        catch (BudgetUnavailableException e)
        {
            return Unavailable(e);
        }
    }

    private static async Task<IResult> SetLimitsAsync(HttpContext http, string tenantId, BudgetLimits limits)
    {
        if (!TenantAccess.IsValidTenantId(tenantId))
        {
            return PolicyProblems.BadRequest("invalid-request", $"'{tenantId}' is not a tenant id.");
        }

        if (!TenantAccess.MayAdminister(http.User.Caller(), tenantId))
        {
            return PolicyProblems.ForbiddenTenant(tenantId);
        }

        var (body, problem) = await PolicyProblems.ReadBodyAsync<V1BudgetLimitsRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        if (FindPersonaError(body!.PersonaId) is { } personaError)
        {
            return PolicyProblems.BadRequest("invalid-request", personaError);
        }

        if (body.DailyTokens is < 0 or > MaxTokens || body.DailyCost is < 0 or > MaxCost)
        {
            return PolicyProblems.BadRequest("invalid-request", $"Limits must be between 0 and {MaxTokens} tokens, {MaxCost} cost (null: unlimited).");
        }

        try
        {
            await limits.SetAsync(tenantId, body.PersonaId, new DailyLimits(body.DailyTokens, body.DailyCost), http.RequestAborted);
        }
        catch (Npgsql.NpgsqlException e)
        {
            return Unavailable(new BudgetUnavailableException(e.Message, e));
        }

        return Results.Json(new V1BudgetLimitsResponse(tenantId, body.PersonaId, body.DailyTokens, body.DailyCost), V1Wire.Json);
    }

    private static object Figures(BudgetFigures figures) =>
        new { limit = figures.Limit, used = figures.Used, reserved = figures.Reserved, remaining = figures.Remaining };

    private static string? FindAmountError(long? tokens, decimal? cost) =>
        tokens is not (>= 0 and <= MaxTokens) ? $"'tokens' is required, between 0 and {MaxTokens}."
        : cost is not (>= 0 and <= MaxCost) ? $"'cost' is required, between 0 and {MaxCost}."
        : null;

    private static string? FindPersonaError(string? personaId) =>
        personaId is null || PersonaPattern().IsMatch(personaId) ? null : "'persona_id' must be letters, digits, '.', '_', ':' or '-', at most 64.";

    private static IResult Unavailable(BudgetUnavailableException e) =>
        PolicyProblems.Budget(StatusCodes.Status503ServiceUnavailable, "unavailable", "Budgets are unavailable",
            $"No budget can be granted right now: {e.Message}");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
    private static partial Regex PersonaPattern();
}
