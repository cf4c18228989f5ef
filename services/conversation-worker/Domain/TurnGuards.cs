using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mesh.ConversationWorker.Domain;

/// <summary>The loop guards of a turn: how many model calls, and no identical tool call twice.</summary>
public static class TurnGuards
{
    /// <summary>Whether a turn that has made <paramref name="modelCalls"/> model calls may not ask for more tools.</summary>
    public static bool IterationsExhausted(int modelCalls, int maxIterations) => modelCalls >= maxIterations;

    /// <summary>
    /// A call's identity: the tool and its arguments with object keys sorted, so <c>{"a":1,"b":2}</c> and
    /// <c>{"b":2,"a":1}</c> are the same call. Arguments that are not JSON count as their trimmed text.
    /// </summary>
    public static string Signature(string tool, string arguments)
    {
        ArgumentNullException.ThrowIfNull(tool);
        try
        {
            return tool + " " + (Canonical(JsonNode.Parse(arguments)) ?? "null");
        }
        catch (JsonException)
        {
            return tool + " " + arguments.Trim();
        }
    }

    /// <summary>The first call that was made before in the turn or appears twice in the batch, or null.</summary>
    public static LlmToolCall? FindRepeated(IEnumerable<string> earlierSignatures, IReadOnlyList<LlmToolCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var seen = new HashSet<string>(earlierSignatures, StringComparer.Ordinal);
        return calls.FirstOrDefault(call => !seen.Add(Signature(call.Name, call.Arguments)));
    }

    private static string? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => JsonSerializer.Serialize(p.Key) + ":" + (Canonical(p.Value) ?? "null"))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(item => Canonical(item) ?? "null")) + "]",
        null => null,
        _ => node.ToJsonString(),
    };
}
