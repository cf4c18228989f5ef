namespace Mesh.Gateway.Options;

/// <summary>
/// Per-key request limits (section <c>RateLimit</c>): a token bucket per API key that holds
/// <see cref="TokenLimit"/> requests and refills <see cref="TokensPerPeriod"/> every <see cref="ReplenishmentPeriod"/>.
/// Chat frames on a WebSocket draw from the same bucket as HTTP requests.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimit";

    public bool Enabled { get; set; } = true;

    public int TokenLimit { get; set; } = 200;

    public int TokensPerPeriod { get; set; } = 100;

    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);

    public string? Validate() =>
        TokenLimit < 1 ? "RateLimit:TokenLimit must be positive"
        : TokensPerPeriod < 1 ? "RateLimit:TokensPerPeriod must be positive"
        : ReplenishmentPeriod <= TimeSpan.Zero ? "RateLimit:ReplenishmentPeriod must be positive"
        : null;
}
