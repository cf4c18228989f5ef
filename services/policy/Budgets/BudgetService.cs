using System.Globalization;
using Mesh.Contracts.Common;
using Mesh.Infra.Redis;
using Mesh.Policy.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Mesh.Policy.Budgets;

/// <summary>A reservation request: hold <paramref name="Tokens"/> and <paramref name="Cost"/> of today's budget.</summary>
public sealed record ReserveRequest(string TenantId, string? PersonaId, long Tokens, decimal Cost, TimeSpan? Ttl, string Actor);

/// <summary>Which limit a reservation would have passed, and where the budget stands.</summary>
public sealed record BudgetExceeded(string Scope, string Kind, decimal Limit, decimal Used, decimal Reserved, decimal Requested);

/// <summary>A reservation made, or the limit that refused it.</summary>
public sealed record ReserveResult(Guid? ReservationId, DateTimeOffset? ExpiresAt, BudgetExceeded? Exceeded);

public enum CommitStatus
{
    Committed,
    CommittedAfterExpiry,
    NotFound,
    AlreadyCommitted,
}

/// <summary>The outcome of a commit; tenant and persona are those of the reservation.</summary>
public sealed record CommitResult(CommitStatus Status, string? TenantId, string? PersonaId);

/// <summary>One kind of a budget today: limit (null: unlimited), used (committed), reserved (held), remaining.</summary>
public sealed record BudgetFigures(decimal? Limit, decimal Used, decimal Reserved)
{
    public decimal? Remaining => Limit is { } limit ? Math.Max(0, limit - Used - Reserved) : null;
}

public sealed record PersonaBudget(string PersonaId, BudgetFigures Tokens, BudgetFigures Cost);

public sealed record BudgetReport(string TenantId, string Day, BudgetFigures Tokens, BudgetFigures Cost, IReadOnlyList<PersonaBudget> Personas);

/// <summary>Redis or PostgreSQL could not be reached: no budget can be granted (fail closed).</summary>
public sealed class BudgetUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Daily token and cost budgets per tenant and persona. Counters live in Redis and change only through the
/// atomic scripts of <see cref="BudgetScripts"/>; every reservation, commit and expiry is also a ledger row in
/// PostgreSQL. A reservation holds its amounts until committed (actual usage counts, the rest is released) or
/// until its TTL passes (everything is released).
/// </summary>
public sealed class BudgetService(
    RedisConnection redis, NpgsqlDataSource dataSource, BudgetLimits limits, IOptions<BudgetOptions> options, TimeProvider time,
    ILogger<BudgetService> logger)
{
    private const decimal CostScale = 1_000_000m;
    private static readonly TimeSpan CounterTtl = TimeSpan.FromDays(3);
    private readonly BudgetOptions settings = options.Value;

    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task<ReserveResult> ReserveAsync(ReserveRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var day = Day(now);
        var ttl = request.Ttl ?? settings.ReservationTtl;
        var expiresAt = now + ttl;
        var id = TimeOrderedIds.NewId();
        var cost = ToMicros(request.Cost);
        return await GuardAsync(async () =>
        {
            var (tenantLimits, personaLimits) = await limits.GetAsync(request.TenantId, request.PersonaId, cancellationToken);
            var persona = request.PersonaId ?? "";
            var reply = await RunAsync(BudgetScripts.Reserve,
            [
                now.ToUnixTimeMilliseconds(), request.Tokens, cost,
                tenantLimits.Tokens ?? -1, LimitMicros(tenantLimits.Cost),
                personaLimits?.Tokens ?? -1, LimitMicros(personaLimits?.Cost),
                expiresAt.ToUnixTimeMilliseconds(), id.ToString("N"), (long)CounterTtl.TotalSeconds,
                BudgetScripts.TenantKey(request.TenantId, day),
                persona.Length > 0 ? BudgetScripts.PersonaKey(request.TenantId, day, persona) : "",
                BudgetScripts.TenantSetKey(day),
                persona.Length > 0 ? BudgetScripts.PersonaSetKey(request.TenantId, day) : "",
                request.TenantId, persona,
            ]);
            var status = (RedisResult[])reply[0]!;
            if ((int)status[0] == 0)
            {
                var kind = (string)status[2]!;
                decimal Scale(RedisResult value) => kind == "cost" ? (long)value / CostScale : (long)value;
                return new ReserveResult(null, null, new BudgetExceeded(
                    (string)status[1]!, kind, Scale(status[3]), Scale(status[4]), Scale(status[5]), kind == "cost" ? request.Cost : request.Tokens));
            }

            try
            {
                await AppendLedgerAsync(id, request.TenantId, persona, day, "reserve", request.Tokens, cost, request.Actor, cancellationToken);
            }
            catch (NpgsqlException)
            {
                // No durable record, no hold: give the amounts back before reporting the failure.
                await RunAsync(BudgetScripts.Cancel, [id.ToString("N")]);
                throw;
            }

            return new ReserveResult(id, expiresAt, null);
        });
    }

    /// <summary>
    /// Commits actual usage. The reservation must belong to <paramref name="tenantScope"/> unless it is null
    /// (a service key); another tenant's reservation is <see cref="CommitStatus.NotFound"/>.
    /// </summary>
    public async Task<CommitResult> CommitAsync(Guid reservationId, long tokens, decimal cost, string? tenantScope, string actor, CancellationToken cancellationToken)
    {
        var micros = ToMicros(cost);
        return await GuardAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            string tenantId, persona, day;
            await using (var find = new NpgsqlCommand(
                "SELECT tenant_id, persona_id, day FROM policy_budget_ledger WHERE reservation_id = @id AND kind = 'reserve'", connection, transaction))
            {
                find.Parameters.AddWithValue("id", reservationId);
                await using var reader = await find.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken) || (tenantScope is not null && reader.GetString(0) != tenantScope))
                {
                    return new CommitResult(CommitStatus.NotFound, null, null);
                }

                tenantId = reader.GetString(0);
                persona = reader.GetString(1);
                day = reader.GetFieldValue<DateOnly>(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }

            // The unique (reservation, kind) index makes a repeated commit a no-op instead of double counting.
            await using (var record = new NpgsqlCommand(
                """
                INSERT INTO policy_budget_ledger (reservation_id, tenant_id, persona_id, day, kind, tokens, cost, actor)
                VALUES (@id, @tenant, @persona, @day::date, 'commit', @tokens, @cost, @actor)
                ON CONFLICT (reservation_id, kind) DO NOTHING
                """, connection, transaction))
            {
                record.Parameters.AddWithValue("id", reservationId);
                record.Parameters.AddWithValue("tenant", tenantId);
                record.Parameters.AddWithValue("persona", persona);
                record.Parameters.AddWithValue("day", day);
                record.Parameters.AddWithValue("tokens", tokens);
                record.Parameters.AddWithValue("cost", micros / CostScale);
                record.Parameters.AddWithValue("actor", actor);
                if (await record.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    return new CommitResult(CommitStatus.AlreadyCommitted, tenantId, NullIfEmpty(persona));
                }
            }

            var reply = await RunAsync(BudgetScripts.Commit,
            [
                time.GetUtcNow().ToUnixTimeMilliseconds(), reservationId.ToString("N"), tokens, micros, (long)CounterTtl.TotalSeconds,
                BudgetScripts.TenantKey(tenantId, day),
                persona.Length > 0 ? BudgetScripts.PersonaKey(tenantId, day, persona) : "",
            ]);
            // Redis has counted it; if this commit failed now, a retry would be refused as already committed.
            await transaction.CommitAsync(CancellationToken.None);
            var live = (int)((RedisResult[])reply[0]!)[0] == 1;
            return new CommitResult(live ? CommitStatus.Committed : CommitStatus.CommittedAfterExpiry, tenantId, NullIfEmpty(persona));
        });
    }

    public async Task<BudgetReport> ReportAsync(string tenantId, CancellationToken cancellationToken) =>
        await GuardAsync(async () =>
        {
            await SweepAsync(cancellationToken);
            var day = Day(time.GetUtcNow());
            var (tenantLimits, _) = await limits.GetAsync(tenantId, null, cancellationToken);
            var personaLimits = await limits.PersonasAsync(tenantId, cancellationToken);
            var active = (await redis.Database.SetMembersAsync(BudgetScripts.PersonaSetKey(tenantId, day))).Select(v => (string)v!);
            var (tokens, cost) = await FiguresAsync(BudgetScripts.TenantKey(tenantId, day), tenantLimits);
            var personas = new List<PersonaBudget>();
            foreach (var persona in active.Concat(personaLimits.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var (personaTokens, personaCost) = await FiguresAsync(
                    BudgetScripts.PersonaKey(tenantId, day, persona), personaLimits.GetValueOrDefault(persona) ?? limits.PersonaDefault);
                personas.Add(new PersonaBudget(persona, personaTokens, personaCost));
            }

            return new BudgetReport(tenantId, day, tokens, cost, personas);
        });

    /// <summary>Releases every expired reservation and records the expiries in the ledger.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        await RunAsync(BudgetScripts.Sweep, [time.GetUtcNow().ToUnixTimeMilliseconds()]);
    }

    /// <summary>Today's used amounts and limits of every tenant with activity today or limits of its own.</summary>
    public async Task<IReadOnlyList<(string TenantId, BudgetFigures Tokens, BudgetFigures Cost)>> TenantFiguresAsync(CancellationToken cancellationToken)
    {
        var day = Day(time.GetUtcNow());
        var active = (await redis.Database.SetMembersAsync(BudgetScripts.TenantSetKey(day))).Select(v => (string)v!);
        var configured = await limits.TenantsAsync(cancellationToken);
        var figures = new List<(string, BudgetFigures, BudgetFigures)>();
        foreach (var tenant in active.Concat(configured).Distinct(StringComparer.Ordinal))
        {
            var (tenantLimits, _) = await limits.GetAsync(tenant, null, cancellationToken);
            var (tokens, cost) = await FiguresAsync(BudgetScripts.TenantKey(tenant, day), tenantLimits);
            figures.Add((tenant, tokens, cost));
        }

        return figures;
    }

    private async Task<(BudgetFigures Tokens, BudgetFigures Cost)> FiguresAsync(string key, DailyLimits dailyLimits)
    {
        var values = await redis.Database.HashGetAsync(key, ["tokens_used", "tokens_reserved", "cost_used", "cost_reserved"]);
        long Read(int i) => values[i].IsNull ? 0 : (long)values[i];
        return (
            new BudgetFigures(dailyLimits.Tokens, Read(0), Read(1)),
            new BudgetFigures(dailyLimits.Cost, Read(2) / CostScale, Read(3) / CostScale));
    }

    private async Task<RedisResult[]> RunAsync(string script, RedisValue[] arguments)
    {
        var reply = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(script, [], arguments))!;
        var released = ((RedisResult[])reply[1]!).Select(r => Guid.ParseExact((string)r!, "N")).ToArray();
        if (released.Length > 0)
        {
            await RecordExpiriesAsync(released);
        }

        return reply;
    }

    private async Task RecordExpiriesAsync(Guid[] released)
    {
        try
        {
            await using var command = dataSource.CreateCommand(
                """
                INSERT INTO policy_budget_ledger (reservation_id, tenant_id, persona_id, day, kind, tokens, cost, actor)
                SELECT reservation_id, tenant_id, persona_id, day, 'expire', tokens, cost, 'policy'
                FROM policy_budget_ledger WHERE reservation_id = ANY(@ids) AND kind = 'reserve'
                ON CONFLICT (reservation_id, kind) DO NOTHING
                """);
            command.Parameters.AddWithValue("ids", released);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
            Log.ReservationsExpired(logger, released.Length);
        }
        catch (NpgsqlException e)
        {
            // The holds are released in Redis either way; only the ledger's expiry rows are missing.
            Log.ExpiryLedgerFailed(logger, released.Length, e.Message);
        }
    }

    private static async Task<T> GuardAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is RedisException or NpgsqlException or TimeoutException)
        {
            throw new BudgetUnavailableException($"budget state unavailable: {e.Message}", e);
        }
    }

    private async Task AppendLedgerAsync(
        Guid id, string tenantId, string persona, string day, string kind, long tokens, long costMicros, string actor, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO policy_budget_ledger (reservation_id, tenant_id, persona_id, day, kind, tokens, cost, actor)
            VALUES (@id, @tenant, @persona, @day::date, @kind, @tokens, @cost, @actor)
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("persona", persona);
        command.Parameters.AddWithValue("day", day);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("tokens", tokens);
        command.Parameters.AddWithValue("cost", costMicros / CostScale);
        command.Parameters.AddWithValue("actor", actor);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static long ToMicros(decimal cost) => (long)Math.Round(cost * CostScale, MidpointRounding.AwayFromZero);

    private static long LimitMicros(decimal? limit) => limit is { } value ? ToMicros(value) : -1;

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
