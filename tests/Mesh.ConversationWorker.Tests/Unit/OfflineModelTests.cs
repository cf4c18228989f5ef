using System.Text.Json;
using Mesh.ConversationWorker.Domain;
using NUnit.Framework;

namespace Mesh.ConversationWorker.Tests.Unit;

[TestFixture]
public sealed class OfflineModelTests
{
    private static readonly IReadOnlyList<ToolDefinition> NoCatalog = [];

    [TestCase("What is 12 * (3 + 4)?", "12 * (3 + 4)")]
    [TestCase("calculate 2.5 + 4", "2.5 + 4")]
    [TestCase("17*23", "17*23")]
    [TestCase("what is 7 times 6", "7 * 6")]
    [TestCase("what is 10 minus 4 divided by 2", "10 - 4 / 2")]
    [TestCase("what is 10 - 3", "10 - 3")]
    public void Arithmetic_calls_math_evaluate_with_the_expression(string message, string expression)
    {
        var call = SingleCall(Reply(message));
        Assert.Multiple(() =>
        {
            Assert.That(call.Name, Is.EqualTo("math.evaluate"));
            Assert.That(Argument(call, "expression"), Is.EqualTo(expression));
        });
    }

    [TestCase("my birthday is 1990-01-01")]
    [TestCase("call me at 555-1234")]
    [TestCase("I have 3 cats")]
    public void Numbers_that_are_not_a_sum_call_no_tool(string message)
    {
        Assert.That(Reply(message).ToolCalls, Is.Empty);
    }

    [TestCase("What time is it?")]
    [TestCase("what's the date today")]
    [TestCase("What day is it")]
    public void A_time_question_asks_clock_now_without_a_zone(string message)
    {
        var call = SingleCall(Reply(message));
        Assert.Multiple(() =>
        {
            Assert.That(call.Name, Is.EqualTo("clock.now"));
            Assert.That(call.Arguments, Is.EqualTo("{}"));
        });
    }

    [Test]
    public void A_time_question_naming_a_zone_passes_it()
    {
        var call = SingleCall(Reply("What time is it in Europe/Paris?"));
        Assert.That(Argument(call, "time_zone"), Is.EqualTo("Europe/Paris"));
    }

    [Test]
    public void Remember_saves_the_rest_of_the_message()
    {
        var call = SingleCall(Reply("Please remember that my locker code is 4512."));
        Assert.Multiple(() =>
        {
            Assert.That(call.Name, Is.EqualTo("memory.save"));
            Assert.That(Argument(call, "content"), Is.EqualTo("my locker code is 4512"));
        });
    }

    [TestCase("What do you remember about my locker?", "my locker")]
    [TestCase("do you remember the wifi password", "the wifi password")]
    [TestCase("recall project deadlines", "project deadlines")]
    public void Recall_searches_memory_and_is_not_taken_for_remember(string message, string query)
    {
        var call = SingleCall(Reply(message));
        Assert.Multiple(() =>
        {
            Assert.That(call.Name, Is.EqualTo("memory.search"));
            Assert.That(Argument(call, "query"), Is.EqualTo(query));
        });
    }

    [Test]
    public void A_url_is_fetched_without_trailing_punctuation()
    {
        var call = SingleCall(Reply("Can you fetch https://example.org/page?id=7, please?"));
        Assert.Multiple(() =>
        {
            Assert.That(call.Name, Is.EqualTo("http.fetch"));
            Assert.That(Argument(call, "url"), Is.EqualTo("https://example.org/page?id=7"));
        });
    }

    [TestCase("Hello!")]
    [TestCase("tell me a story")]
    public void Other_messages_get_a_reply_without_tools(string message)
    {
        var reply = Reply(message);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ToolCalls, Is.Empty);
            Assert.That(reply.Text, Does.Contain("offline assistant"));
        });
    }

    [Test]
    public void A_greeting_is_greeted_back()
    {
        Assert.That(Reply("hello").Text, Does.StartWith("Hello!"));
    }

    [Test]
    public void The_argument_follows_the_tools_schema_when_it_names_another_field()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"expr":{"type":"string"}},"required":["expr"]}""").RootElement;
        var reply = OfflineModel.Reply([User("what is 2 + 2")], [new ToolDefinition("math.evaluate", "", schema)]);
        Assert.That(Argument(SingleCall(reply), "expr"), Is.EqualTo("2 + 2"));
    }

    [Test]
    public void A_tool_missing_from_the_catalog_is_not_called()
    {
        var reply = OfflineModel.Reply([User("what is 2 + 2")], [new ToolDefinition("echo", "", null)]);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ToolCalls, Is.Empty);
            Assert.That(reply.Text, Does.Contain("math.evaluate").And.Contain("not available"));
        });
    }

    [Test]
    public void After_a_math_result_it_states_the_expression_and_value()
    {
        var reply = AfterResult("what is 6 * 7", """{"status":"succeeded","output":{"result":42,"expression":"6 * 7"}}""");
        Assert.Multiple(() =>
        {
            Assert.That(reply.ToolCalls, Is.Empty, "one tool round, then an answer");
            Assert.That(reply.Text, Is.EqualTo("6 * 7 = 42"));
        });
    }

    [Test]
    public void After_a_clock_result_it_states_the_local_time_and_zone()
    {
        var reply = AfterResult("what time is it", """{"status":"succeeded","output":{"utc":"2025-06-14T09:30:12.000Z","local":"2025-06-14T11:30:12.000+02:00","time_zone":"Europe/Zurich"}}""");
        Assert.That(reply.Text, Is.EqualTo("It is 2025-06-14T11:30:12.000+02:00 (Europe/Zurich)."));
    }

    [Test]
    public void After_a_memory_search_it_lists_what_was_found_or_says_nothing_was()
    {
        var found = AfterResult("what do you remember about my locker", """{"status":"succeeded","output":{"results":[{"content":"my locker code is 4512"},{"content":"locker is on floor 2"}]}}""");
        var none = AfterResult("what do you remember about my locker", """{"status":"succeeded","output":{"results":[]}}""");
        Assert.Multiple(() =>
        {
            Assert.That(found.Text, Is.EqualTo("Here is what I remember about my locker: my locker code is 4512; locker is on floor 2."));
            Assert.That(none.Text, Is.EqualTo("I don't remember anything about my locker."));
        });
    }

    [Test]
    public void After_a_fetch_it_quotes_the_beginning_of_the_body()
    {
        var reply = AfterResult("fetch https://example.org", """{"status":"succeeded","output":{"status":200,"body":"  <html>Example Domain</html>"}}""");
        Assert.That(reply.Text, Is.EqualTo("I fetched https://example.org (HTTP 200). It begins: \"<html>Example Domain</html>\""));
    }

    [Test]
    public void After_a_timeout_it_says_the_tool_did_not_answer()
    {
        var reply = AfterResult("what is 1 + 1", """{"status":"timeout","error":{"code":"timeout","message":"No result."}}""");
        Assert.That(reply.Text, Is.EqualTo("The math.evaluate tool did not answer in time, so I can't tell you that right now."));
    }

    [Test]
    public void After_a_failure_it_gives_the_status_and_reason()
    {
        var reply = AfterResult("what is 1 / 0", """{"status":"failed","error":{"code":"tool_error","message":"division by zero"}}""");
        Assert.That(reply.Text, Is.EqualTo("The math.evaluate tool could not do that (failed: division by zero)."));
    }

    [Test]
    public void The_same_conversation_always_gets_the_same_reply()
    {
        var first = AfterResult("what is 6 * 7", """{"status":"succeeded","output":{"result":42}}""");
        var second = AfterResult("what is 6 * 7", """{"status":"succeeded","output":{"result":42}}""");
        Assert.That(second, Is.EqualTo(first).Using<ModelReply>((a, b) => a.Text == b.Text && a.ToolCalls.SequenceEqual(b.ToolCalls)));
    }

    private static ModelReply Reply(string message) =>
        OfflineModel.Reply([new LlmMessage(ChatRoles.System, "system prompt"), User(message)], NoCatalog);

    private static ModelReply AfterResult(string question, string result)
    {
        var call = SingleCall(Reply(question));
        return OfflineModel.Reply(
            [User(question), new LlmMessage(ChatRoles.Assistant, "", [call]), new LlmMessage(ChatRoles.Tool, result, ToolCallId: call.Id)],
            NoCatalog);
    }

    private static LlmMessage User(string text) => new(ChatRoles.User, text);

    private static LlmToolCall SingleCall(ModelReply reply)
    {
        Assert.That(reply.ToolCalls, Has.Count.EqualTo(1), $"expected one tool call, got text '{reply.Text}'");
        return reply.ToolCalls[0];
    }

    private static string? Argument(LlmToolCall call, string name)
    {
        using var document = JsonDocument.Parse(call.Arguments);
        return document.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
    }
}
