using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mesh.ToolExecutor.Domain;
using Mesh.ToolExecutor.Options;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Mesh.ToolExecutor.Tools;

/// <summary>A tool in the registry: the tool, its effective descriptor (overrides applied) and its compiled schema.</summary>
public sealed class RegisteredTool(ITool tool, ToolDescriptor descriptor, JsonSchema schema)
{
    public ITool Tool { get; } = tool;

    public ToolDescriptor Descriptor { get; } = descriptor;

    /// <summary>The validator's message for arguments that do not match the input schema, or null when they do.</summary>
    public string? Validate(JsonElement arguments)
    {
        using var reader = new JsonTextReader(new StringReader(arguments.GetRawText()))
        {
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Decimal,
        };
        var errors = schema.Validate(JToken.Load(reader));
        return errors.Count == 0 ? null : string.Join("; ", Flatten(errors).Take(10).Select(Describe));
    }

    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors) =>
        errors.SelectMany(e => e is ChildSchemaValidationError child && child.Errors.Count > 0
            ? [e, .. Flatten(child.Errors.Values.SelectMany(v => v))]
            : new[] { e });

    private static string Describe(ValidationError error)
    {
        var path = error.Path is null or "#" ? "$" : "$." + error.Path.TrimStart('#', '/').Replace('/', '.');
        var words = Regex.Replace(error.Kind.ToString(), "(?<=[a-z])(?=[A-Z])", " ").ToLower(CultureInfo.InvariantCulture);
        return $"{path}: {words}";
    }
}

/// <summary>
/// The tools this executor knows: built-in ones registered at start and MCP servers' tools, which come and go
/// as their servers connect. Names are exact (case-sensitive), as in policy objects <c>tool:&lt;name&gt;</c>.
/// </summary>
public sealed partial class ToolRegistry(IOptions<ToolOverrides> overrides)
{
    private readonly ConcurrentDictionary<string, RegisteredTool> tools = new(StringComparer.Ordinal);

    /// <summary>A valid tool name, as the request schema allows it.</summary>
    public static bool IsValidName(string name) => name.Length <= 128 && NamePattern().IsMatch(name);

    /// <summary>The tool registered under <paramref name="name"/>, or null.</summary>
    public RegisteredTool? Find(string name) => tools.GetValueOrDefault(name);

    /// <summary>Every registered tool, by name.</summary>
    public IReadOnlyList<RegisteredTool> All => [.. tools.Values.OrderBy(t => t.Descriptor.Name, StringComparer.Ordinal)];

    /// <summary>Adds or replaces a tool, applying the configured overrides and compiling its schema.</summary>
    /// <exception cref="ArgumentException">The name is not a valid tool name, or the schema does not parse.</exception>
    public async Task<RegisteredTool> RegisterAsync(ITool tool, CancellationToken cancellationToken = default)
    {
        var descriptor = ApplyOverrides(tool.Descriptor);
        if (!IsValidName(descriptor.Name))
        {
            throw new ArgumentException($"'{descriptor.Name}' is not a valid tool name.", nameof(tool));
        }
        JsonSchema schema;
        try
        {
            schema = await JsonSchema.FromJsonAsync(descriptor.InputSchema.GetRawText(), cancellationToken);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or Newtonsoft.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new ArgumentException($"The input schema of '{descriptor.Name}' does not parse: {e.Message}", nameof(tool), e);
        }
        var registered = new RegisteredTool(tool, descriptor, schema);
        tools[descriptor.Name] = registered;
        return registered;
    }

    /// <summary>Removes the tools of <paramref name="source"/> whose names are not in <paramref name="keep"/>.</summary>
    public void RemoveOthers(string source, IReadOnlySet<string> keep)
    {
        foreach (var tool in tools.Values.Where(t => t.Descriptor.Source == source && !keep.Contains(t.Descriptor.Name)))
        {
            tools.TryRemove(tool.Descriptor.Name, out _);
        }
    }

    private ToolDescriptor ApplyOverrides(ToolDescriptor descriptor)
    {
        if (!overrides.Value.Overrides.TryGetValue(descriptor.Name, out var o))
        {
            return descriptor;
        }
        return descriptor with
        {
            Timeout = o.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : descriptor.Timeout,
            MaxConcurrency = o.MaxConcurrency ?? descriptor.MaxConcurrency,
            CacheTtl = o.CacheTtlSeconds is { } ttl ? TimeSpan.FromSeconds(ttl) : descriptor.CacheTtl,
            Cost = o.Cost ?? descriptor.Cost,
        };
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")]
    private static partial Regex NamePattern();
}
