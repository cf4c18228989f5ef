using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Contracts.Schemas;
using Mesh.Contracts.Serialization;
using NJsonSchema;
using NUnit.Framework;

namespace Mesh.Contracts.Tests;

public sealed class SchemaFileTests
{
    private const string Draft07 = "http://json-schema.org/draft-07/schema#";

    private static readonly HashSet<string> Draft07Keywords =
    [
        "$id", "$schema", "$ref", "$comment", "title", "description", "default", "readOnly", "writeOnly", "examples",
        "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
        "additionalItems", "items", "maxItems", "minItems", "uniqueItems", "contains", "maxProperties", "minProperties",
        "required", "additionalProperties", "definitions", "properties", "patternProperties", "dependencies",
        "propertyNames", "const", "enum", "type", "format", "contentMediaType", "contentEncoding", "if", "then", "else",
        "allOf", "anyOf", "oneOf", "not",
    ];

    // Draft-07 keywords NJsonSchema 10.7 reads past without enforcing: a schema using them would promise
    // checks that MeshSchemas.Validate never makes.
    private static readonly HashSet<string> KeywordsOurValidatorIgnores =
        ["const", "if", "then", "else", "propertyNames", "contains", "contentMediaType", "contentEncoding"];

    private static IEnumerable<string> SchemaFiles() => ContractFiles.SchemaFileNames();

    [Test]
    public void Every_schema_file_is_in_the_catalog_and_embedded()
    {
        Assert.That(MeshSchemas.All.Select(schema => schema.FileName), Is.EquivalentTo(ContractFiles.SchemaFileNames()));
    }

    [TestCaseSource(nameof(SchemaFiles))]
    public async Task Schema_file_is_draft_07_and_checked_against_the_meta_schema_by_the_asyncapi_parser(string fileName)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(ContractFiles.SchemasDirectory, fileName));
        var asyncApi = await File.ReadAllTextAsync(ContractFiles.AsyncApi);

        var loaded = await JsonSchema.FromJsonAsync(text);
        var unknownKeywords = SchemaNodes(ContractFiles.ReadSchema(fileName))
            .SelectMany(node => node.Schema.Select(keyword => (node.Path, keyword.Key)))
            .Where(use => !Draft07Keywords.Contains(use.Key) && !use.Key.StartsWith("x-", StringComparison.Ordinal))
            .Select(use => $"{use.Path}.{use.Key}");

        Assert.Multiple(() =>
        {
            Assert.That(ContractFiles.ReadSchema(fileName)["$schema"]?.GetValue<string>(), Is.EqualTo(Draft07));
            Assert.That(loaded.ActualProperties, Is.Not.Empty);
            Assert.That(unknownKeywords, Is.Empty, "Only draft-07 keywords and x- annotations.");
            Assert.That(asyncApi, Does.Contain($"$ref: ./schemas/{fileName}"),
                "The AsyncAPI parser validates every referenced schema against the draft-07 meta-schema.");
        });
    }

    [TestCaseSource(nameof(SchemaFiles))]
    public void Schema_uses_only_keywords_our_validator_enforces(string fileName)
    {
        var ignored = SchemaNodes(ContractFiles.ReadSchema(fileName))
            .SelectMany(node => node.Schema.Where(keyword => KeywordsOurValidatorIgnores.Contains(keyword.Key)).Select(keyword => $"{node.Path}.{keyword.Key}"));

        Assert.That(ignored, Is.Empty);
    }

    [TestCaseSource(nameof(SchemaFiles))]
    public void Schema_file_closes_its_top_level_and_declares_its_limits(string fileName)
    {
        var schema = ContractFiles.ReadSchema(fileName);
        var version = fileName.Split('.')[^2];

        Assert.Multiple(() =>
        {
            Assert.That(schema["$id"]?.GetValue<string>(), Does.Match(@"^mesh\.[a-z]+\.[a-z]+/v[0-9]+$").And.EndWith("/" + version));
            Assert.That(schema["title"]?.GetValue<string>(), Is.Not.Empty);
            Assert.That(schema["type"]?.GetValue<string>(), Is.EqualTo("object"));
            Assert.That(schema["additionalProperties"]?.GetValueKind(), Is.EqualTo(JsonValueKind.False));
            Assert.That(schema["x-mesh-max-bytes"]?.GetValue<int>(), Is.Positive);
            Assert.That(schema["required"]?.AsArray().Select(name => name!.GetValue<string>()),
                Is.SubsetOf(schema["properties"]!.AsObject().Select(property => property.Key)));
        });
    }

    [TestCaseSource(nameof(SchemaFiles))]
    public void Every_string_and_free_object_in_a_schema_is_bounded(string fileName)
    {
        var unbounded = new List<string>();
        foreach (var (path, schema) in SchemaNodes(ContractFiles.ReadSchema(fileName)))
        {
            var types = schema["type"] switch
            {
                JsonValue single => [single.GetValue<string>()],
                JsonArray several => several.Select(type => type!.GetValue<string>()).ToArray(),
                _ => Array.Empty<string>(),
            };
            if (types.Contains("string") && schema["maxLength"] is null && schema["enum"] is null)
            {
                unbounded.Add(path);
            }

            if (types.Contains("object") && schema["additionalProperties"]?.GetValueKind() != JsonValueKind.False && schema["maxProperties"] is null)
            {
                unbounded.Add(path);
            }
        }

        Assert.That(unbounded, Is.Empty, "Strings need maxLength or enum; objects open to any property need maxProperties.");
    }

    [TestCaseSource(nameof(SchemaFiles))]
    public void Record_properties_match_the_schema_properties_and_required_list(string fileName)
    {
        var schema = ContractFiles.ReadSchema(fileName);
        var info = MeshSchemas.All.Single(candidate => candidate.FileName == fileName);
        var properties = MeshJson.Options.GetTypeInfo(info.RecordType).Properties;

        Assert.Multiple(() =>
        {
            Assert.That(properties.Select(property => property.Name),
                Is.EquivalentTo(schema["properties"]!.AsObject().Select(property => property.Key)));
            Assert.That(properties.Where(property => property.AssociatedParameter is { HasDefaultValue: false }).Select(property => property.Name),
                Is.EquivalentTo(schema["required"]!.AsArray().Select(name => name!.GetValue<string>())));
        });
    }

    /// <summary>Every schema object in a schema document, with its path, following only the keywords that hold subschemas.</summary>
    private static IEnumerable<(string Path, JsonObject Schema)> SchemaNodes(JsonObject root)
    {
        var pending = new Stack<(string, JsonNode?)>([("$", root)]);
        while (pending.Count > 0)
        {
            var (path, node) = pending.Pop();
            if (node is not JsonObject schema)
            {
                continue;
            }

            yield return (path, schema);
            foreach (var (keyword, value) in schema)
            {
                switch (keyword, value)
                {
                    case ("properties" or "definitions" or "patternProperties", JsonObject map):
                        foreach (var (name, child) in map)
                        {
                            pending.Push(($"{path}.{keyword}.{name}", child));
                        }

                        break;
                    case ("allOf" or "anyOf" or "oneOf" or "items", JsonArray list):
                        for (var i = 0; i < list.Count; i++)
                        {
                            pending.Push(($"{path}.{keyword}[{i}]", list[i]));
                        }

                        break;
                    case ("items" or "additionalItems" or "additionalProperties" or "not" or "contains" or "propertyNames" or "if" or "then" or "else", JsonObject child):
                        pending.Push(($"{path}.{keyword}", child));
                        break;
                }
            }
        }
    }
}
