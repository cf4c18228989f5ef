using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Delegation;
using Mesh.Contracts.Policy;
using Mesh.Contracts.Schemas;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;
using NUnit.Framework;

namespace Mesh.Contracts.Tests;

public sealed class SerializationTests
{
    private static readonly Guid Session = new("0b5e7f3a-2c4d-4e8f-9a1b-3c5d7e9f1a2b");
    private static readonly Guid Turn = new("7d3f9b1e-5a2c-4f6e-8b0d-2e4f6a8c0b1d");

    private static IEnumerable<TestCaseData> EnumsAndTheirSchemaProperties()
    {
        yield return new TestCaseData(typeof(ConversationMessageKind), "conversation-message.v1.json", "kind");
        yield return new TestCaseData(typeof(ConversationEventType), "conversation-event.v1.json", "type");
        yield return new TestCaseData(typeof(ToolResultStatus), "tool-result.v1.json", "status");
        yield return new TestCaseData(typeof(CacheStrategy), "tool-request.v1.json", "cache_strategy");
        yield return new TestCaseData(typeof(DelegationStatus), "delegation-event.v1.json", "status");
        yield return new TestCaseData(typeof(PolicySource), "policy-decision.v1.json", "source");
    }

    [TestCaseSource(nameof(EnumsAndTheirSchemaProperties))]
    public void Enum_wire_names_are_exactly_the_schema_enum(Type enumType, string schemaFile, string property)
    {
        var typeInfo = MeshJson.Options.GetTypeInfo(enumType);
        var written = Enum.GetValues(enumType).Cast<object>()
            .Select(value => JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(value, typeInfo)))
            .ToList();
        var declared = ContractFiles.ReadSchema(schemaFile)["properties"]![property]!["enum"]!.AsArray()
            .Select(value => value!.GetValue<string>());

        Assert.That(written, Is.EquivalentTo(declared));
    }

    [Test]
    public void Instants_are_written_in_utc_with_the_fewest_fraction_digits()
    {
        var started = Event(new DateTimeOffset(2025, 6, 14, 11, 30, 12, 340, TimeSpan.FromHours(2)));
        var onTheSecond = Event(new DateTimeOffset(2025, 6, 14, 9, 30, 12, TimeSpan.Zero));

        Assert.Multiple(() =>
        {
            Assert.That(CreatedAt(started), Is.EqualTo("2025-06-14T09:30:12.34Z"));
            Assert.That(CreatedAt(onTheSecond), Is.EqualTo("2025-06-14T09:30:12Z"));
        });

        static string? CreatedAt(ConversationEvent value) =>
            JsonNode.Parse(MeshJson.Serialize(value))!["created_at"]!.GetValue<string>();
    }

    [Test]
    public void Absent_optional_fields_are_left_out_and_names_are_snake_case()
    {
        var json = JsonNode.Parse(MeshJson.Serialize(Event(DateTimeOffset.UnixEpoch)))!.AsObject();

        Assert.That(json.Select(property => property.Key),
            Is.EquivalentTo(new[] { "event_id", "session_id", "tenant_id", "turn_id", "seq", "type", "created_at" }));
    }

    [Test]
    public void Non_ascii_text_is_written_as_utf8_not_escaped()
    {
        var accepted = Event(DateTimeOffset.UnixEpoch) with { Type = ConversationEventType.MessageAccepted, Text = "Zürich <b> & 東京" };

        var json = Encoding.UTF8.GetString(MeshJson.SerializeToUtf8Bytes(accepted));

        Assert.That(json, Does.Contain("\"text\":\"Zürich <b> & 東京\""));
    }

    [Test]
    public void Serialized_record_validates_against_its_schema()
    {
        var request = new ToolRequest(
            RequestIds.ForToolCall(Session, Turn, 2), Session, Turn, 2, "acme", "alice", "web.search",
            JsonDocument.Parse("""{"query":"trains Zürich Bern"}""").RootElement.Clone(), DateTimeOffset.UtcNow,
            CacheStrategy: CacheStrategy.Never);

        var result = MeshSchemas.Validate(MeshSchemas.SchemaIdFor<ToolRequest>(), MeshJson.SerializeToUtf8Bytes(request));

        Assert.That(result.Errors, Is.Empty);
    }

    [Test]
    public void Missing_cache_strategy_reads_as_smart()
    {
        var json = ContractFiles.ReadExampleNode("tool-request.v1.json");
        json.Remove("cache_strategy");

        var request = MeshJson.Deserialize<ToolRequest>(json.ToJsonString());

        Assert.That(request.CacheStrategy, Is.EqualTo(CacheStrategy.Smart));
    }

    [Test]
    public void Reading_a_message_without_a_required_field_throws()
    {
        var json = ContractFiles.ReadExampleNode("tool-result.v1.json");
        json.Remove("executor_id");

        Assert.That(() => MeshJson.Deserialize<ToolResult>(json.ToJsonString()), Throws.InstanceOf<JsonException>());
    }

    [Test]
    public void Reading_null_as_a_message_throws()
    {
        Assert.That(() => MeshJson.Deserialize<PolicyDecision>("null"), Throws.InstanceOf<JsonException>());
    }

    [Test]
    public void Every_record_type_maps_to_its_schema_id()
    {
        Assert.Multiple(() =>
        {
            foreach (var schema in MeshSchemas.All)
            {
                Assert.That(MeshSchemas.SchemaIdFor(schema.RecordType), Is.EqualTo(schema.Id));
            }

            Assert.That(MeshSchemas.SchemaIdFor<ConversationMessage>(), Is.EqualTo("mesh.conversation.message/v1"));
            Assert.That(() => MeshSchemas.SchemaIdFor<TokenUsage>(), Throws.ArgumentException);
        });
    }

    private static ConversationEvent Event(DateTimeOffset createdAt) =>
        new(Guid.NewGuid(), Session, "acme", Turn, 1, ConversationEventType.AssistantStarted, createdAt);
}
