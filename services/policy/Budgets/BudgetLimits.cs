using Mesh.Policy.Options;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Mesh.Policy.Budgets;

/// <summary>Daily limits of a tenant or a persona; null means unlimited.</summary>
public sealed record DailyLimits(long? Tokens, decimal? Cost);

/// <summary>
/// Daily limits in PostgreSQL (<c>policy_budget_limits</c>): a tenant row has persona <c>''</c>. Without a row the
/// configured defaults apply; a row with nulls means unlimited.
/// </summary>
public sealed class BudgetLimits(NpgsqlDataSource dataSource, IOptions<BudgetOptions> options)
{
    private readonly BudgetOptions defaults = options.Value;

    public DailyLimits TenantDefault => new(defaults.TenantDailyTokens, defaults.TenantDailyCost);

    public DailyLimits PersonaDefault => new(defaults.PersonaDailyTokens, defaults.PersonaDailyCost);

    /// <summary>The tenant's limits and, when <paramref name="personaId"/> is given, the persona's.</summary>
    public async Task<(DailyLimits Tenant, DailyLimits? Persona)> GetAsync(string tenantId, string? personaId, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(tenantId, personaId is null ? [""] : ["", personaId], cancellationToken);
        var tenant = rows.GetValueOrDefault("") ?? TenantDefault;
        var persona = personaId is null ? null : rows.GetValueOrDefault(personaId) ?? PersonaDefault;
        return (tenant, persona);
    }

    /// <summary>Every persona of the tenant with limits of its own.</summary>
    public async Task<IReadOnlyDictionary<string, DailyLimits>> PersonasAsync(string tenantId, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(tenantId, null, cancellationToken);
        return rows.Where(r => r.Key.Length > 0).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
    }

    /// <summary>The tenants with limits of their own.</summary>
    public async Task<IReadOnlyList<string>> TenantsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT DISTINCT tenant_id FROM policy_budget_limits");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tenants = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tenants.Add(reader.GetString(0));
        }

        return tenants;
    }

    public async Task SetAsync(string tenantId, string? personaId, DailyLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO policy_budget_limits (tenant_id, persona_id, daily_tokens, daily_cost, updated_at)
            VALUES (@tenant, @persona, @tokens, @cost, now())
            ON CONFLICT (tenant_id, persona_id)
            DO UPDATE SET daily_tokens = excluded.daily_tokens, daily_cost = excluded.daily_cost, updated_at = now()
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("persona", personaId ?? "");
        command.Parameters.Add(new NpgsqlParameter<long?>("tokens", limits.Tokens));
        command.Parameters.Add(new NpgsqlParameter<decimal?>("cost", limits.Cost));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<Dictionary<string, DailyLimits>> ReadAsync(string tenantId, string[]? personas, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT persona_id, daily_tokens, daily_cost FROM policy_budget_limits WHERE tenant_id = @tenant"
            + (personas is null ? "" : " AND persona_id = ANY(@personas)"));
        command.Parameters.AddWithValue("tenant", tenantId);
        if (personas is not null)
        {
            command.Parameters.AddWithValue("personas", personas);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new Dictionary<string, DailyLimits>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows[reader.GetString(0)] = new DailyLimits(
                reader.IsDBNull(1) ? null : reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetDecimal(2));
        }

        return rows;
    }
}
