using Mesh.Contracts.Messaging;
using Mesh.Contracts.Schemas;
using Mesh.Testing;
using NUnit.Framework;
using YamlDotNet.RepresentationModel;

namespace Mesh.Contracts.Tests;

public sealed class AsyncApiTests
{
    private static readonly TimeSpan ParserTimeout = TimeSpan.FromMinutes(2);

    [Test]
    public async Task Official_parser_accepts_the_asyncapi_document()
    {
        var result = await RunValidatorAsync(ContractFiles.AsyncApi);

        Assert.That(result.ExitCode, Is.Zero, $"{result.StdOut}\n{result.StdErr}");
    }

    [Test]
    public async Task Official_parser_rejects_a_copy_with_a_broken_schema_reference()
    {
        var directory = Directory.CreateTempSubdirectory("mesh-asyncapi-");
        try
        {
            var copy = Path.Combine(directory.FullName, "asyncapi.yaml");
            var text = await File.ReadAllTextAsync(ContractFiles.AsyncApi);
            Assert.That(text, Does.Contain("./schemas/tool-request.v1.json"));
            await File.WriteAllTextAsync(copy, text.Replace("./schemas/tool-request.v1.json", "./schemas/tool-request.v0.json", StringComparison.Ordinal));
            Directory.CreateDirectory(Path.Combine(directory.FullName, "schemas"));
            foreach (var file in ContractFiles.SchemaFileNames())
            {
                File.Copy(Path.Combine(ContractFiles.SchemasDirectory, file), Path.Combine(directory.FullName, "schemas", file));
            }

            var result = await RunValidatorAsync(copy);

            Assert.Multiple(() =>
            {
                Assert.That(result.ExitCode, Is.Not.Zero, result.StdOut);
                Assert.That(result.StdOut, Does.Contain("tool-request.v0.json"));
            });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Official_parser_rejects_a_copy_whose_schema_is_not_valid_draft_07()
    {
        var directory = Directory.CreateTempSubdirectory("mesh-asyncapi-");
        try
        {
            File.Copy(ContractFiles.AsyncApi, Path.Combine(directory.FullName, "asyncapi.yaml"));
            Directory.CreateDirectory(Path.Combine(directory.FullName, "schemas"));
            foreach (var file in ContractFiles.SchemaFileNames())
            {
                File.Copy(Path.Combine(ContractFiles.SchemasDirectory, file), Path.Combine(directory.FullName, "schemas", file));
            }

            var broken = ContractFiles.ReadSchema("delegation-task.v1.json");
            broken["properties"]!["depth"]!["type"] = "whole-number";
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "schemas", "delegation-task.v1.json"), broken.ToJsonString());

            var result = await RunValidatorAsync(Path.Combine(directory.FullName, "asyncapi.yaml"));

            Assert.Multiple(() =>
            {
                Assert.That(result.ExitCode, Is.Not.Zero, result.StdOut);
                Assert.That(result.StdOut, Does.Contain("properties.depth.type"));
            });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void Channels_are_the_topics_and_their_dead_letter_topics()
    {
        var channels = Map(Document(), "channels");
        var addresses = channels.Children.Values.Select(channel => Scalar(channel, "address"));
        var topics = MeshTopics.All.Select(contract => contract.Topic);

        Assert.That(addresses, Is.EquivalentTo(topics.Concat(topics.Select(MeshTopics.Dlq))));
    }

    [Test]
    public void Each_channel_message_has_the_topics_schema_key_and_headers()
    {
        var document = Document();
        var messages = Map(Map(document, "components"), "messages");

        Assert.Multiple(() =>
        {
            foreach (var channel in Map(document, "channels").Children.Values)
            {
                var topic = Scalar(channel, "address");
                var contract = MeshTopics.FindContract(topic)!;
                var reference = Scalar(Map(channel, "messages").Children.Values.Single(), "$ref");
                var message = messages[reference.Split('/')[^1]];
                var expectedFile = "./schemas/" + MeshSchemas.Find(contract.SchemaId)!.FileName;
                var expectedHeaders = MeshTopics.IsDlq(topic) ? "#/components/schemas/deadLetterHeaders" : "#/components/schemas/meshHeaders";

                Assert.That(Scalar(Map(Map(message, "payload"), "schema"), "$ref"), Is.EqualTo(expectedFile), topic);
                Assert.That(Scalar(Map(message, "payload"), "schemaFormat"), Is.EqualTo("application/schema+json;version=draft-07"), topic);
                Assert.That(Scalar(message, "x-key-field"), Is.EqualTo(contract.KeyField), topic);
                Assert.That(Scalar(Map(message, "headers"), "$ref"), Is.EqualTo(expectedHeaders), topic);
            }
        });
    }

    [Test]
    public void Header_schemas_name_every_mesh_header_and_schema_id()
    {
        var schemas = Map(Map(Document(), "components"), "schemas");
        var standard = Map(schemas["meshHeaders"], "properties");
        var deadLetter = Map(((YamlSequenceNode)Map(schemas["deadLetterHeaders"]).Children["allOf"]).Children[1], "properties");
        var schemaIds = ((YamlSequenceNode)Map(standard["schema"]).Children["enum"]).Children.Select(id => ((YamlScalarNode)id).Value);

        Assert.Multiple(() =>
        {
            Assert.That(standard.Children.Keys.Select(key => ((YamlScalarNode)key).Value),
                Is.EquivalentTo(MeshHeaders.Standard.Append(MeshHeaders.ReplayedFrom)));
            Assert.That(deadLetter.Children.Keys.Select(key => ((YamlScalarNode)key).Value),
                Is.EquivalentTo(MeshHeaders.DeadLetter.Where(name => name != MeshHeaders.ReplayedFrom)));
            Assert.That(schemaIds, Is.EquivalentTo(MeshSchemas.All.Select(schema => schema.Id)));
        });
    }

    private static async Task<ProcessRunner.Result> RunValidatorAsync(string document)
    {
        var node = ProcessRunner.Which("node");
        Assert.That(node, Is.Not.Null, "node is not on PATH; the AsyncAPI check needs Node.js 20.");
        Assert.That(Directory.Exists(Path.Combine(ContractFiles.AsyncApiCheck, "node_modules", "@asyncapi", "parser")), Is.True,
            "The AsyncAPI parser is not installed: run `npm ci --prefix contracts/asyncapi-check` from the repository root.");
        return await ProcessRunner.RunAsync(node!, [Path.Combine(ContractFiles.AsyncApiCheck, "validate.mjs"), document], timeout: ParserTimeout);
    }

    private static YamlMappingNode Document()
    {
        using var reader = new StreamReader(ContractFiles.AsyncApi);
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlNode node, string key) => (YamlMappingNode)Map(node).Children[key];

    private static YamlMappingNode Map(YamlNode node) => (YamlMappingNode)node;

    private static string Scalar(YamlNode node, string key) => ((YamlScalarNode)Map(node).Children[key]).Value ?? "";
}
