using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Mesh.Infra.Auth;

/// <summary>Claim types and policy names of the mesh's API-key authentication.</summary>
public static class MeshAuth
{
    /// <summary>The authentication scheme name.</summary>
    public const string Scheme = "MeshApiKey";
    /// <summary>Claim: the key's tenant.</summary>
    public const string TenantClaim = "tenant_id";
    /// <summary>Claim: the key's actor.</summary>
    public const string ActorClaim = "actor";
    /// <summary>Claim: the key's id.</summary>
    public const string KeyIdClaim = "key_id";
    /// <summary>Role of admin keys, and the policy that requires it.</summary>
    public const string Admin = "admin";
    /// <summary>Role of service keys, and the policy that requires it.</summary>
    public const string Service = "service";
    /// <summary>WebSocket subprotocol prefix a browser uses to carry its key (<c>mesh.bearer.&lt;key&gt;</c>).</summary>
    public const string WebSocketProtocolPrefix = "mesh.bearer.";

    /// <summary>
    /// Adds API-key authentication and makes it the fallback: every endpoint requires a valid key unless it
    /// opts out with <c>AllowAnonymous</c>.
    /// </summary>
    public static IServiceCollection AddMeshApiKeyAuth(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<ApiKeyStore>();
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(Scheme, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build())
            .AddPolicy(Admin, p => p.AddAuthenticationSchemes(Scheme).RequireRole(Admin))
            .AddPolicy(Service, p => p.AddAuthenticationSchemes(Scheme).RequireRole(Service));
        return services;
    }

    /// <summary>The authenticated caller of a request.</summary>
    public static ApiKeyPrincipal Caller(this ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(KeyIdClaim) ?? throw new InvalidOperationException("The request is not authenticated.");
        return new ApiKeyPrincipal(Guid.Parse(id), user.FindFirstValue(TenantClaim)!, user.FindFirstValue(ActorClaim)!, user.IsInRole(Admin), user.IsInRole(Service));
    }
}

/// <summary>Reads <c>Authorization: Bearer &lt;key&gt;</c> (or the WebSocket subprotocol) and validates the key.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore store)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string FailureItem = "mesh.auth.failure";

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = PresentedKey(Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }
        ApiKeyValidation result;
        try
        {
            result = await store.ValidateAsync(key, Context.RequestAborted);
        }
        catch (NpgsqlException)
        {
            // Fail closed: without the key table nothing is authenticated, and the caller learns it is transient.
            Context.Items[FailureItem] = "unavailable";
            return AuthenticateResult.Fail("API key store unavailable");
        }
        if (result.Principal is not { } principal)
        {
            Context.Items[FailureItem] = result.Failure.ToString().ToLowerInvariant();
            return AuthenticateResult.Fail($"API key {result.Failure.ToString().ToLowerInvariant()}");
        }
        var claims = new List<Claim>
        {
            new(MeshAuth.KeyIdClaim, principal.KeyId.ToString()),
            new(MeshAuth.TenantClaim, principal.TenantId),
            new(MeshAuth.ActorClaim, principal.Actor),
            new(ClaimTypes.Name, principal.Actor),
        };
        if (principal.IsAdmin)
        {
            claims.Add(new Claim(ClaimTypes.Role, MeshAuth.Admin));
        }
        if (principal.IsService)
        {
            claims.Add(new Claim(ClaimTypes.Role, MeshAuth.Service));
        }
        var identity = new ClaimsIdentity(claims, MeshAuth.Scheme, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), MeshAuth.Scheme));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var reason = Context.Items[FailureItem] as string ?? "missing";
        var unavailable = reason == "unavailable";
        Response.StatusCode = unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status401Unauthorized;
        if (!unavailable)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
        }
        return Response.WriteAsJsonAsync(
            new
            {
                type = unavailable ? "urn:mesh:problem:auth-unavailable" : "urn:mesh:problem:unauthenticated",
                title = unavailable ? "Authentication is unavailable" : "Authentication required",
                status = Response.StatusCode,
                detail = unavailable ? "The API key store cannot be reached; try again." : $"A valid API key is required (key {reason}).",
                reason,
            },
            options: null, contentType: "application/problem+json");
    }

    /// <inheritdoc />
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Response.WriteAsJsonAsync(
            new { type = "urn:mesh:problem:forbidden", title = "Forbidden", status = 403, detail = "This key may not use this endpoint." },
            options: null, contentType: "application/problem+json");
    }

    private static string? PresentedKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        foreach (var protocol in request.Headers.SecWebSocketProtocol.ToString().Split(',', StringSplitOptions.TrimEntries))
        {
            if (protocol.StartsWith(MeshAuth.WebSocketProtocolPrefix, StringComparison.Ordinal))
            {
                return protocol[MeshAuth.WebSocketProtocolPrefix.Length..];
            }
        }
        return null;
    }
}
