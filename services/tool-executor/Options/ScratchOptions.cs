namespace Mesh.ToolExecutor.Options;

/// <summary>The <c>kv.*</c> and <c>memory.*</c> tools (section <c>Scratch</c>).</summary>
public sealed class ScratchOptions
{
    public const string SectionName = "Scratch";

    /// <summary>TTL of a <c>kv.set</c> value that names none.</summary>
    public TimeSpan KvDefaultTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest TTL <c>kv.set</c> accepts.</summary>
    public TimeSpan KvMaxTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The largest <c>kv.set</c> value (UTF-8 JSON bytes).</summary>
    public int KvMaxValueBytes { get; set; } = 64 * 1024;

    /// <summary>How similar (pg_trgm word similarity, 0..1) a memory must be to a query to match without a full-text hit.</summary>
    public double MemorySimilarityThreshold { get; set; } = 0.3;

    /// <summary>Why the options are unusable, or null.</summary>
    public string? Validate() =>
        KvDefaultTtl <= TimeSpan.Zero || KvMaxTtl < KvDefaultTtl ? "Scratch: KvDefaultTtl must be positive and at most KvMaxTtl"
        : KvMaxValueBytes < 1 ? "Scratch:KvMaxValueBytes must be positive"
        : MemorySimilarityThreshold is <= 0 or > 1 ? "Scratch:MemorySimilarityThreshold must be within (0, 1]"
        : null;
}
