using System.Text.Json.Serialization;

namespace Mesh.Contracts.Tools;

/// <summary>How a tool request may use the tool-result cache.</summary>
public enum CacheStrategy
{
    /// <summary>Only a successful cached result within its TTL (the default).</summary>
    [JsonStringEnumMemberName("smart")]
    Smart,

    /// <summary>Any cached result.</summary>
    [JsonStringEnumMemberName("always")]
    Always,

    /// <summary>Never the cache: always run the tool.</summary>
    [JsonStringEnumMemberName("never")]
    Never,
}
