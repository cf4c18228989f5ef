using System.Text.Json;

namespace Mesh.ToolExecutor.Tools;

/// <summary>Helpers for the built-in tools' JSON Schemas and outputs.</summary>
public static class ToolSchemas
{
    /// <summary>Parses a draft-07 schema written inline.</summary>
    public static JsonElement Parse(string schema)
    {
        using var document = JsonDocument.Parse(schema);
        return document.RootElement.Clone();
    }

    /// <summary>An output value as JSON.</summary>
    public static JsonElement Output<T>(T value) => JsonSerializer.SerializeToElement(value, OutputOptions);

    private static readonly JsonSerializerOptions OutputOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
