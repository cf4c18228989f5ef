using Mesh.Infra.Auth;
using Mesh.ToolExecutor.Execution;
using Mesh.ToolExecutor.Tools;
using Mesh.ToolExecutor.Tools.Mcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mesh.ToolExecutor.Endpoints;

/// <summary>
/// <c>GET /v1/tools</c> (any key): the registry with schemas and limits. <c>GET /v1/tools/cache/stats</c> and
/// <c>DELETE /v1/tools/cache[?tool=name]</c> (admin keys): the result cache of the caller's tenant; a service key
/// may name another tenant with <c>?tenant_id=</c>.
/// </summary>
public static class ToolEndpoints
{
    public static IEndpointRouteBuilder MapToolEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/tools", ListTools);
        var cache = endpoints.MapGroup("/v1/tools/cache").RequireAuthorization(MeshAuth.Admin);
        cache.MapGet("/stats", CacheStatsAsync);
        cache.MapDelete("", ClearCacheAsync);
        return endpoints;
    }

    private static IResult ListTools(ToolRegistry registry, McpServers mcp) => Results.Json(new
    {
        tools = registry.All.Select(t => t.Descriptor).Select(d => new
        {
            name = d.Name,
            version = d.Version,
            description = d.Description,
            input_schema = d.InputSchema,
            timeout_ms = (long)d.Timeout.TotalMilliseconds,
            max_concurrency = d.MaxConcurrency,
            cost = d.Cost,
            idempotent = d.Idempotent,
            cache_ttl_seconds = (long)d.CacheTtl.TotalSeconds,
            case_insensitive_fields = d.CaseInsensitiveFields.Order(StringComparer.Ordinal),
            source = d.Source,
            available = mcp.IsAvailable(d.Source),
        }),
    });

    private static async Task<IResult> CacheStatsAsync(HttpContext http, ResultCache cache, string? tenant_id)
    {
        if (Tenant(http, tenant_id) is not { } tenant)
        {
            return Forbidden();
        }
        var stats = await cache.StatsAsync(tenant);
        return Results.Json(new
        {
            tenant_id = tenant,
            tools = stats.Select(s => new { tool = s.Tool, entries = s.Entries, hits = s.Hits, misses = s.Misses, stores = s.Stores }),
        });
    }

    private static async Task<IResult> ClearCacheAsync(HttpContext http, ResultCache cache, string? tool, string? tenant_id)
    {
        if (Tenant(http, tenant_id) is not { } tenant)
        {
            return Forbidden();
        }
        if (tool is not null && !ToolRegistry.IsValidName(tool))
        {
            return Results.Problem(type: "urn:mesh:problem:invalid-tool", title: "Invalid tool name", statusCode: StatusCodes.Status400BadRequest,
                detail: "'tool' must be a tool name such as math.evaluate.");
        }
        var deleted = await cache.ClearAsync(tenant, tool);
        return Results.Json(new { tenant_id = tenant, tool, deleted });
    }

    private static string? Tenant(HttpContext http, string? requested)
    {
        var caller = http.User.Caller();
        return requested is null || requested == caller.TenantId ? caller.TenantId
            : caller.IsService ? requested
            : null;
    }

    private static IResult Forbidden() => Results.Problem(
        type: "urn:mesh:problem:forbidden", title: "Forbidden", statusCode: StatusCodes.Status403Forbidden,
        detail: "Only a service key may read or clear another tenant's cache.");
}
