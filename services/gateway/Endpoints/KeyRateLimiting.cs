using System.Globalization;
using System.Threading.RateLimiting;
using Mesh.Gateway.Options;
using Mesh.Infra.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Endpoints;

/// <summary>
/// One token bucket per API key, shared by HTTP requests and WebSocket chat frames. Buckets are replenished by the
/// partitioned limiter's own heartbeat (one for all keys) and dropped when idle.
/// </summary>
public sealed class KeyRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter;

    public KeyRateLimiter(IOptions<RateLimitOptions> options)
    {
        var settings = options.Value;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.TokenLimit,
            TokensPerPeriod = settings.TokensPerPeriod,
            ReplenishmentPeriod = settings.ReplenishmentPeriod,
            QueueLimit = 0,
            AutoReplenishment = false,
        };
        limiter = PartitionedRateLimiter.Create<string, string>(key =>
            settings.Enabled && key.Length > 0
                ? RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket)
                : RateLimitPartition.GetNoLimiter(""));
        ReplenishmentPeriod = settings.ReplenishmentPeriod;
    }

    public TimeSpan ReplenishmentPeriod { get; }

    /// <summary>Takes one token from the caller's bucket; false when it is empty.</summary>
    public bool TryAcquire(ApiKeyPrincipal caller)
    {
        using var lease = limiter.AttemptAcquire(caller.KeyId.ToString("N"));
        return lease.IsAcquired;
    }

    /// <summary>The same buckets keyed by request: an authenticated request draws from its key's bucket; others are not limited here.</summary>
    public PartitionedRateLimiter<HttpContext> ForRequests() =>
        limiter.WithTranslatedKey<HttpContext>(
            http => http.User.FindFirst(MeshAuth.KeyIdClaim)?.Value is { } keyId ? Guid.Parse(keyId).ToString("N") : "", leaveOpen: true);

    public void Dispose() => limiter.Dispose();
}

/// <summary>Registers per-key rate limiting and answers a refusal with a 429 problem.</summary>
public static class KeyRateLimiting
{
    public static IServiceCollection AddKeyRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<KeyRateLimiter>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<KeyRateLimiter>((options, limiter) =>
        {
            options.GlobalLimiter = limiter.ForRequests();
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, cancellationToken) =>
            {
                var response = context.HttpContext.Response;
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(limiter.ReplenishmentPeriod.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return new ValueTask(GatewayProblems.RateLimited().ExecuteAsync(context.HttpContext));
            };
        });
        return services;
    }

    /// <summary>Must follow authentication: the bucket is the authenticated key's.</summary>
    public static WebApplication UseKeyRateLimiting(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }
}
