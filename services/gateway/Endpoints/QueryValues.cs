using System.Globalization;

namespace Mesh.Gateway.Endpoints;

/// <summary>Optional numeric query parameters, refused when present but malformed.</summary>
public static class QueryValues
{
    /// <summary>False when the value is present but not an integer within bounds; null when absent.</summary>
    public static bool TryLong(string? text, long min, long max, out long? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < min || parsed > max)
        {
            return false;
        }
        value = parsed;
        return true;
    }
}
