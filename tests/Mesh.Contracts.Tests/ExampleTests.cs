using System.Text.Json.Nodes;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Schemas;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;
using NUnit.Framework;

namespace Mesh.Contracts.Tests;

public sealed class ExampleTests
{
    private static IEnumerable<string> Examples() => ContractFiles.ExampleFileNames();

    [TestCaseSource(nameof(Examples))]
    public void Example_is_valid_against_its_schema(string exampleFileName)
    {
        var schema = ContractFiles.SchemaOfExample(exampleFileName);

        var result = MeshSchemas.Validate(schema.Id, ContractFiles.ReadExample(exampleFileName));

        Assert.That(result.Errors, Is.Empty, result.ToString());
    }

    [TestCaseSource(nameof(Examples))]
    public void Example_round_trips_through_its_record_to_equal_json(string exampleFileName)
    {
        var schema = ContractFiles.SchemaOfExample(exampleFileName);
        var original = ContractFiles.ReadExample(exampleFileName);

        var record = MeshJson.Deserialize(original, schema.RecordType);
        var written = MeshJson.SerializeToUtf8Bytes(record, schema.RecordType);

        var expected = JsonNode.Parse(original);
        var actual = JsonNode.Parse(written);
        Assert.Multiple(() =>
        {
            Assert.That(record, Is.InstanceOf(schema.RecordType));
            Assert.That(JsonNode.DeepEquals(expected, actual), Is.True,
                $"Expected:\n{expected?.ToJsonString()}\nWritten:\n{actual?.ToJsonString()}");
            Assert.That(MeshSchemas.Validate(schema.Id, written).Errors, Is.Empty);
        });
    }

    [Test]
    public void Every_schema_has_at_least_one_example()
    {
        var covered = ContractFiles.ExampleFileNames().Select(name => ContractFiles.SchemaOfExample(name).Id).ToHashSet();

        Assert.That(MeshSchemas.All.Select(schema => schema.Id), Is.SubsetOf(covered));
    }

    [Test]
    public void Every_conversation_event_type_has_an_example()
    {
        var types = ContractFiles.ExampleFileNames()
            .Where(name => ContractFiles.SchemaOfExample(name).Id == MeshSchemas.ConversationEvent)
            .Select(name => MeshJson.Deserialize<ConversationEvent>(ContractFiles.ReadExample(name)).Type)
            .ToHashSet();

        Assert.That(types, Is.EquivalentTo(Enum.GetValues<ConversationEventType>()));
    }

    [Test]
    public void Example_tool_request_ids_are_derived_from_session_turn_and_call_index()
    {
        var calls = ContractFiles.ExampleFileNames()
            .Where(name => ContractFiles.SchemaOfExample(name).Id is MeshSchemas.ToolRequest or MeshSchemas.ToolResult)
            .Select(ContractFiles.ReadExampleNode)
            .ToList();

        Assert.That(calls, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var call in calls)
            {
                var expected = RequestIds.ForToolCall(
                    call["session_id"]!.GetValue<Guid>(), call["turn_id"]!.GetValue<Guid>(), call["call_index"]!.GetValue<int>());
                Assert.That(call["request_id"]!.GetValue<Guid>(), Is.EqualTo(expected), call.ToJsonString());
            }
        });
    }
}
