using System.Text;
using System.Text.Json;

namespace Mesh.ToolExecutor.Domain;

/// <summary>Keeps a tool's output within the size a result message may carry.</summary>
public static class OutputLimit
{
    /// <summary>
    /// The output unchanged when its JSON fits in <paramref name="maxBytes"/> UTF-8 bytes. Otherwise a string
    /// output is cut to fit, and any other value is replaced by a string holding the beginning of its JSON
    /// text; either way <c>Truncated</c> is true.
    /// </summary>
    public static (JsonElement Output, bool Truncated) Apply(JsonElement output, int maxBytes)
    {
        var raw = output.GetRawText();
        if (Encoding.UTF8.GetByteCount(raw) <= maxBytes)
        {
            return (output, false);
        }
        var text = output.ValueKind == JsonValueKind.String ? output.GetString()! : raw;
        return (JsonSerializer.SerializeToElement(LongestFittingPrefix(text, maxBytes)), true);
    }

    private static string LongestFittingPrefix(string text, int maxBytes)
    {
        var low = 0;
        var high = text.Length;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (EncodedSize(Prefix(text, middle)) <= maxBytes)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        return Prefix(text, low);
    }

    // Never splits a surrogate pair: half a character would not be valid UTF-8.
    private static string Prefix(string text, int length) =>
        length > 0 && length < text.Length && char.IsHighSurrogate(text[length - 1]) ? text[..(length - 1)] : text[..length];

    private static int EncodedSize(string value) => JsonSerializer.SerializeToUtf8Bytes(value).Length;
}
