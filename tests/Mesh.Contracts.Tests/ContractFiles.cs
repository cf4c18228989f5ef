using System.Text.Json.Nodes;
using Mesh.Contracts.Schemas;
using Mesh.Testing;

namespace Mesh.Contracts.Tests;

/// <summary>The contract files in the repository, as the tests read them.</summary>
internal static class ContractFiles
{
    public static string Contracts => RepoPaths.Combine("contracts");

    public static string SchemasDirectory => Path.Combine(Contracts, "schemas");

    public static string ExamplesDirectory => Path.Combine(Contracts, "examples");

    public static string AsyncApi => Path.Combine(Contracts, "asyncapi.yaml");

    public static string AsyncApiCheck => Path.Combine(Contracts, "asyncapi-check");

    public static IEnumerable<string> SchemaFileNames() =>
        Directory.GetFiles(SchemasDirectory, "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    public static IEnumerable<string> ExampleFileNames() =>
        Directory.GetFiles(ExamplesDirectory, "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    public static JsonObject ReadSchema(string fileName) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(SchemasDirectory, fileName)))!.AsObject();

    public static byte[] ReadExample(string fileName) => File.ReadAllBytes(Path.Combine(ExamplesDirectory, fileName));

    public static JsonObject ReadExampleNode(string fileName) => JsonNode.Parse(ReadExample(fileName))!.AsObject();

    /// <summary>
    /// The schema an example belongs to: <c>tool-result.v1.json</c> and <c>tool-result.v1.denied.json</c>
    /// both belong to <c>tool-result.v1.json</c>.
    /// </summary>
    public static SchemaInfo SchemaOfExample(string exampleFileName) =>
        MeshSchemas.All.SingleOrDefault(schema =>
            exampleFileName == schema.FileName ||
            exampleFileName.StartsWith(schema.FileName[..^".json".Length] + ".", StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"Example {exampleFileName} names no schema file.");
}
