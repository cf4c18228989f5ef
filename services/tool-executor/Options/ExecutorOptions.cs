using Microsoft.Extensions.Configuration;

namespace Mesh.ToolExecutor.Options;

/// <summary>The worker pool (section <c>Executor</c>).</summary>
public sealed class ExecutorOptions
{
    public const string SectionName = "Executor";

    /// <summary>This instance's id in results and records; by default host name and process id.</summary>
    public string Id { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Tool runs one process allows at once, over all tools.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>Longest wait for a free concurrency slot before the request answers <c>timeout</c> (<c>queue_timeout</c>).</summary>
    public TimeSpan SlotWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest tool output a result carries (UTF-8 JSON bytes); larger outputs are cut and flagged.</summary>
    public int MaxOutputBytes { get; set; } = 256 * 1024;

    /// <summary>A request's lease lasts the tool's timeout plus this margin, so a live run never loses it.</summary>
    public TimeSpan LeaseMargin { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a delivery waiting for another executor's lease looks again.</summary>
    public TimeSpan LeaseRetryInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Consecutive faults (errors, timeouts) that open a tool's circuit breaker.</summary>
    public int CircuitFailureThreshold { get; set; } = 5;

    /// <summary>How long an open breaker refuses calls before it lets one probe through.</summary>
    public TimeSpan CircuitOpenDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a cached result is kept past its TTL for requests with cache strategy <c>always</c>.</summary>
    public TimeSpan CacheStaleRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The options as configured, for settings needed while services are registered.</summary>
    public static ExecutorOptions Read(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<ExecutorOptions>() ?? new ExecutorOptions();

    /// <summary>Why the options are unusable, or null.</summary>
    public string? Validate() =>
        string.IsNullOrWhiteSpace(Id) || Id.Length > 128 ? "Executor:Id must have 1 to 128 characters"
        : MaxConcurrency < 1 ? "Executor:MaxConcurrency must be positive"
        : SlotWait <= TimeSpan.Zero ? "Executor:SlotWait must be positive"
        : MaxOutputBytes is < 1024 or > 400 * 1024 ? "Executor:MaxOutputBytes must be within [1 KiB, 400 KiB] (a result message holds 512 KiB)"
        : LeaseMargin <= TimeSpan.Zero || LeaseRetryInterval <= TimeSpan.Zero ? "Executor lease timings must be positive"
        : CircuitFailureThreshold < 1 || CircuitOpenDuration <= TimeSpan.Zero ? "Executor circuit breaker settings must be positive"
        : CacheStaleRetention < TimeSpan.Zero ? "Executor:CacheStaleRetention must not be negative"
        : null;
}
