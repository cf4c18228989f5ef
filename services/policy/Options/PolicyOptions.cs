namespace Mesh.Policy.Options;

/// <summary>Limits and timings of evaluation and the kill-switch cache (section <c>Policy</c>).</summary>
public sealed class PolicyOptions
{
    public const string SectionName = "Policy";

    /// <summary>How long one /v1/check evaluation may take before it is denied with reason <c>timeout</c>.</summary>
    public TimeSpan EvaluationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most checks one batch-check carries (OpenFGA's default).</summary>
    public int MaxChecksPerBatch { get; set; } = 50;

    /// <summary>The most tuples one write carries, writes and deletes together (OpenFGA's default).</summary>
    public int MaxTuplesPerWrite { get; set; } = 100;

    /// <summary>The most contextual tuples one query carries (OpenFGA's limit).</summary>
    public int MaxContextualTuples { get; set; } = 100;

    /// <summary>How often every instance reloads the kill switches even without a notification.</summary>
    public TimeSpan KillSwitchRefreshInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How old the kill-switch snapshot may grow (reloads failing) before checks fail closed.</summary>
    public TimeSpan KillSwitchMaxStaleness { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Why the options are unusable, or null.</summary>
    public string? Validate() =>
        EvaluationTimeout <= TimeSpan.Zero ? "Policy:EvaluationTimeout must be positive"
        : MaxChecksPerBatch < 1 || MaxTuplesPerWrite < 1 || MaxContextualTuples < 0 ? "Policy batch limits must be positive"
        : KillSwitchRefreshInterval <= TimeSpan.Zero || KillSwitchRefreshInterval > TimeSpan.FromSeconds(1)
            ? "Policy:KillSwitchRefreshInterval must be within (0, 1s]: kill switches must reach every instance within one second"
        : KillSwitchMaxStaleness < KillSwitchRefreshInterval ? "Policy:KillSwitchMaxStaleness must not be shorter than the refresh interval"
        : null;
}
