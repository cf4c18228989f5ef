using Mesh.ToolExecutor.Domain;

namespace Mesh.ToolExecutor.Tools.BuiltIn;

/// <summary>Shorthand for a built-in tool's descriptor.</summary>
public static class BuiltIn
{
    /// <summary>The source of every built-in tool.</summary>
    public const string Source = "builtin";

    public static ToolDescriptor Describe(
        string name, string description, string schema, TimeSpan timeout, bool idempotent,
        int maxConcurrency = 32, TimeSpan cacheTtl = default, string[]? caseInsensitiveFields = null, decimal cost = 0m, string version = "1") =>
        new(name, version, description, ToolSchemas.Parse(schema), timeout, maxConcurrency, cost, idempotent, cacheTtl,
            new HashSet<string>(caseInsensitiveFields ?? [], StringComparer.Ordinal), Source);
}
