namespace Mesh.Delegation.Options;

/// <summary>
/// The external ROMA-compatible executor (section <c>Roma</c>; <c>DELEGATION_ROMA_URL</c>, <c>DELEGATION_ROMA_KEY</c>
/// and <c>DELEGATION_ROMA_PROFILES</c>, comma-separated, override it). Without a URL nothing is forwarded.
/// </summary>
public sealed class RomaOptions
{
    public const string SectionName = "Roma";

    /// <summary>Base URL of the executions API (the part before <c>/api/v1/executions</c>).</summary>
    public string? Url { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer</c> when set; from the environment only.</summary>
    public string? Key { get; set; }

    /// <summary>Profiles whose executions are forwarded.</summary>
    public List<string> Profiles { get; set; } = ["research"];

    /// <summary>How long one HTTP request may take; a request that takes longer fails the execution (fail closed).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the status is polled.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long an external execution may run when the request set no time budget.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts of a request that failed transiently (connection refused, 5xx) before the execution fails.</summary>
    public int MaxAttempts { get; set; } = 3;

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Url);

    public bool Forwards(string profile) => IsEnabled && Profiles.Contains(profile, StringComparer.Ordinal);

    public string? Validate() =>
        IsEnabled && !Uri.TryCreate(Url, UriKind.Absolute, out _) ? "DELEGATION_ROMA_URL must be an absolute URL"
        : RequestTimeout <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero || MaxDuration <= TimeSpan.Zero ? "Roma timeouts and intervals must be positive"
        : MaxAttempts < 1 ? "Roma:MaxAttempts must be at least 1"
        : null;
}
