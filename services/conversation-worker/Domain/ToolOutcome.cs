using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Contracts.Common;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;

namespace Mesh.ConversationWorker.Domain;

/// <summary>
/// How a tool result is shown to the model (the content of a tool message) and to the user (the one-line summary
/// of <c>tool.completed</c>, never the full output).
/// </summary>
public static class ToolOutcome
{
    private const int SummaryLength = 160;

    private static readonly JsonSerializerOptions CompactJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// <c>{"status":"succeeded","output":...}</c>, or <c>{"status":"timeout","error":{"code":...,"message":...}}</c>;
    /// an output longer than <paramref name="maxOutputCharacters"/> becomes its clipped JSON text with <c>"truncated":true</c>.
    /// </summary>
    public static string ForModel(ToolResultStatus status, JsonElement? output, ErrorDetail? error, bool truncated, int maxOutputCharacters)
    {
        var body = new JsonObject { ["status"] = MeshJson.WireName(status) };
        if (output is { ValueKind: not JsonValueKind.Undefined } value)
        {
            var raw = value.GetRawText();
            if (raw.Length > maxOutputCharacters)
            {
                body["output"] = raw[..maxOutputCharacters];
                truncated = true;
            }
            else
            {
                body["output"] = JsonNode.Parse(raw);
            }
        }

        if (truncated)
        {
            body["truncated"] = true;
        }

        if (error is not null)
        {
            body["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message };
        }

        return body.ToJsonString();
    }

    /// <summary>One short line about how a call ended.</summary>
    public static string Summary(ToolResultStatus status, JsonElement? output, ErrorDetail? error) =>
        Clip(status == ToolResultStatus.Succeeded
            ? output is { ValueKind: not JsonValueKind.Undefined } value ? Compact(value) : "done"
            : $"{MeshJson.WireName(status)}: {error?.Message ?? error?.Code ?? "no detail"}", SummaryLength);

    /// <summary>A JSON value as text: a string as itself, anything else as compact JSON.</summary>
    public static string Compact(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : JsonSerializer.Serialize(value, CompactJson);

    public static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
