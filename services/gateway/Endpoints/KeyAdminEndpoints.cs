using System.Text.RegularExpressions;
using Mesh.Infra.Auth;

namespace Mesh.Gateway.Endpoints;

/// <summary>
/// Key administration for a tenant's admins: issue (the key is shown once), list, expire, revoke. An admin acts on
/// its own tenant only; another tenant's key reads as absent. Revocation and expiry take effect everywhere within
/// the validation cache's lifetime (<see cref="ApiKeyStore.CacheDuration"/>).
/// </summary>
public static partial class KeyAdminEndpoints
{
    public sealed record IssueKeyRequest(string? Actor, bool? Admin, DateTimeOffset? ExpiresAt, string? Description);

    public sealed record ExpireKeyRequest(DateTimeOffset? At);

    public sealed record KeyView(
        Guid Id, string TenantId, string Actor, string KeyPrefix, bool Admin, bool Service, string Description,
        DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
    {
        public static KeyView Of(ApiKeyInfo info) => new(
            info.Id, info.TenantId, info.Actor, info.KeyPrefix, info.IsAdmin, info.IsService, info.Description, info.CreatedAt, info.ExpiresAt, info.RevokedAt);
    }

    public sealed record IssuedKeyView(string Key, KeyView Info);

    private const int MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapKeyAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var keys = endpoints.MapGroup("/v1/admin/keys").RequireAuthorization(MeshAuth.Admin);
        keys.MapPost("", IssueAsync);
        keys.MapGet("", ListAsync);
        keys.MapPost("/{id:guid}/expire", ExpireAsync);
        keys.MapDelete("/{id:guid}", RevokeAsync);
        return endpoints;
    }

    private static async Task<IResult> IssueAsync(HttpContext http, ApiKeyStore store, ILogger<ApiKeyStore> logger)
    {
        var (body, problem) = await GatewayJson.ReadAsync<IssueKeyRequest>(http, MaxBodyBytes);
        if (problem is not null)
        {
            return problem;
        }
        if (body!.Actor is not { } actor || !ActorPattern().IsMatch(actor))
        {
            return GatewayProblems.Invalid("actor must be 1-128 letters, digits or . _ : @ -, starting with a letter or digit.");
        }
        if (body.Description is { Length: > 200 })
        {
            return GatewayProblems.Invalid("description must be at most 200 characters.");
        }
        var caller = http.User.Caller();
        var issued = await store.IssueAsync(caller.TenantId, actor, body.Admin ?? false, isService: false, body.ExpiresAt, body.Description ?? "", http.RequestAborted);
        Log.KeyIssued(logger, issued.Id, actor, caller.TenantId, caller.Actor);
        return GatewayJson.Ok(new IssuedKeyView(issued.Key, KeyView.Of(issued.Info)), StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext http, ApiKeyStore store)
    {
        var list = await store.ListAsync(http.User.Caller().TenantId, http.RequestAborted);
        return GatewayJson.Ok(new { keys = list.Select(KeyView.Of) });
    }

    private static async Task<IResult> ExpireAsync(Guid id, HttpContext http, ApiKeyStore store, TimeProvider time, ILogger<ApiKeyStore> logger)
    {
        var (body, problem) = await GatewayJson.ReadAsync(http, MaxBodyBytes, empty: new ExpireKeyRequest(null));
        if (problem is not null)
        {
            return problem;
        }
        var caller = http.User.Caller();
        var at = body!.At ?? time.GetUtcNow();
        if (!await store.ExpireAsync(caller.TenantId, id, at, http.RequestAborted))
        {
            return GatewayProblems.KeyNotFound(id);
        }
        Log.KeyChanged(logger, id, caller.TenantId, "set to expire", caller.Actor);
        var info = (await store.ListAsync(caller.TenantId, http.RequestAborted)).First(k => k.Id == id);
        return GatewayJson.Ok(KeyView.Of(info));
    }

    private static async Task<IResult> RevokeAsync(Guid id, HttpContext http, ApiKeyStore store, ILogger<ApiKeyStore> logger)
    {
        var caller = http.User.Caller();
        if (!await store.RevokeAsync(caller.TenantId, id, http.RequestAborted))
        {
            return GatewayProblems.KeyNotFound(id);
        }
        Log.KeyChanged(logger, id, caller.TenantId, "revoked", caller.Actor);
        return Results.NoContent();
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")]
    private static partial Regex ActorPattern();
}
