using System.Text.Json.Nodes;
using System.Text;
using Mesh.Contracts.Schemas;
using NUnit.Framework;

namespace Mesh.Contracts.Tests;

public sealed class ValidationTests
{
    private static JsonObject Example(string fileName) => ContractFiles.ReadExampleNode(fileName);

    private static SchemaValidationResult Validate(string schemaId, JsonNode message) =>
        MeshSchemas.Validate(schemaId, message.ToJsonString());

    [Test]
    public void Malformed_json_is_reported_as_invalid_json()
    {
        var result = MeshSchemas.Validate(MeshSchemas.ConversationMessage, """{"kind": "message", """);

        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.False);
            Assert.That(result.Errors.Select(error => error.Kind), Is.EqualTo(new[] { SchemaErrorKind.InvalidJson }));
            Assert.That(result.Errors[0].Path, Is.EqualTo("$"));
        });
    }

    [Test]
    public void Json_that_repeats_a_property_is_reported_as_invalid_json()
    {
        var json = ContractFiles.ReadExampleNode("tool-request.v1.json").ToJsonString()
            .Replace("\"tool\":", "\"tool\":\"shell.exec\",\"tool\":", StringComparison.Ordinal);

        var result = MeshSchemas.Validate(MeshSchemas.ToolRequest, json);

        Assert.That(result.Errors.Select(error => error.Kind), Is.EqualTo(new[] { SchemaErrorKind.InvalidJson }));
    }

    [Test]
    public void Bytes_that_are_not_utf8_are_reported_as_invalid_json()
    {
        var bytes = ContractFiles.ReadExample("conversation-message.v1.json");
        var umlaut = bytes.AsSpan().IndexOf("ü"u8);
        Assert.That(umlaut, Is.Positive);
        bytes[umlaut] = 0xFF;

        var result = MeshSchemas.Validate(MeshSchemas.ConversationMessage, bytes);

        Assert.That(result.Errors.Select(error => error.Kind), Is.EqualTo(new[] { SchemaErrorKind.InvalidJson }));
    }

    [Test]
    public void Missing_required_field_is_reported_with_its_path()
    {
        var message = Example("conversation-message.v1.json");
        message.Remove("session_id");

        var result = Validate(MeshSchemas.ConversationMessage, message);

        Assert.That(result.Errors, Is.EqualTo(new[]
        {
            new SchemaValidationError(SchemaErrorKind.MissingProperty, "$.session_id", "Required property 'session_id' is missing."),
        }));
    }

    [Test]
    public void Extra_top_level_property_is_reported_as_unexpected()
    {
        var request = Example("tool-request.v1.json");
        request["run_as"] = "root";

        var result = Validate(MeshSchemas.ToolRequest, request);

        Assert.That(result.Errors.Select(error => (error.Kind, error.Path)),
            Is.EqualTo(new[] { (SchemaErrorKind.UnexpectedProperty, "$.run_as") }));
    }

    [Test]
    public void Content_over_64_KiB_characters_is_reported_as_too_long()
    {
        var message = Example("conversation-message.v1.json");
        message["content"] = new string('a', 65537);

        var result = Validate(MeshSchemas.ConversationMessage, message);

        Assert.That(result.Errors.Select(error => (error.Kind, error.Path)),
            Is.EqualTo(new[] { (SchemaErrorKind.StringTooLong, "$.content") }));
    }

    [Test]
    public void Content_at_the_character_limit_is_accepted()
    {
        var message = Example("conversation-message.v1.json");
        message["content"] = new string('a', 65536);

        Assert.That(Validate(MeshSchemas.ConversationMessage, message).Errors, Is.Empty);
    }

    [Test]
    public void Body_over_the_byte_limit_is_reported_as_too_large_without_parsing()
    {
        var message = Example("conversation-message.v1.json");
        message["content"] = new string('ü', 40000);
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString(new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        var limit = MeshSchemas.Find(MeshSchemas.ConversationMessage)!.MaxBytes;

        var fromBytes = MeshSchemas.Validate(MeshSchemas.ConversationMessage, bytes);
        var fromString = MeshSchemas.Validate(MeshSchemas.ConversationMessage, Encoding.UTF8.GetString(bytes));

        Assert.Multiple(() =>
        {
            Assert.That(bytes, Has.Length.GreaterThan(limit));
            Assert.That(fromBytes.Errors.Select(error => error.Kind), Is.EqualTo(new[] { SchemaErrorKind.TooLarge }));
            Assert.That(fromString.Errors, Is.EqualTo(fromBytes.Errors));
            Assert.That(fromBytes.Errors[0].Message, Does.Contain(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public void Status_outside_the_enum_is_reported_as_invalid_enum_value()
    {
        var result = Example("tool-result.v1.json");
        result["status"] = "exploded";

        var outcome = Validate(MeshSchemas.ToolResult, result);

        Assert.That(outcome.Errors, Has.Some.Matches<SchemaValidationError>(error =>
            error.Kind == SchemaErrorKind.InvalidEnumValue && error.Path == "$.status" && error.Message.Contains("invalid_arguments", StringComparison.Ordinal)));
    }

    [Test]
    public void Event_type_outside_the_enum_is_reported_as_invalid_enum_value()
    {
        var ev = Example("conversation-event.v1.assistant.delta.json");
        ev["type"] = "assistant.thinking";

        Assert.That(Validate(MeshSchemas.ConversationEvent, ev).Errors,
            Has.Some.Matches<SchemaValidationError>(error => error.Kind == SchemaErrorKind.InvalidEnumValue && error.Path == "$.type"));
    }

    [Test]
    public void Chat_message_without_content_reports_the_missing_content()
    {
        var message = Example("conversation-message.v1.json");
        message.Remove("content");

        Assert.That(Validate(MeshSchemas.ConversationMessage, message).Errors.Select(error => (error.Kind, error.Path)),
            Is.EqualTo(new[] { (SchemaErrorKind.MissingProperty, "$.content") }));
    }

    [Test]
    public void Cancel_request_needs_no_content()
    {
        var cancel = Example("conversation-message.v1.cancel.json");

        Assert.Multiple(() =>
        {
            Assert.That(cancel.ContainsKey("content"), Is.False);
            Assert.That(Validate(MeshSchemas.ConversationMessage, cancel).Errors, Is.Empty);
        });
    }

    [Test]
    public void Tool_completed_event_without_status_reports_the_missing_status()
    {
        var ev = Example("conversation-event.v1.tool.completed.json");
        ev["tool"]!.AsObject().Remove("status");

        Assert.That(Validate(MeshSchemas.ConversationEvent, ev).Errors.Select(error => (error.Kind, error.Path)),
            Is.EqualTo(new[] { (SchemaErrorKind.MissingProperty, "$.tool.status") }));
    }

    [Test]
    public void Unsuccessful_tool_result_without_error_reports_the_missing_error()
    {
        var result = Example("tool-result.v1.denied.json");
        result.Remove("error");

        Assert.That(Validate(MeshSchemas.ToolResult, result).Errors.Select(error => (error.Kind, error.Path)),
            Is.EqualTo(new[] { (SchemaErrorKind.MissingProperty, "$.error") }));
    }

    [Test]
    public void Date_without_time_is_reported_as_invalid_format()
    {
        var ev = Example("conversation-event.v1.assistant.started.json");
        ev["created_at"] = "2025-06-14";

        Assert.That(Validate(MeshSchemas.ConversationEvent, ev).Errors.Select(error => (error.Kind, error.Path)),
            Is.EqualTo(new[] { (SchemaErrorKind.InvalidFormat, "$.created_at") }));
    }

    [Test]
    public void Date_time_with_offset_is_accepted()
    {
        var ev = Example("conversation-event.v1.assistant.started.json");
        ev["created_at"] = "2025-06-14T11:30:12.402+02:00";

        Assert.That(Validate(MeshSchemas.ConversationEvent, ev).Errors, Is.Empty);
    }

    [Test]
    public void Uppercase_uuid_is_reported_as_pattern_mismatch()
    {
        var message = Example("conversation-message.v1.json");
        message["session_id"] = message["session_id"]!.GetValue<string>().ToUpperInvariant();

        Assert.That(Validate(MeshSchemas.ConversationMessage, message).Errors.Select(error => (error.Kind, error.Path)),
            Is.EqualTo(new[] { (SchemaErrorKind.PatternMismatch, "$.session_id") }));
    }

    [Test]
    public void Integer_field_written_as_a_decimal_is_reported_as_wrong_type()
    {
        var request = Example("tool-request.v1.json");
        request["call_index"] = 0.5;

        Assert.That(Validate(MeshSchemas.ToolRequest, request).Errors.Select(error => (error.Kind, error.Path)),
            Is.EqualTo(new[] { (SchemaErrorKind.WrongType, "$.call_index") }));
    }

    [Test]
    public void Negative_sequence_number_is_reported_as_out_of_range()
    {
        var ev = Example("conversation-event.v1.assistant.delta.json");
        ev["seq"] = 0;

        Assert.That(Validate(MeshSchemas.ConversationEvent, ev).Errors.Select(error => (error.Kind, error.Path)),
            Is.EqualTo(new[] { (SchemaErrorKind.OutOfRange, "$.seq") }));
    }

    [Test]
    public void Labels_are_bounded_in_count_and_key_shape()
    {
        var tooMany = Example("conversation-message.v1.json");
        var labels = tooMany["metadata"]!["labels"]!.AsObject();
        for (var i = 0; i < 20; i++)
        {
            labels[$"label{i}"] = "x";
        }

        var badKey = Example("conversation-message.v1.json");
        badKey["metadata"]!["labels"]!["Not A Key"] = "x";

        Assert.Multiple(() =>
        {
            Assert.That(Validate(MeshSchemas.ConversationMessage, tooMany).Errors.Select(error => (error.Kind, error.Path)),
                Is.EqualTo(new[] { (SchemaErrorKind.TooManyProperties, "$.metadata.labels") }));
            Assert.That(Validate(MeshSchemas.ConversationMessage, badKey).Errors.Select(error => error.Kind),
                Is.EqualTo(new[] { SchemaErrorKind.UnexpectedProperty }));
        });
    }

    [Test]
    public void Unknown_schema_id_is_reported_not_thrown()
    {
        var result = MeshSchemas.Validate("mesh.tool.request/v9", "{}");

        Assert.Multiple(() =>
        {
            Assert.That(result.Errors.Select(error => error.Kind), Is.EqualTo(new[] { SchemaErrorKind.UnknownSchema }));
            Assert.That(MeshSchemas.Find("mesh.tool.request/v9"), Is.Null);
        });
    }

    [Test]
    public void Concurrent_validations_give_the_same_answers_as_sequential_ones()
    {
        var cases = ContractFiles.ExampleFileNames()
            .Select(name => (Id: ContractFiles.SchemaOfExample(name).Id, Body: ContractFiles.ReadExample(name)))
            .Append((Id: MeshSchemas.ToolResult, Body: Encoding.UTF8.GetBytes("""{"status":"exploded"}""")))
            .ToArray();
        var expected = cases.Select(c => MeshSchemas.Validate(c.Id, c.Body).ToString()).ToArray();
        var actual = new string[cases.Length * 50];

        Parallel.For(0, actual.Length, i => actual[i] = MeshSchemas.Validate(cases[i % cases.Length].Id, cases[i % cases.Length].Body).ToString());

        Assert.That(actual, Is.EqualTo(Enumerable.Range(0, actual.Length).Select(i => expected[i % cases.Length])));
    }

    [Test]
    public void Result_text_names_schema_kind_and_path()
    {
        var message = Example("conversation-message.v1.json");
        message.Remove("turn_id");

        var text = Validate(MeshSchemas.ConversationMessage, message).ToString();

        Assert.That(text, Is.EqualTo("mesh.conversation.message/v1: MissingProperty at $.turn_id: Required property 'turn_id' is missing."));
    }
}
