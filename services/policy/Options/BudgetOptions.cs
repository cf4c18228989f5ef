namespace Mesh.Policy.Options;

/// <summary>
/// Default daily limits (section <c>Budgets</c>) for tenants and personas without limits set through the admin
/// API; null means unlimited. Cost is in the mesh's currency unit, kept to six decimals.
/// </summary>
public sealed class BudgetOptions
{
    public const string SectionName = "Budgets";

    public long? TenantDailyTokens { get; set; }

    public decimal? TenantDailyCost { get; set; }

    public long? PersonaDailyTokens { get; set; }

    public decimal? PersonaDailyCost { get; set; }

    /// <summary>How long a reservation holds its amounts when the request names no TTL.</summary>
    public TimeSpan ReservationTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest TTL a request may ask for.</summary>
    public TimeSpan MaxReservationTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often expired reservations are released and the budget gauges refreshed.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Why the options are unusable, or null.</summary>
    public string? Validate() =>
        TenantDailyTokens < 0 || PersonaDailyTokens < 0 || TenantDailyCost < 0 || PersonaDailyCost < 0 ? "Budgets limits must not be negative"
        : ReservationTtl <= TimeSpan.Zero || ReservationTtl > MaxReservationTtl ? "Budgets:ReservationTtl must be positive and at most MaxReservationTtl"
        : SweepInterval <= TimeSpan.Zero ? "Budgets:SweepInterval must be positive"
        : null;
}
