using System.Text.RegularExpressions;
using Mesh.Infra.Auth;

namespace Mesh.Policy.Endpoints;

/// <summary>
/// Who may act for which tenant. Service keys (tenant <c>mesh</c>) act for every tenant; every other key only
/// for its own. Administration needs an admin key of the tenant, or a mesh administrator.
/// </summary>
public static partial class TenantAccess
{
    /// <summary>The tenant of the mesh's own service keys.</summary>
    public const string MeshTenant = "mesh";

    public static bool IsMeshAdmin(ApiKeyPrincipal caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.IsService || (caller.IsAdmin && caller.TenantId == MeshTenant);
    }

    public static bool MayActFor(ApiKeyPrincipal caller, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.IsService || caller.TenantId == tenantId;
    }

    public static bool MayAdminister(ApiKeyPrincipal caller, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return IsMeshAdmin(caller) || (caller.IsAdmin && caller.TenantId == tenantId);
    }

    /// <summary>The tenant id format of the contracts (<c>policy.decisions</c> schema).</summary>
    public static bool IsValidTenantId(string? value) => value is not null && TenantPattern().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex TenantPattern();
}
