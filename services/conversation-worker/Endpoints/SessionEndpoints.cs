using System.Text.Json;
using System.Text.RegularExpressions;
using Mesh.ConversationWorker.Options;
using Mesh.ConversationWorker.Storage;
using Mesh.Infra.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Mesh.ConversationWorker.Endpoints;

/// <summary>
/// History and usage of a session for the gateway, which proxies its public routes here after its own checks.
/// Admin or service keys only. A service key reads any tenant's session; an admin key only its own tenant's.
/// <c>tenant_id</c> must be the session's tenant, else 404; a session the worker has not seen yet has no events
/// and no usage.
/// <list type="bullet">
/// <item><c>GET /v1/sessions/{id}/events?tenant_id=&amp;after=&amp;limit=</c> → <c>{"events":[...],"next_after":n}</c>
/// (header <c>Mesh-History-Source: hot|log</c> says whether Redis or PostgreSQL answered);</item>
/// <item><c>GET /v1/sessions/{id}/usage?tenant_id=</c> → the session's model usage, summed, and per provider and model.</item>
/// </list>
/// </summary>
public static partial class SessionEndpoints
{
    public const string SourceHeader = "Mesh-History-Source";

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/sessions/{sessionId:guid}").RequireAuthorization(MeshAuth.Admin);
        group.MapGet("/events", EventsAsync);
        group.MapGet("/usage", UsageAsync);
        return endpoints;
    }

    private static async Task<IResult> EventsAsync(
        HttpContext http, Guid sessionId, [FromQuery(Name = "tenant_id")] string? tenantId, long? after, int? limit, TurnStore turns, EventLog log, IOptions<HistoryOptions> options)
    {
        var settings = options.Value;
        if (after is < 0 || limit is < 1 || limit > settings.MaxPageSize)
        {
            return BadRequest($"'after' must not be negative and 'limit' must be between 1 and {settings.MaxPageSize}.");
        }

        if (await CheckSessionAsync(http, sessionId, tenantId, turns) is { } refusal)
        {
            return refusal;
        }

        var page = await log.ReadAsync(sessionId, after ?? 0, limit ?? settings.DefaultPageSize, http.RequestAborted);
        http.Response.Headers[SourceHeader] = page.FromHotList ? "hot" : "log";
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("events");
            foreach (var e in page.Events)
            {
                writer.WriteRawValue(e);
            }

            writer.WriteEndArray();
            writer.WriteNumber("next_after", page.NextAfter);
            writer.WriteEndObject();
        }

        return Results.Bytes(buffer.ToArray(), "application/json");
    }

    private static async Task<IResult> UsageAsync(HttpContext http, Guid sessionId, [FromQuery(Name = "tenant_id")] string? tenantId, TurnStore turns, UsageStore usage)
    {
        if (await CheckSessionAsync(http, sessionId, tenantId, turns) is { } refusal)
        {
            return refusal;
        }

        var lines = await usage.SumAsync(sessionId, http.RequestAborted);
        return Results.Json(new
        {
            session_id = sessionId,
            tenant_id = tenantId,
            calls = lines.Sum(l => l.Calls),
            prompt_tokens = lines.Sum(l => l.PromptTokens),
            completion_tokens = lines.Sum(l => l.CompletionTokens),
            total_tokens = lines.Sum(l => l.TotalTokens),
            cost = lines.Sum(l => l.Cost),
            models = lines.Select(l => new
            {
                provider = l.Provider,
                model = l.Model,
                calls = l.Calls,
                prompt_tokens = l.PromptTokens,
                completion_tokens = l.CompletionTokens,
                total_tokens = l.TotalTokens,
                cost = l.Cost,
            }),
        });
    }

    private static async Task<IResult?> CheckSessionAsync(HttpContext http, Guid sessionId, string? tenantId, TurnStore turns)
    {
        if (tenantId is null || !TenantPattern().IsMatch(tenantId))
        {
            return BadRequest("'tenant_id' is required.");
        }

        var caller = http.User.Caller();
        if (!caller.IsService && caller.TenantId != tenantId)
        {
            return NotFound();
        }

        var owner = await turns.SessionTenantAsync(sessionId, http.RequestAborted);
        return owner is not null && owner != tenantId ? NotFound() : null;
    }

    private static IResult BadRequest(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", type: "urn:mesh:problem:invalid-request");

    private static IResult NotFound() =>
        Results.Problem("No such session.", statusCode: StatusCodes.Status404NotFound, title: "Not found", type: "urn:mesh:problem:session-not-found");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex TenantPattern();
}
