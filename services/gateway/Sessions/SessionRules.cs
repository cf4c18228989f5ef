using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mesh.Gateway.Sessions;

/// <summary>
/// What a session may carry, matching the conversation message contract it is copied into: a persona id and up to
/// 16 string labels (the contract's <c>metadata.labels</c>).
/// </summary>
public static partial class SessionRules
{
    public const int MaxLabels = 16;
    public const int MaxLabelValueLength = 256;

    /// <summary>Null when the persona id is acceptable (absent, or like <c>research-assistant</c>), else why not.</summary>
    public static string? CheckPersona(string? personaId) =>
        personaId is null || PersonaPattern().IsMatch(personaId)
            ? null
            : "persona_id must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.";

    /// <summary>Reads the labels from a JSON object of strings; null labels with a reason when they are not acceptable.</summary>
    public static (IReadOnlyDictionary<string, string>? Labels, string? Problem) ReadMetadata(JsonElement? metadata)
    {
        if (metadata is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return (new Dictionary<string, string>(), null);
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, "metadata must be a JSON object of string values.");
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!LabelKeyPattern().IsMatch(property.Name))
            {
                return (null, $"metadata key '{Clip(property.Name)}' must match ^[a-z][a-z0-9_.-]{{0,63}}$.");
            }
            if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString()!.Length > MaxLabelValueLength)
            {
                return (null, $"metadata value of '{property.Name}' must be a string of at most {MaxLabelValueLength} characters.");
            }
            labels[property.Name] = property.Value.GetString()!;
        }
        return labels.Count > MaxLabels ? (null, $"metadata holds at most {MaxLabels} keys.") : (labels, null);
    }

    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex PersonaPattern();

    [GeneratedRegex("^[a-z][a-z0-9_.-]{0,63}$")]
    private static partial Regex LabelKeyPattern();
}
