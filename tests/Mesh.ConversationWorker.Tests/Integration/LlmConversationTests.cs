using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Tools;
using Mesh.ConversationWorker.Tests.Llm;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.ConversationWorker.Tests.Integration;

/// <summary>
/// The LLM path on the real stack: the worker process reaches a fake OpenAI-compatible endpoint (real streaming
/// format) through the official client; the test answers the tool requests.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LlmConversationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private const string MathSchema = """{"type":"object","properties":{"expression":{"type":"string"}},"required":["expression"]}""";

    private FakeOpenAiServer llm = null!;
    private WorkerStack stack = null!;

    [OneTimeSetUp]
    public async Task StartStackAsync()
    {
        llm = await FakeOpenAiServer.StartAsync();
        llm.Catalog = $$$"""{"tools":[{"name":"math.evaluate","description":"Evaluates arithmetic.","input_schema":{{{MathSchema}}},"available":true},{"name":"echo","description":"Echoes.","input_schema":{"type":"object"}}]}""";
        stack = await WorkerStack.StartAsync(["policy"], new Dictionary<string, string>
        {
            ["LLM_BASE_URL"] = llm.BaseUrl.ToString(),
            ["LLM_MODEL"] = "fake-model",
            ["LLM_API_KEY"] = "sk-test",
            ["TOOL_EXECUTOR_URL"] = llm.CatalogUrl.ToString(),
            ["Window__MaxMessages"] = "2",
        });
    }

    [OneTimeTearDown]
    public async Task StopStackAsync()
    {
        await stack.DisposeAsync();
        await llm.DisposeAsync();
    }

    [SetUp]
    public void ForgetEarlierScripts() => llm.Reset();

    [Test]
    public async Task A_tool_call_round_runs_through_the_official_client()
    {
        llm.EnqueueToolCall("call_a", "math_evaluate", """{"expression":"6*7"}""", 100, 20);
        llm.EnqueueText(130, 8, "The answer ", "is 42.");
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "What is six times seven?");

        var request = await stack.Recorder.WaitForRequestAsync(session, 1, Wait);
        await stack.AnswerAsync(request, """{"result":42}""");
        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, message.TurnId), Wait, "the answer");
        using var client = stack.Client();
        var usage = await client.GetFromJsonAsync<JsonElement>($"/v1/sessions/{session:D}/usage?tenant_id=dev");

        var second = llm.Requests[1].GetProperty("messages");
        var offered = llm.Requests[0].GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString());
        Assert.Multiple(() =>
        {
            Assert.That(request.Tool, Is.EqualTo("math.evaluate"));
            Assert.That(request.Arguments.GetProperty("expression").GetString(), Is.EqualTo("6*7"));
            Assert.That(events.Where(e => e.Type == ConversationEventType.AssistantDelta).Select(e => e.Delta), Is.EqualTo(new[] { "The answer ", "is 42." }));
            Assert.That(events[^1].Text, Is.EqualTo("The answer is 42."));
            Assert.That(events[^1].Usage, Is.EqualTo(new TokenUsage(230, 28)));
            Assert.That(offered, Is.EqualTo(new[] { "math_evaluate", "echo" }), "the executor's catalog, in function names");
            Assert.That(llm.CatalogKeys, Is.All.EqualTo("Bearer " + stack.Stack.ServiceKey));
            Assert.That(second.EnumerateArray().Select(m => m.GetProperty("role").GetString()), Is.EqualTo(new[] { "system", "user", "assistant", "tool" }));
            Assert.That(second[2].GetProperty("tool_calls")[0].GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("math_evaluate"));
            Assert.That(second[3].GetProperty("tool_call_id").GetString(), Is.EqualTo("call_a"));
            Assert.That(second[3].GetProperty("content").ToString(), Does.Contain("42"));
            Assert.That(usage.GetProperty("models")[0].GetProperty("provider").GetString(), Is.EqualTo(llm.BaseUrl.Authority));
            Assert.That(usage.GetProperty("models")[0].GetProperty("model").GetString(), Is.EqualTo("fake-model"));
            Assert.That((usage.GetProperty("calls").GetInt64(), usage.GetProperty("prompt_tokens").GetInt64(), usage.GetProperty("completion_tokens").GetInt64()),
                Is.EqualTo((2L, 230L, 28L)));
        });
    }

    [Test]
    public async Task The_model_sees_the_latest_exchanges_within_the_window_bound()
    {
        var session = Guid.NewGuid();
        foreach (var (question, answer) in new[] { ("first question", "first answer"), ("second question", "second answer"), ("third question", "third answer") })
        {
            llm.EnqueueText(10, 2, answer);
            var sent = await stack.SendAsync(session, question);
            await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, sent.TurnId), Wait, $"the answer to '{question}'");
        }

        var messages = llm.Requests[^1].GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString(), m.GetProperty("content").ToString())).ToList();
        Assert.That(messages.Skip(1), Is.EqualTo(new[]
        {
            ("user", "second question"), ("assistant", "second answer"), ("user", "third question"),
        }), "Window:MaxMessages is 2: only the last exchange");
    }

    [Test]
    public async Task A_delegated_turn_offers_only_its_allowed_tools_and_never_sends_another()
    {
        llm.EnqueueToolCall("call_m", "math_evaluate", """{"expression":"1+1"}""", 40, 10);
        llm.EnqueueText(60, 6, "I may not calculate here.");
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "What is one plus one?", labels: new Dictionary<string, string> { [DelegationGrant.AllowedToolsLabel] = "echo" });

        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, message.TurnId), Wait, "the answer");

        var offered = llm.Requests[0].GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString());
        var completed = events.Single(e => e.Type == ConversationEventType.ToolCompleted);
        Assert.Multiple(() =>
        {
            Assert.That(offered, Is.EqualTo(new[] { "echo" }));
            Assert.That(completed.Tool!.Name, Is.EqualTo("math_evaluate"), "a function the model was not offered keeps its own name");
            Assert.That(completed.Tool.Status, Is.EqualTo(ToolResultStatus.Denied));
            Assert.That(stack.Recorder.Requests(session), Is.Empty, "nothing reached tool.requests");
            Assert.That(llm.Requests[1].GetProperty("messages").EnumerateArray().Last().GetProperty("content").ToString(), Does.Contain("tool_not_allowed"));
            Assert.That(events[^1].Text, Is.EqualTo("I may not calculate here."));
        });
    }

    [Test]
    public async Task A_delegated_turn_past_its_token_slice_makes_no_model_call()
    {
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "Write me a long essay.", labels: new Dictionary<string, string> { [DelegationGrant.TokenBudgetLabel] = "3" });

        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, message.TurnId), Wait, "the refusal");

        Assert.Multiple(() =>
        {
            Assert.That(events[^1].Type, Is.EqualTo(ConversationEventType.Error));
            Assert.That(events[^1].Error!.Code, Is.EqualTo("budget_exceeded"));
            Assert.That(llm.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task A_model_repeating_a_tool_call_is_stopped()
    {
        llm.EnqueueToolCall("call_1", "echo", """{"text":"again"}""", 10, 5);
        llm.EnqueueToolCall("call_2", "echo", """{"text":"again"}""", 12, 5);
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "loop please");

        await stack.AnswerAsync(await stack.Recorder.WaitForRequestAsync(session, 1, Wait), "\"again\"");
        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, message.TurnId), Wait, "the stop");

        Assert.Multiple(() =>
        {
            Assert.That(events[^1].Type, Is.EqualTo(ConversationEventType.Error));
            Assert.That(events[^1].Error!.Code, Is.EqualTo("repeated_tool_call"));
            Assert.That(stack.Recorder.Requests(session), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task A_cancel_stops_an_answer_while_it_streams()
    {
        llm.Enqueue(new FakeAnswer([.. Enumerable.Repeat(FakeOpenAiServer.Content("word "), 40), FakeOpenAiServer.Finish("stop")], TimeSpan.FromMilliseconds(100)));
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "tell me a long story");
        await stack.Recorder.WaitForEventsAsync(session, e => e.Any(x => x.Type == ConversationEventType.AssistantDelta), Wait, "the first delta");

        await stack.CancelAsync(session, message.TurnId);
        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, message.TurnId), Wait, "the cancellation");

        Assert.Multiple(() =>
        {
            Assert.That(events[^1].Type, Is.EqualTo(ConversationEventType.TurnCancelled));
            Assert.That(events.Count(e => e.Type == ConversationEventType.AssistantDelta), Is.LessThan(40));
            Assert.That(events.Any(e => e.Type == ConversationEventType.AssistantFinal), Is.False);
        });
    }

    [Test]
    public async Task A_model_endpoint_that_fails_ends_the_turn_with_llm_unavailable()
    {
        llm.Enqueue(new FakeAnswer([], ErrorStatus: 400));
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "hello");

        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, message.TurnId), Wait, "the failure");

        Assert.That(events.Select(e => (e.Type, e.Error?.Code)), Is.EqualTo(new (ConversationEventType, string?)[]
        {
            (ConversationEventType.MessageAccepted, null), (ConversationEventType.AssistantStarted, null), (ConversationEventType.Error, "llm_unavailable"),
        }));
    }

    [Test]
    public async Task A_confidential_session_stays_on_the_private_tier_and_never_reaches_the_cloud_model()
    {
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "hello", labels: new Dictionary<string, string> { ["sensitivity"] = "confidential" });

        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, message.TurnId), Wait, "the answer");
        using var client = stack.Client();
        var usage = await client.GetFromJsonAsync<JsonElement>($"/v1/sessions/{session:D}/usage?tenant_id=dev");

        Assert.Multiple(() =>
        {
            Assert.That(events[^1].Text, Does.StartWith("Hello!"), "the built-in offline model answered");
            Assert.That(llm.Requests, Is.Empty);
            Assert.That(usage.GetProperty("models")[0].GetProperty("provider").GetString(), Is.EqualTo("offline"));
        });
    }
}
