using System.Text.RegularExpressions;
using Mesh.Infra.Auth;
using Mesh.Policy.Domain;
using Mesh.Policy.KillSwitches;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace Mesh.Policy.Endpoints;

/// <summary>
/// <c>PUT /v1/kill-switches</c> {scope, tenant_id?, tool?, enabled, reason} and <c>GET /v1/kill-switches</c>. Admin
/// keys only; the <c>mesh</c> scope, and a tool switch for every tenant, only for mesh administrators. A tenant
/// admin's tenant and tool switches default to, and may only name, its own tenant.
/// </summary>
public static partial class KillSwitchEndpoints
{
    public static IEndpointRouteBuilder MapKillSwitchApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/kill-switches").RequireAuthorization(MeshAuth.Admin);
        group.MapPut("", SetAsync);
        group.MapGet("", ListAsync);
        return endpoints;
    }

    private static async Task<IResult> SetAsync(HttpContext http, KillSwitchStore store)
    {
        var (body, problem) = await PolicyProblems.ReadBodyAsync<V1KillSwitchRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var caller = http.User.Caller();
        var meshAdmin = TenantAccess.IsMeshAdmin(caller);
        if (body!.Enabled is not { } enabled || string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Length > 500)
        {
            return PolicyProblems.BadRequest("invalid-request", "'enabled' and a 'reason' (at most 500 characters) are required.");
        }

        string? tenantId = string.IsNullOrEmpty(body.TenantId) ? null : body.TenantId;
        string? tool = string.IsNullOrEmpty(body.Tool) ? null : body.Tool;
        KillSwitchScope scope;
        switch (body.Scope)
        {
            case "mesh":
                if (tenantId is not null || tool is not null)
                {
                    return PolicyProblems.BadRequest("invalid-request", "The 'mesh' scope takes neither 'tenant_id' nor 'tool'.");
                }

                scope = KillSwitchScope.Mesh;
                break;
            case "tenant":
                if (tool is not null)
                {
                    return PolicyProblems.BadRequest("invalid-request", "The 'tenant' scope takes no 'tool'.");
                }

                tenantId ??= caller.TenantId;
                scope = KillSwitchScope.Tenant;
                break;
            case "tool":
                if (tool is null || !ToolPattern().IsMatch(tool))
                {
                    return PolicyProblems.BadRequest("invalid-request", "The 'tool' scope needs a 'tool' name (letters, digits, '.', '_' or '-').");
                }

                tenantId ??= meshAdmin ? null : caller.TenantId;
                scope = KillSwitchScope.Tool;
                break;
            default:
                return PolicyProblems.BadRequest("invalid-request", "'scope' must be 'mesh', 'tenant' or 'tool'.");
        }

        if (tenantId is not null && !TenantAccess.IsValidTenantId(tenantId))
        {
            return PolicyProblems.BadRequest("invalid-request", $"'{tenantId}' is not a tenant id.");
        }

        if (!meshAdmin && (scope == KillSwitchScope.Mesh || tenantId != caller.TenantId))
        {
            return PolicyProblems.Policy(StatusCodes.Status403Forbidden, "kill-switch-forbidden", "Not this kill switch",
                "Only mesh administrators may flip mesh-wide switches or another tenant's.");
        }

        try
        {
            return Results.Json(await store.SetAsync(scope, tenantId, tool, enabled, body.Reason, caller, http.RequestAborted), V1Wire.Json);
        }
        catch (NpgsqlException e)
        {
            return PolicyProblems.Unavailable(e.Message);
        }
    }

    private static async Task<IResult> ListAsync(HttpContext http, KillSwitchStore store)
    {
        var caller = http.User.Caller();
        var switches = await store.ListAsync(TenantAccess.IsMeshAdmin(caller) ? null : caller.TenantId, http.RequestAborted);
        return Results.Json(new { kill_switches = switches }, V1Wire.Json);
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex ToolPattern();
}
