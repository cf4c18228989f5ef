using Mesh.Infra.Auth;

namespace Mesh.Gateway.Sessions;

/// <summary>A chat session: who it belongs to, the persona that answers, and free labels carried on every turn.</summary>
public sealed record Session(
    Guid Id, string TenantId, string ActorId, string? PersonaId, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset CreatedAt)
{
    /// <summary>
    /// Whether <paramref name="caller"/> may see the session: same tenant, and either its owner or an admin of the
    /// tenant (the <c>viewer</c> relation of the authorization model). Anything else is answered as "not found".
    /// </summary>
    public bool IsVisibleTo(ApiKeyPrincipal caller) =>
        caller.TenantId == TenantId && (caller.IsAdmin || caller.Actor == ActorId);
}
