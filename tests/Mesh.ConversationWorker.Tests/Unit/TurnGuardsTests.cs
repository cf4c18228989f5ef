using Mesh.ConversationWorker.Domain;
using NUnit.Framework;

namespace Mesh.ConversationWorker.Tests.Unit;

[TestFixture]
public sealed class TurnGuardsTests
{
    [Test]
    public void Signatures_ignore_key_order_and_whitespace()
    {
        Assert.That(
            TurnGuards.Signature("kv.set", """{ "key": "a", "value": {"y": 2, "x": 1} }"""),
            Is.EqualTo(TurnGuards.Signature("kv.set", """{"value":{"x":1,"y":2},"key":"a"}""")));
    }

    [Test]
    public void Signatures_tell_tools_and_arguments_apart()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TurnGuards.Signature("echo", """{"a":1}"""), Is.Not.EqualTo(TurnGuards.Signature("echo", """{"a":2}""")));
            Assert.That(TurnGuards.Signature("echo", """{"a":1}"""), Is.Not.EqualTo(TurnGuards.Signature("kv.get", """{"a":1}""")));
        });
    }

    [Test]
    public void A_call_made_earlier_in_the_turn_is_repeated()
    {
        var earlier = new[] { TurnGuards.Signature("math.evaluate", """{"expression":"1+1"}""") };
        var repeated = TurnGuards.FindRepeated(earlier, [new LlmToolCall("c2", "math.evaluate", """{ "expression" : "1+1" }""")]);
        Assert.That(repeated?.Id, Is.EqualTo("c2"));
    }

    [Test]
    public void The_same_call_twice_in_one_batch_is_repeated()
    {
        var batch = new[] { new LlmToolCall("a", "echo", """{"text":"x"}"""), new LlmToolCall("b", "echo", """{"text":"x"}""") };
        Assert.That(TurnGuards.FindRepeated([], batch)?.Id, Is.EqualTo("b"));
    }

    [Test]
    public void Different_calls_are_not_repeated()
    {
        var earlier = new[] { TurnGuards.Signature("echo", """{"text":"x"}""") };
        Assert.That(TurnGuards.FindRepeated(earlier, [new LlmToolCall("a", "echo", """{"text":"y"}""")]), Is.Null);
    }

    [Test]
    public void Unparsable_arguments_still_compare_as_text()
    {
        Assert.That(TurnGuards.Signature("echo", "not json "), Is.EqualTo(TurnGuards.Signature("echo", "not json")));
    }

    [TestCase(5, 6, false)]
    [TestCase(6, 6, true)]
    [TestCase(7, 6, true)]
    public void Iterations_are_exhausted_at_the_limit(int calls, int max, bool exhausted)
    {
        Assert.That(TurnGuards.IterationsExhausted(calls, max), Is.EqualTo(exhausted));
    }
}
