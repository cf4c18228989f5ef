using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Tools;
using Mesh.ConversationWorker.Endpoints;
using Mesh.Infra.Auth;
using Mesh.Testing;
using Microsoft.Extensions.Caching.Memory;
using NUnit.Framework;
using StackExchange.Redis;

namespace Mesh.ConversationWorker.Tests.Integration;

/// <summary>
/// The offline model's whole loop on the real stack: PostgreSQL, Redis, embedded Kafka, the policy service, the
/// tool executor and the worker, each a process of its own.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class OfflineConversationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private WorkerStack stack = null!;

    [OneTimeSetUp]
    public async Task StartStackAsync() =>
        stack = await WorkerStack.StartAsync(["policy", "tool-executor"], new Dictionary<string, string> { ["Window__MaxMessages"] = "4" });

    [OneTimeTearDown]
    public async Task StopStackAsync() => await stack.DisposeAsync();

    [Test]
    public async Task A_turn_with_a_tool_call_streams_in_order_with_gapless_seq_and_the_right_answer()
    {
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "What is 6 * 7?", personaId: "helper");

        var events = await stack.Recorder.WaitForEventsAsync(session, HasFinal, Wait, "the final answer");
        var request = stack.Recorder.Requests(session).Single();
        var published = stack.Recorder.All(MeshTopics.ConversationOutbound).Where(m => m.Key == session.ToString("D")).ToList();

        var types = events.Select(e => e.Type).Where(t => t != ConversationEventType.AssistantDelta).ToList();
        var deltas = events.Where(e => e.Type == ConversationEventType.AssistantDelta).ToList();
        var final = events.Single(e => e.Type == ConversationEventType.AssistantFinal);
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Seq), Is.EqualTo(Enumerable.Range(1, events.Count).Select(i => (long)i)), "seq starts at 1 without gaps");
            Assert.That(types, Is.EqualTo(new[]
            {
                ConversationEventType.MessageAccepted, ConversationEventType.AssistantStarted, ConversationEventType.ToolStarted,
                ConversationEventType.ToolCompleted, ConversationEventType.AssistantFinal,
            }));
            Assert.That(events[0].ClientMsgId, Is.EqualTo(message.ClientMsgId));
            Assert.That(events[0].Text, Is.EqualTo("What is 6 * 7?"));
            Assert.That(deltas, Has.Count.GreaterThan(1), "the answer streams in several deltas");
            Assert.That(deltas.Min(d => d.Seq), Is.GreaterThan(events.Single(e => e.Type == ConversationEventType.ToolCompleted).Seq));
            Assert.That(string.Concat(deltas.Select(d => d.Delta)), Is.EqualTo(final.Text));
            Assert.That(final.Text, Is.EqualTo("6 * 7 = 42"));
            Assert.That(final.Usage!.InputTokens, Is.GreaterThan(0));
            Assert.That(events.All(e => e.TurnId == message.TurnId && e.TenantId == "dev"), Is.True);
            Assert.That(events.Single(e => e.Type == ConversationEventType.ToolCompleted).Tool!.Status, Is.EqualTo(ToolResultStatus.Succeeded));
            Assert.That(request.RequestId, Is.EqualTo(RequestIds.ForToolCall(session, message.TurnId, 0)));
            Assert.That((request.Tool, request.TenantId, request.ActorId, request.PersonaId), Is.EqualTo(("math.evaluate", "dev", "dev-user", "helper")));
            Assert.That(request.Arguments.GetProperty("expression").GetString(), Is.EqualTo("6 * 7"));
            Assert.That(request.Deadline, Is.Not.Null);
            Assert.That(published.Select(m => m.Headers[MeshHeaders.CorrelationId]).Distinct(), Is.EqualTo(new[] { message.TurnId.ToString("D") }));
        });
    }

    [Test]
    public async Task A_resent_message_with_the_same_turn_id_adds_nothing()
    {
        var session = Guid.NewGuid();
        var first = await stack.SendAsync(session, "hello");
        await stack.Recorder.WaitForEventsAsync(session, HasFinal, Wait, "the first answer");
        await stack.PublishAsync(first);
        var marker = await stack.SendAsync(session, "thanks");

        var events = await stack.Recorder.WaitForEventsAsync(session, e => e.Any(x => x.TurnId == marker.TurnId && x.Type == ConversationEventType.AssistantFinal), Wait, "the second answer");

        Assert.Multiple(() =>
        {
            Assert.That(events.Count(e => e.Type == ConversationEventType.MessageAccepted), Is.EqualTo(2));
            Assert.That(events.Count(e => e.TurnId == first.TurnId && e.Type == ConversationEventType.AssistantFinal), Is.EqualTo(1));
            Assert.That(events.Select(e => e.Seq), Is.EqualTo(Enumerable.Range(1, events.Count).Select(i => (long)i)));
        });
    }

    [Test]
    public async Task What_was_remembered_is_recalled_through_the_executors_memory()
    {
        var session = Guid.NewGuid();
        var persona = "p" + Guid.NewGuid().ToString("N")[..8];
        var save = await stack.SendAsync(session, "Remember that the blue key opens the shed.", personaId: persona);
        await stack.Recorder.WaitForEventsAsync(session, e => IsOver(e, save.TurnId), Wait, "the memory saved");
        var recall = await stack.SendAsync(session, "What do you remember about the blue key?", personaId: persona);

        var events = await stack.Recorder.WaitForEventsAsync(session, e => IsOver(e, recall.TurnId), Wait, "the recall");

        Assert.That(events.Last(e => e.TurnId == recall.TurnId).Text, Does.Contain("the blue key opens the shed"));
    }

    [Test]
    public async Task History_is_served_from_the_hot_list_and_from_the_log_alike()
    {
        var session = Guid.NewGuid();
        await stack.SendAsync(session, "hello there");
        var events = await stack.Recorder.WaitForEventsAsync(session, HasFinal, Wait, "the answer");
        using var client = stack.Client();

        var hot = await HistoryAsync(client, session, "dev", after: 0);
        var page = await HistoryAsync(client, session, "dev", after: 1, limit: 2);
        using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Stack.Redis.Configuration);
        await redis.GetDatabase().KeyDeleteAsync("cw:events:" + session.ToString("D"));
        var cold = await HistoryAsync(client, session, "dev", after: 0);

        Assert.Multiple(() =>
        {
            Assert.That(hot.Source, Is.EqualTo("hot"));
            Assert.That(hot.Events.Select(e => e.Seq), Is.EqualTo(events.Select(e => e.Seq)));
            Assert.That(hot.Events.Select(e => e.EventId), Is.EqualTo(events.Select(e => e.EventId)));
            Assert.That(hot.NextAfter, Is.EqualTo(events.Count));
            Assert.That(page.Events.Select(e => e.Seq), Is.EqualTo(new long[] { 2, 3 }));
            Assert.That(page.NextAfter, Is.EqualTo(3));
            Assert.That(cold.Source, Is.EqualTo("log"));
            Assert.That(cold.Events, Is.EqualTo(hot.Events));
        });
    }

    [Test]
    public async Task History_and_usage_are_tenant_isolated_and_need_an_admin_or_service_key()
    {
        var session = Guid.NewGuid();
        await stack.SendAsync(session, "hello");
        await stack.Recorder.WaitForEventsAsync(session, HasFinal, Wait, "the answer");
        var keys = new ApiKeyStore(stack.Database, new MemoryCache(new MemoryCacheOptions()), TimeProvider.System);
        await keys.EnsureTenantAsync("other", "other", CancellationToken.None);
        var otherAdmin = (await keys.IssueAsync("other", "mallory", isAdmin: true, isService: false, null, "test", CancellationToken.None)).Key;
        var devUser = (await keys.IssueAsync("dev", "bob", isAdmin: false, isService: false, null, "test", CancellationToken.None)).Key;
        using var service = stack.Client();
        using var devAdmin = stack.Client(stack.Stack.AdminKey);
        using var other = stack.Client(otherAdmin);
        using var plain = stack.Client(devUser);
        using var anonymous = new HttpClient { BaseAddress = stack.WorkerProcess.BaseAddress };
        var path = $"/v1/sessions/{session:D}/events";

        var wrongTenant = await StatusAsync(service, $"{path}?tenant_id=other");
        var ownAdmin = await StatusAsync(devAdmin, $"{path}?tenant_id=dev");
        var otherAdminEvents = await StatusAsync(other, $"{path}?tenant_id=dev");
        var otherAdminUsage = await StatusAsync(other, $"/v1/sessions/{session:D}/usage?tenant_id=other");
        var notAdmin = await StatusAsync(plain, $"{path}?tenant_id=dev");
        var noKey = await StatusAsync(anonymous, $"{path}?tenant_id=dev");
        var noTenant = await StatusAsync(service, path);
        var badLimit = await StatusAsync(service, $"{path}?tenant_id=dev&limit=0");
        var unseen = await HistoryAsync(service, Guid.NewGuid(), "dev", 0);

        Assert.Multiple(() =>
        {
            Assert.That(wrongTenant, Is.EqualTo(HttpStatusCode.NotFound), "the session is dev's");
            Assert.That(ownAdmin, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(otherAdminEvents, Is.EqualTo(HttpStatusCode.NotFound), "another tenant's admin");
            Assert.That(otherAdminUsage, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(notAdmin, Is.EqualTo(HttpStatusCode.Forbidden), "not an admin key");
            Assert.That(noKey, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(noTenant, Is.EqualTo(HttpStatusCode.BadRequest), "tenant_id is required");
            Assert.That(badLimit, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(unseen.Events, Is.Empty, "a session not seen yet has no events");
        });
    }

    [Test]
    public async Task Usage_sums_every_model_call_of_the_session()
    {
        var session = Guid.NewGuid();
        var first = await stack.SendAsync(session, "what is 2 + 2");
        await stack.Recorder.WaitForEventsAsync(session, e => IsOver(e, first.TurnId), Wait, "the first answer");
        var second = await stack.SendAsync(session, "hello");
        var events = await stack.Recorder.WaitForEventsAsync(session, e => IsOver(e, second.TurnId), Wait, "the second answer");
        using var client = stack.Client();

        var usage = await client.GetFromJsonAsync<JsonElement>($"/v1/sessions/{session:D}/usage?tenant_id=dev");

        var finals = events.Where(e => e.Type == ConversationEventType.AssistantFinal).ToList();
        var model = usage.GetProperty("models")[0];
        Assert.Multiple(() =>
        {
            Assert.That(usage.GetProperty("calls").GetInt64(), Is.EqualTo(3), "two model calls around the tool, one for the greeting");
            Assert.That(usage.GetProperty("prompt_tokens").GetInt64(), Is.EqualTo(finals.Sum(f => f.Usage!.InputTokens)));
            Assert.That(usage.GetProperty("completion_tokens").GetInt64(), Is.EqualTo(finals.Sum(f => f.Usage!.OutputTokens)));
            Assert.That(usage.GetProperty("total_tokens").GetInt64(), Is.EqualTo(finals.Sum(f => f.Usage!.InputTokens + f.Usage.OutputTokens)));
            Assert.That(model.GetProperty("provider").GetString(), Is.EqualTo("offline"));
            Assert.That(model.GetProperty("model").GetString(), Is.EqualTo("mesh-offline-1"));
        });
    }

    [Test]
    public async Task The_working_window_in_redis_stays_within_its_bound()
    {
        var session = Guid.NewGuid();
        foreach (var text in new[] { "hello", "thanks", "hi", "thank you" })
        {
            var sent = await stack.SendAsync(session, text);
            await stack.Recorder.WaitForEventsAsync(session, e => IsOver(e, sent.TurnId), Wait, $"the answer to '{text}'");
        }

        using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Stack.Redis.Configuration);
        var cached = (string?)await redis.GetDatabase().StringGetAsync("cw:window:" + session.ToString("D"));

        using var window = JsonDocument.Parse(cached!);
        Assert.That(window.RootElement.EnumerateArray().Select(m => m.GetProperty("content").GetString()),
            Is.EqualTo(new[] { "hi", "Hello! " + Domain.OfflineModel.Capabilities, "thank you", "You're welcome!" }), "Window:MaxMessages is 4: the last two exchanges");
    }

    [Test]
    public async Task Over_budget_the_turn_ends_with_budget_exceeded()
    {
        var tenant = "tiny-" + Guid.NewGuid().ToString("N")[..6];
        using var policy = stack.Stack.Client("policy", stack.Stack.ServiceKey);
        using var limits = await policy.PutAsJsonAsync($"/v1/budgets/{tenant}/limits", new { daily_tokens = 10 });
        Assert.That(limits.StatusCode, Is.EqualTo(HttpStatusCode.OK), await limits.Content.ReadAsStringAsync());
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "what is 1 + 1", tenantId: tenant, actorId: "ann");

        var events = await stack.Recorder.WaitForEventsAsync(session, e => IsOver(e, message.TurnId), Wait, "the refusal");
        using var client = stack.Client();
        var usage = await client.GetFromJsonAsync<JsonElement>($"/v1/sessions/{session:D}/usage?tenant_id={tenant}");

        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Type), Is.EqualTo(new[]
            {
                ConversationEventType.MessageAccepted, ConversationEventType.AssistantStarted, ConversationEventType.Error,
            }));
            Assert.That(events[^1].Error!.Code, Is.EqualTo("budget_exceeded"));
            Assert.That(stack.Recorder.Requests(session), Is.Empty);
            Assert.That(usage.GetProperty("calls").GetInt64(), Is.Zero, "the model was not called");
        });
    }

    [Test]
    public async Task Metrics_report_turns_first_deltas_tokens_and_tool_calls()
    {
        var session = Guid.NewGuid();
        await stack.SendAsync(session, "what is 3 + 4");
        await stack.Recorder.WaitForEventsAsync(session, HasFinal, Wait, "the answer");

        var text = await stack.WorkerProcess.Http.GetStringAsync("/metrics");

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("mesh_conversation_turns_total{outcome=\"completed\"}"));
            Assert.That(text, Does.Contain("mesh_conversation_turn_duration_seconds_bucket"));
            Assert.That(text, Does.Contain("mesh_conversation_time_to_first_delta_seconds_count"));
            Assert.That(text, Does.Contain("mesh_llm_tokens_total{direction=\"input\",model=\"mesh-offline-1\"}"));
            Assert.That(text, Does.Contain("mesh_llm_tokens_total{direction=\"output\",model=\"mesh-offline-1\"}"));
            Assert.That(text, Does.Contain("mesh_conversation_turn_tool_calls_bucket"));
        });
    }

    internal static bool HasFinal(IReadOnlyList<ConversationEvent> events) => events.Any(e => e.Type == ConversationEventType.AssistantFinal);

    internal static bool IsOver(IReadOnlyList<ConversationEvent> events, Guid turnId) =>
        events.Any(e => e.TurnId == turnId && e.Type is ConversationEventType.AssistantFinal or ConversationEventType.Error or ConversationEventType.TurnCancelled);

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return response.StatusCode;
    }

    private static async Task<(IReadOnlyList<ConversationEvent> Events, long NextAfter, string? Source)> HistoryAsync(
        HttpClient client, Guid session, string tenant, long after, int? limit = null)
    {
        using var response = await client.GetAsync($"/v1/sessions/{session:D}/events?tenant_id={tenant}&after={after}" + (limit is null ? "" : $"&limit={limit}"));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var events = body.RootElement.GetProperty("events").EnumerateArray()
            .Select(e => Contracts.Serialization.MeshJson.Deserialize<ConversationEvent>(e.GetRawText())).ToList();
        var source = response.Headers.TryGetValues(SessionEndpoints.SourceHeader, out var values) ? values.Single() : null;
        return (events, body.RootElement.GetProperty("next_after").GetInt64(), source);
    }
}
