using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mesh.ToolExecutor.Domain;

/// <summary>
/// Canonical form of a tool's arguments, and the keys derived from it: the result-cache key (architecture.md:
/// tool name, tool version and normalized arguments, 16 hex characters) and the audit digest.
/// </summary>
public static class ToolArguments
{
    /// <summary>
    /// Compact JSON with object keys sorted (ordinal), numbers written in their shortest decimal form, and the
    /// string values of <paramref name="caseInsensitiveFields"/> (top-level fields) case-folded.
    /// </summary>
    public static string Normalize(JsonElement arguments, IReadOnlySet<string>? caseInsensitiveFields = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, arguments, caseInsensitiveFields ?? EmptySet, topLevel: true, fold: false);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// The cache key: the first 8 bytes of SHA-256 over the length-prefixed name and version followed by the
    /// normalized arguments (<c>"&lt;len&gt;:&lt;name&gt;&lt;len&gt;:&lt;version&gt;&lt;arguments&gt;"</c>), as 16 lowercase hex characters.
    /// </summary>
    public static string CacheKey(string tool, string version, string normalizedArguments)
    {
        var input = string.Create(CultureInfo.InvariantCulture, $"{tool.Length}:{tool}{version.Length}:{version}{normalizedArguments}");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(input));
        return Convert.ToHexStringLower(hash, 0, 8);
    }

    /// <summary>SHA-256 of the normalized arguments (64 lowercase hex characters): what the audit keeps instead of the arguments.</summary>
    public static string Digest(string normalizedArguments) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedArguments)));

    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();

    private static void Write(Utf8JsonWriter writer, JsonElement element, IReadOnlySet<string> foldFields, bool topLevel, bool fold)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, foldFields, topLevel: false, fold || (topLevel && foldFields.Contains(property.Name)));
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item, foldFields, topLevel: false, fold);
                }
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                var text = element.GetString()!;
                writer.WriteStringValue(fold ? text.ToLowerInvariant() : text);
                break;
            case JsonValueKind.Number:
                if (element.TryGetDecimal(out var number))
                {
                    writer.WriteRawValue((number / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
                }
                else
                {
                    writer.WriteRawValue(element.GetRawText());
                }
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
