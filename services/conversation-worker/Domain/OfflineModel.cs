using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mesh.ConversationWorker.Domain;

/// <summary>
/// The built-in offline model: deterministic rules, no network, so the whole agent loop works without an LLM.
/// It reads the newest user message and applies the first rule that matches:
/// <list type="number">
/// <item>a message with an http(s) URL fetches it with <c>http.fetch</c> <c>{url}</c>;</item>
/// <item>"what do you remember about …", "do you remember …", "recall …" search with <c>memory.search</c> <c>{query}</c>;</item>
/// <item>"remember (that) …" saves with <c>memory.save</c> <c>{content}</c>;</item>
/// <item>arithmetic ("what is 12 * (3 + 4)", "7 times 6") evaluates with <c>math.evaluate</c> <c>{expression}</c>;</item>
/// <item>a question about the time or date asks <c>clock.now</c> (<c>{time_zone}</c> when one is named, e.g. "in Europe/Paris");</item>
/// <item>anything else gets a short reply saying what the offline model can do.</item>
/// </list>
/// When the newest messages are tool results it phrases the answer from them and calls no further tool.
/// An argument goes under the name above unless the tool's schema lacks it; then under the schema's first required
/// property. A rule whose tool the executor does not list (when it lists any) answers that the tool is unavailable.
/// </summary>
public static partial class OfflineModel
{
    /// <summary>The model name usage records carry.</summary>
    public const string Name = "mesh-offline-1";

    private static readonly string[] ListFields = ["results", "memories", "items", "matches"];

    public const string Capabilities =
        "I'm the offline assistant, so I follow simple rules. I can calculate (\"what is 12 * 7\"), tell the time, " +
        "remember things (\"remember that ...\"), recall them (\"what do you remember about ...\") and fetch a web page (\"fetch https://...\").";

    public static ModelReply Reply(IReadOnlyList<LlmMessage> messages, IReadOnlyList<ToolDefinition> tools)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(tools);
        var last = messages.LastOrDefault(m => m.Role != ChatRoles.System);
        return last?.Role switch
        {
            ChatRoles.Tool => ModelReply.FromText(PhraseResults(messages)),
            ChatRoles.User => Decide(last.Content ?? "", tools),
            _ => ModelReply.FromText(Capabilities),
        };
    }

    private static ModelReply Decide(string text, IReadOnlyList<ToolDefinition> tools)
    {
        if (Url().Match(text) is { Success: true } url)
        {
            return Call("http.fetch", "url", url.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')'), tools);
        }

        if (Recall().Match(text) is { Success: true } recall)
        {
            return Call("memory.search", "query", recall.Groups["q"].Value, tools);
        }

        if (Remember().Match(text) is { Success: true } remember)
        {
            return Call("memory.save", "content", remember.Groups["t"].Value, tools);
        }

        if (FindExpression(text) is { } expression)
        {
            return Call("math.evaluate", "expression", expression, tools);
        }

        if (TimeQuestion().IsMatch(text))
        {
            var zone = TimeZoneName().Match(text);
            return Call("clock.now", "time_zone", zone.Success ? zone.Value : null, tools);
        }

        var words = text.Trim().TrimEnd('!', '.', '?').ToLowerInvariant();
        return ModelReply.FromText(words switch
        {
            "hi" or "hello" or "hey" or "good morning" or "good evening" => "Hello! " + Capabilities,
            "thanks" or "thank you" or "thx" => "You're welcome!",
            _ => Capabilities,
        });
    }

    /// <summary>An arithmetic expression in the text ("plus", "minus", "times", "divided by" read as operators), or null.</summary>
    public static string? FindExpression(string text)
    {
        var normalized = OperatorWord().Replace(text, m => m.Value.Trim().ToLowerInvariant() switch
        {
            "plus" => " + ",
            "minus" => " - ",
            "times" or "multiplied by" => " * ",
            _ => " / ",
        });
        var candidates = Expression().Matches(normalized).Select(m => m.Value.Trim()).Where(e => e.Length > 0).ToList();
        var best = candidates.OrderByDescending(e => e.Length).FirstOrDefault();
        if (best is null)
        {
            return null;
        }

        // A lone "2024-05-01" is a date, not a sum: with only minus signs it must be asked for as arithmetic.
        var onlyMinus = !best.Any(c => c is '+' or '*' or '/' or '^' or '%');
        return onlyMinus && !MathWords().IsMatch(text) ? null : best;
    }

    private static ModelReply Call(string tool, string argument, string? value, IReadOnlyList<ToolDefinition> tools)
    {
        var definition = tools.FirstOrDefault(t => t.Name == tool);
        if (tools.Count > 0 && definition is null)
        {
            return ModelReply.FromText($"I would use the {tool} tool for that, but it is not available right now.");
        }

        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        var name = ArgumentName(definition?.Parameters, argument, out var required);
        if (value is not null || required)
        {
            arguments[name] = value ?? "UTC";
        }

        return new ModelReply("", [new LlmToolCall("call_" + tool.Replace('.', '_'), tool, JsonSerializer.Serialize(arguments))]);
    }

    // The preferred name when the schema has it (or there is no schema); otherwise the schema's first required
    // property, else its first property.
    private static string ArgumentName(JsonElement? schema, string preferred, out bool required)
    {
        required = false;
        if (schema is not { ValueKind: JsonValueKind.Object } root
            || !root.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return preferred;
        }

        var requiredNames = root.TryGetProperty("required", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
        var name = properties.TryGetProperty(preferred, out _)
            ? preferred
            : requiredNames.FirstOrDefault() ?? properties.EnumerateObject().Select(p => p.Name).FirstOrDefault() ?? preferred;
        required = requiredNames.Contains(name);
        return name;
    }

    private static string PhraseResults(IReadOnlyList<LlmMessage> messages)
    {
        var calls = messages.Where(m => m.Role == ChatRoles.Assistant).SelectMany(m => m.ToolCalls ?? []).ToDictionary(c => c.Id, StringComparer.Ordinal);
        var results = messages.Reverse().TakeWhile(m => m.Role == ChatRoles.Tool).Reverse();
        var sentences = results.Select(result =>
        {
            var call = result.ToolCallId is { } id ? calls.GetValueOrDefault(id) : null;
            using var args = JsonDocument.Parse(call?.Arguments is { Length: > 0 } a ? a : "{}");
            using var outcome = JsonDocument.Parse(result.Content ?? "{}");
            return Phrase(call?.Name ?? "tool", args.RootElement, outcome.RootElement);
        });
        return string.Join(" ", sentences);
    }

    private static string Phrase(string tool, JsonElement args, JsonElement outcome)
    {
        var argument = args.ValueKind == JsonValueKind.Object
            ? args.EnumerateObject().Select(p => p.Value).Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).FirstOrDefault()
            : null;
        var status = outcome.TryGetProperty("status", out var s) ? s.GetString() : null;
        if (status != "succeeded")
        {
            var reason = outcome.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message) ? message.GetString() : null;
            return status switch
            {
                "timeout" => $"The {tool} tool did not answer in time, so I can't tell you that right now.",
                "denied" => $"I'm not allowed to use the {tool} tool here ({reason ?? "denied"}).",
                "cancelled" => $"The {tool} call was cancelled.",
                _ => $"The {tool} tool could not do that ({status ?? "failed"}: {reason ?? "no detail"}).",
            };
        }

        var output = outcome.TryGetProperty("output", out var o) ? o : default;
        switch (tool)
        {
            case "math.evaluate":
                var value = Scalar(output, "result", "value", "answer");
                return argument is null ? $"The result is {value}." : $"{argument} = {value}";
            case "clock.now":
                var zone = output.ValueKind == JsonValueKind.Object ? Field(output, "timezone", "time_zone", "zone") : null;
                return $"It is {Scalar(output, "local", "now", "time", "datetime", "utc")}" + (zone is null ? "." : $" ({zone}).");
            case "memory.save":
                return $"Done, I'll remember that: {argument}.";
            case "memory.search":
                var found = Items(output).Take(5).ToList();
                return found.Count == 0
                    ? $"I don't remember anything about {argument}."
                    : $"Here is what I remember about {argument}: {string.Join("; ", found)}.";
            case "http.fetch":
                var code = output.ValueKind == JsonValueKind.Object ? Field(output, "status", "status_code") : null;
                var body = output.ValueKind == JsonValueKind.Object ? Field(output, "body", "content", "text") : null;
                var fetched = code is null ? $"I fetched {argument}." : $"I fetched {argument} (HTTP {code}).";
                return body is null ? fetched : $"{fetched} It begins: \"{ToolOutcome.Clip(body.Trim(), 200)}\"";
            default:
                return $"The {tool} tool returned {ToolOutcome.Clip(output.ValueKind == JsonValueKind.Undefined ? "nothing" : ToolOutcome.Compact(output), 300)}.";
        }
    }

    private static string Scalar(JsonElement value, params string[] names) =>
        value.ValueKind switch
        {
            JsonValueKind.Undefined => "unknown",
            JsonValueKind.Object => Field(value, names) ?? ToolOutcome.Clip(ToolOutcome.Compact(value), 300),
            _ => ToolOutcome.Compact(value),
        };

    private static string? Field(JsonElement value, params string[] names)
    {
        foreach (var name in names)
        {
            if (value.TryGetProperty(name, out var field) && field.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            {
                return field.ValueKind == JsonValueKind.Number ? field.GetRawText() : ToolOutcome.Compact(field);
            }
        }

        return null;
    }

    private static IEnumerable<string> Items(JsonElement output)
    {
        var list = output;
        if (output.ValueKind == JsonValueKind.Object)
        {
            list = ListFields.Select(n => output.TryGetProperty(n, out var l) ? l : default)
                .FirstOrDefault(l => l.ValueKind == JsonValueKind.Array);
        }

        return list.ValueKind != JsonValueKind.Array
            ? []
            : list.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.Object
                ? Field(item, "text", "content", "memory", "value") ?? ToolOutcome.Compact(item)
                : ToolOutcome.Compact(item));
    }

    [GeneratedRegex(@"https?://[^\s<>""']+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"^\s*(?:please\s+)?(?:what\s+do\s+you\s+remember\s+about|what\s+did\s+i\s+tell\s+you\s+about|do\s+you\s+remember|recall)\s+(?<q>.+?)[\s?.!]*$", RegexOptions.IgnoreCase)]
    private static partial Regex Recall();

    [GeneratedRegex(@"^\s*(?:please\s+)?remember\s+(?:that\s+)?(?<t>.+?)[\s.!]*$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Remember();

    [GeneratedRegex(@"\s(?:plus|minus|times|multiplied\s+by|divided\s+by)\s", RegexOptions.IgnoreCase)]
    private static partial Regex OperatorWord();

    [GeneratedRegex(@"[(\s]*-?\d+(?:\.\d+)?[)\s]*(?:[-+*/^%][(\s]*-?\d+(?:\.\d+)?[)\s]*)+")]
    private static partial Regex Expression();

    [GeneratedRegex(@"\b(?:what\s+is|what's|calculate|compute|how\s+much\s+is|evaluate|solve)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MathWords();

    [GeneratedRegex(@"\b(?:what\s+time|the\s+time|time\s+is\s+it|current\s+time|time\s+now|what\s+day|what\s+date|today'?s\s+date|the\s+date|clock)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TimeQuestion();

    [GeneratedRegex(@"\b(?:UTC|GMT|[A-Z][A-Za-z]+/[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)?)\b")]
    private static partial Regex TimeZoneName();
}
