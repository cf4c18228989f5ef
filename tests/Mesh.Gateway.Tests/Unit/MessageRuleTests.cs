using System.Text.Json;
using Mesh.Gateway.Sessions;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Unit;

public sealed class MessageRuleTests
{
    [Test]
    public void A_message_of_exactly_the_limit_passes_and_one_byte_more_does_not()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ChatMessageRules.Check(new string('a', 100), null, 100), Is.EqualTo(ChatMessageProblem.None));
            Assert.That(ChatMessageRules.Check(new string('a', 101), null, 100), Is.EqualTo(ChatMessageProblem.TooLarge));
        });
    }

    [Test]
    public void The_limit_counts_utf8_bytes_as_sent_in_json_so_the_contract_byte_limit_always_holds()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ChatMessageRules.Check(new string('ü', 50), null, 100), Is.EqualTo(ChatMessageProblem.None), "50 × 2 bytes");
            Assert.That(ChatMessageRules.Check(new string('ü', 51), null, 100), Is.EqualTo(ChatMessageProblem.TooLarge), "51 × 2 bytes");
            Assert.That(ChatMessageRules.Check(new string('"', 51), null, 100), Is.EqualTo(ChatMessageProblem.TooLarge), "each quote is escaped");
        });
    }

    [TestCase("c-1", true)]
    [TestCase("web:7f/1c~2a", true)]
    [TestCase("", false)]
    [TestCase("a b", false)]
    [TestCase("née", false)]
    public void Client_msg_ids_are_printable_ascii_without_spaces(string id, bool valid)
    {
        Assert.That(ChatMessageRules.IsValidClientMsgId(id), Is.EqualTo(valid));
    }

    [Test]
    public void A_client_msg_id_longer_than_128_characters_is_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ChatMessageRules.Check("hi", new string('x', 128), 100), Is.EqualTo(ChatMessageProblem.None));
            Assert.That(ChatMessageRules.Check("hi", new string('x', 129), 100), Is.EqualTo(ChatMessageProblem.InvalidClientMsgId));
        });
    }

    [Test]
    public void Session_metadata_is_a_small_object_of_string_labels()
    {
        var (labels, problem) = SessionRules.ReadMetadata(JsonDocument.Parse("""{"client":"web-chat","locale":"de-CH"}""").RootElement);

        Assert.Multiple(() =>
        {
            Assert.That(problem, Is.Null);
            Assert.That(labels, Is.EquivalentTo(new Dictionary<string, string> { ["client"] = "web-chat", ["locale"] = "de-CH" }));
        });
    }

    [TestCase("[1]")]
    [TestCase("""{"Client":"x"}""")]
    [TestCase("""{"client":1}""")]
    [TestCase("""{"a":"b","c":{"d":"e"}}""")]
    public void Session_metadata_that_the_message_contract_cannot_carry_is_refused(string json)
    {
        var (labels, problem) = SessionRules.ReadMetadata(JsonDocument.Parse(json).RootElement);

        Assert.Multiple(() =>
        {
            Assert.That(labels, Is.Null);
            Assert.That(problem, Is.Not.Null.And.Not.Empty);
        });
    }

    [Test]
    public void Session_metadata_holds_at_most_sixteen_labels()
    {
        var seventeen = "{" + string.Join(",", Enumerable.Range(0, 17).Select(i => $"\"k{i}\":\"v\"")) + "}";

        Assert.That(SessionRules.ReadMetadata(JsonDocument.Parse(seventeen).RootElement).Problem, Does.Contain("16"));
    }

    [TestCase("research-assistant", true)]
    [TestCase("a.b_c", true)]
    [TestCase("-leading", false)]
    [TestCase("has space", false)]
    public void Persona_ids_follow_the_contract_pattern(string persona, bool valid)
    {
        Assert.That(SessionRules.CheckPersona(persona) is null, Is.EqualTo(valid));
    }
}
