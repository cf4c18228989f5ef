using Mesh.Delegation.Domain;

namespace Mesh.Delegation.Options;

/// <summary>A named configuration of executions (section <c>Delegation:Profiles:&lt;name&gt;</c>).</summary>
public sealed class ProfileOptions
{
    /// <summary>How sub-task failures propagate (see <see cref="Domain.FailurePolicy"/>).</summary>
    public FailurePolicy FailurePolicy { get; set; } = FailurePolicy.BestEffort;

    /// <summary>Work tasks of one execution running at once.</summary>
    public int MaxParallel { get; set; } = 4;

    /// <summary>How long a child session may take to answer.</summary>
    public TimeSpan TaskTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The persona child sessions answer as; null for the worker's default.</summary>
    public string? PersonaId { get; set; }

    /// <summary>The subset of tools children may use; null means whatever the parent may use.</summary>
    public List<string>? AllowedTools { get; set; }
}

/// <summary>Limits and profiles of the delegation service (section <c>Delegation</c>).</summary>
public sealed class DelegationOptions
{
    public const string SectionName = "Delegation";

    /// <summary>The profile used when a request names none.</summary>
    public const string DefaultProfile = "general";

    /// <summary>The highest <c>max_depth</c> a request may ask for.</summary>
    public int MaxDepthLimit { get; set; } = 5;

    /// <summary>Sub-tasks one goal may split into, and nested executions one task may start.</summary>
    public int MaxFanOut { get; set; } = 8;

    /// <summary>Tasks one execution's plan may hold.</summary>
    public int MaxTasks { get; set; } = 64;

    /// <summary>The longest time budget a request may ask for.</summary>
    public TimeSpan MaxTimeBudget { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often deadlines (time budgets, task timeouts) are checked.</summary>
    public TimeSpan DeadlineCheckInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The profiles. <c>general</c> is best-effort and <c>strict</c> fails fast unless configured otherwise; more can be
    /// added by configuration (<c>Delegation__Profiles__research__FailurePolicy=FailFast</c>).
    /// </summary>
    public Dictionary<string, ProfileOptions> Profiles { get; } = new(StringComparer.Ordinal)
    {
        [DefaultProfile] = new ProfileOptions { FailurePolicy = FailurePolicy.BestEffort },
        ["strict"] = new ProfileOptions { FailurePolicy = FailurePolicy.FailFast },
    };

    public string? Validate() =>
        MaxDepthLimit is < 0 or > 32 ? "Delegation:MaxDepthLimit must be within [0, 32]"
        : MaxFanOut < 1 ? "Delegation:MaxFanOut must be at least 1"
        : MaxTasks < 1 ? "Delegation:MaxTasks must be at least 1"
        : MaxTimeBudget <= TimeSpan.Zero ? "Delegation:MaxTimeBudget must be positive"
        : DeadlineCheckInterval <= TimeSpan.Zero ? "Delegation:DeadlineCheckInterval must be positive"
        : !Profiles.ContainsKey(DefaultProfile) ? $"Delegation:Profiles must define '{DefaultProfile}'"
        : Profiles.FirstOrDefault(p => p.Value.MaxParallel < 1 || p.Value.TaskTimeout <= TimeSpan.Zero) is { Key: { } bad }
            ? $"Delegation:Profiles:{bad} needs MaxParallel ≥ 1 and a positive TaskTimeout"
        : null;
}
