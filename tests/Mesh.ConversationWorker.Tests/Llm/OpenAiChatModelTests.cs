using System.ClientModel;
using System.Text.Json;
using Mesh.ConversationWorker.Domain;
using Mesh.ConversationWorker.Llm;
using Mesh.ConversationWorker.Options;
using NUnit.Framework;

namespace Mesh.ConversationWorker.Tests.Llm;

/// <summary>The LLM path through the official OpenAI client against a fake endpoint speaking the real streaming format.</summary>
[TestFixture]
public sealed class OpenAiChatModelTests
{
    private static readonly ToolDefinition MathTool = new(
        "math.evaluate", "Evaluates arithmetic.", JsonDocument.Parse("""{"type":"object","properties":{"expression":{"type":"string"}},"required":["expression"]}""").RootElement);

    private FakeOpenAiServer server = null!;
    private OpenAiChatModel model = null!;

    [SetUp]
    public async Task StartServerAsync()
    {
        server = await FakeOpenAiServer.StartAsync();
        model = new OpenAiChatModel(new ModelEndpoint(server.BaseUrl, "fake-model", "test-key"), new LlmOptions { MaxOutputTokens = 256 });
    }

    [TearDown]
    public async Task StopServerAsync() => await server.DisposeAsync();

    [Test]
    public async Task Streamed_content_arrives_piece_by_piece_with_the_reported_usage()
    {
        server.EnqueueText(12, 3, "Hel", "lo ", "world");
        var deltas = new List<string>();

        var result = await model.CompleteAsync([new LlmMessage(ChatRoles.System, "Be brief."), new LlmMessage(ChatRoles.User, "Say hello")], [], Collect(deltas), CancellationToken.None);

        var request = server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(deltas, Is.EqualTo(new[] { "Hel", "lo ", "world" }));
            Assert.That(result.Reply.Text, Is.EqualTo("Hello world"));
            Assert.That(result.Reply.ToolCalls, Is.Empty);
            Assert.That((result.InputTokens, result.OutputTokens), Is.EqualTo((12, 3)));
            Assert.That(request.GetProperty("model").GetString(), Is.EqualTo("fake-model"));
            Assert.That(request.GetProperty("stream").GetBoolean(), Is.True);
            Assert.That(request.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()), Is.EqualTo(new[] { "system", "user" }));
            Assert.That(model.Provider, Is.EqualTo(server.BaseUrl.Authority));
        });
    }

    [Test]
    public async Task Tool_call_fragments_are_assembled_under_the_mesh_tool_name()
    {
        server.EnqueueToolCall("call_1", "math_evaluate", """{"expression":"6*7"}""", 40, 9);

        var result = await model.CompleteAsync([new LlmMessage(ChatRoles.User, "what is 6*7")], [MathTool], Collect([]), CancellationToken.None);

        var tool = server.Requests.Single().GetProperty("tools")[0];
        Assert.Multiple(() =>
        {
            Assert.That(result.Reply.ToolCalls, Is.EqualTo(new[] { new LlmToolCall("call_1", "math.evaluate", """{"expression":"6*7"}""") }));
            Assert.That(tool.GetProperty("type").GetString(), Is.EqualTo("function"));
            Assert.That(tool.GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("math_evaluate"));
            Assert.That(tool.GetProperty("function").GetProperty("parameters").GetProperty("required")[0].GetString(), Is.EqualTo("expression"));
        });
    }

    [Test]
    public async Task The_tool_round_goes_back_as_an_assistant_call_and_a_tool_message()
    {
        server.EnqueueText(60, 5, "6*7 is 42.");
        IReadOnlyList<LlmMessage> messages =
        [
            new LlmMessage(ChatRoles.User, "what is 6*7"),
            new LlmMessage(ChatRoles.Assistant, "", [new LlmToolCall("call_1", "math.evaluate", """{"expression":"6*7"}""")]),
            new LlmMessage(ChatRoles.Tool, """{"status":"succeeded","output":{"result":42}}""", ToolCallId: "call_1"),
        ];

        var result = await model.CompleteAsync(messages, [MathTool], Collect([]), CancellationToken.None);

        var sent = server.Requests.Single().GetProperty("messages");
        var call = sent[1].GetProperty("tool_calls")[0];
        Assert.Multiple(() =>
        {
            Assert.That(result.Reply.Text, Is.EqualTo("6*7 is 42."));
            Assert.That(call.GetProperty("id").GetString(), Is.EqualTo("call_1"));
            Assert.That(call.GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("math_evaluate"));
            Assert.That(call.GetProperty("function").GetProperty("arguments").GetString(), Is.EqualTo("""{"expression":"6*7"}"""));
            Assert.That(sent[2].GetProperty("role").GetString(), Is.EqualTo("tool"));
            Assert.That(sent[2].GetProperty("tool_call_id").GetString(), Is.EqualTo("call_1"));
            Assert.That(sent[2].GetProperty("content").ToString(), Does.Contain("42"));
        });
    }

    [Test]
    public async Task Without_reported_usage_tokens_are_estimated()
    {
        server.Enqueue(new FakeAnswer([FakeOpenAiServer.Content("Twelve characters."), FakeOpenAiServer.Finish("stop")]));

        var result = await model.CompleteAsync([new LlmMessage(ChatRoles.User, "Count the characters, please")], [], Collect([]), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result.InputTokens, Is.EqualTo(TokenEstimate.Of([new LlmMessage(ChatRoles.User, "Count the characters, please")])));
            Assert.That(result.OutputTokens, Is.EqualTo(TokenEstimate.Of("Twelve characters.")));
        });
    }

    [Test]
    public void An_endpoint_that_refuses_the_request_fails_the_call()
    {
        server.Enqueue(new FakeAnswer([], ErrorStatus: 400));
        Assert.That(
            async () => await model.CompleteAsync([new LlmMessage(ChatRoles.User, "hi")], [], Collect([]), CancellationToken.None),
            Throws.InstanceOf<ClientResultException>());
    }

    private static Func<string, CancellationToken, Task> Collect(List<string> deltas) => (delta, _) =>
    {
        deltas.Add(delta);
        return Task.CompletedTask;
    };
}
