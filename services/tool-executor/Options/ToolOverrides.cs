namespace Mesh.ToolExecutor.Options;

/// <summary>
/// Per-tool settings that replace a tool's defaults (section <c>Tools:&lt;name&gt;</c>, for example
/// <c>Tools__echo__TimeoutMs=2000</c>); MCP tools take their server's settings first, then these.
/// </summary>
public sealed class ToolOverride
{
    public int? TimeoutMs { get; set; }

    public int? MaxConcurrency { get; set; }

    public int? CacheTtlSeconds { get; set; }

    public decimal? Cost { get; set; }
}

/// <summary>The <c>Tools</c> section: overrides by tool name (compared case-insensitively).</summary>
public sealed class ToolOverrides
{
    public const string SectionName = "Tools";

    public Dictionary<string, ToolOverride> Overrides { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Why the options are unusable, or null.</summary>
    public string? Validate() =>
        Overrides.FirstOrDefault(o => o.Value.TimeoutMs <= 0 || o.Value.MaxConcurrency <= 0 || o.Value.CacheTtlSeconds < 0 || o.Value.Cost < 0) is { Key: { } bad }
            ? $"Tools:{bad} has a non-positive timeout or concurrency, or a negative cache TTL or cost"
            : null;
}
