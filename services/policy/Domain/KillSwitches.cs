namespace Mesh.Policy.Domain;

/// <summary>What a kill switch stops: every tool (<see cref="Mesh"/>), every tool of a tenant, or one tool.</summary>
public enum KillSwitchScope
{
    Mesh,
    Tenant,
    Tool,
}

/// <summary>
/// An engaged kill switch. <paramref name="TenantId"/> is set for <see cref="KillSwitchScope.Tenant"/> and, for
/// <see cref="KillSwitchScope.Tool"/>, limits the switch to that tenant (null: the tool in every tenant).
/// </summary>
public sealed record KillSwitch(KillSwitchScope Scope, string? TenantId, string? Tool, string Reason);

/// <summary>Which engaged kill switch, if any, stops a check. Pure: the caller supplies the engaged switches.</summary>
public static class KillSwitchRules
{
    /// <summary>The relation whose checks kill switches answer: whether a user may execute a tool.</summary>
    public const string ExecuteRelation = "can_execute";

    /// <summary>The object type of tools.</summary>
    public const string ToolType = "tool";

    /// <summary>The first engaged switch that stops <c>can_execute</c> on <paramref name="object"/> for the tenant, or null.</summary>
    public static KillSwitch? FindStopping(IEnumerable<KillSwitch> engaged, string tenantId, string relation, string @object)
    {
        ArgumentNullException.ThrowIfNull(engaged);
        if (relation != ExecuteRelation)
        {
            return null;
        }

        var (type, tool) = TupleFormat.SplitObject(@object);
        if (type != ToolType)
        {
            return null;
        }

        return engaged.FirstOrDefault(s => s.Scope switch
        {
            KillSwitchScope.Mesh => true,
            KillSwitchScope.Tenant => s.TenantId == tenantId,
            KillSwitchScope.Tool => s.Tool == tool && (s.TenantId is null || s.TenantId == tenantId),
            _ => false,
        });
    }
}
