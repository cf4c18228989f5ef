using System.Text.Json;

namespace Mesh.ToolExecutor.Domain;

/// <summary>What the registry knows about one tool.</summary>
/// <param name="Name">Registry name, also the policy object <c>tool:&lt;name&gt;</c>.</param>
/// <param name="Version">Part of the cache key: a new version never reuses old results.</param>
/// <param name="Description">What the tool does, for the model that calls it.</param>
/// <param name="InputSchema">JSON Schema (draft-07) of the arguments object.</param>
/// <param name="Timeout">How long one run may take.</param>
/// <param name="MaxConcurrency">How many runs of this tool one executor process allows at once.</param>
/// <param name="Cost">Cost of one run in the mesh's currency unit.</param>
/// <param name="Idempotent">Whether running it twice with the same arguments has no further effect.</param>
/// <param name="CacheTtl">How long a result stays fresh in the result cache; zero means never cached.</param>
/// <param name="CaseInsensitiveFields">Top-level argument fields whose string values are case-folded for the cache key.</param>
/// <param name="Source"><c>builtin</c> or <c>mcp:&lt;server&gt;</c>.</param>
public sealed record ToolDescriptor(
    string Name,
    string Version,
    string Description,
    JsonElement InputSchema,
    TimeSpan Timeout,
    int MaxConcurrency,
    decimal Cost,
    bool Idempotent,
    TimeSpan CacheTtl,
    IReadOnlySet<string> CaseInsensitiveFields,
    string Source)
{
    /// <summary>Whether results of this tool go to the result cache.</summary>
    public bool IsCacheable => CacheTtl > TimeSpan.Zero;
}
