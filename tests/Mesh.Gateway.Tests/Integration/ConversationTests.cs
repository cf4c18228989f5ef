using System.Net.Http.Headers;
using System.Text.Json;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>Whole offline-model conversations through the real stack: gateway, Kafka, conversation worker, tool executor, policy.</summary>
public sealed class ConversationTests
{
    private static readonly TimeSpan Turn = TimeSpan.FromSeconds(60);

    [Test]
    public async Task A_tool_using_conversation_streams_deltas_in_order_with_gapless_seq_and_answers_14()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        await using var socket = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, ChatStack.Stack.AdminKey, after: 0);

        await socket.SendAsync(new { type = "chat.send", message = "what is 2+3*4?", client_msg_id = "calc-1" });
        var frames = await socket.ReceiveUntilAsync(f => f.Type() is "assistant.final" or "error" && f.IsEvent(), Turn);
        var events = frames.Where(f => f.IsEvent()).ToList();
        var types = events.Select(e => e.Type()).ToList();
        var deltas = string.Concat(events.Where(e => e.Type() == "assistant.delta").Select(e => e.Str("delta")));
        var final = events[^1];

        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Seq()), Is.EqualTo(Enumerable.Range(1, events.Count).Select(i => (long?)i)), "seq 1, 2, 3… without gaps");
            Assert.That(types[0], Is.EqualTo("message.accepted"));
            Assert.That(events[0].Str("client_msg_id"), Is.EqualTo("calc-1"));
            Assert.That(events[0].Str("text"), Is.EqualTo("what is 2+3*4?"));
            Assert.That(types, Does.Contain("assistant.started").And.Contain("tool.started").And.Contain("tool.completed").And.Contain("assistant.delta"));
            Assert.That(types.IndexOf("tool.started"), Is.LessThan(types.IndexOf("tool.completed")));
            Assert.That(types.LastIndexOf("assistant.delta"), Is.LessThan(types.IndexOf("assistant.final")));
            var completed = events.Single(e => e.Type() == "tool.completed").GetProperty("tool");
            Assert.That(completed.Str("name"), Is.EqualTo("math.evaluate"));
            Assert.That(completed.Str("status"), Is.EqualTo("succeeded"));
            Assert.That(final.Type(), Is.EqualTo("assistant.final"), final.GetRawText());
            Assert.That(final.Str("text"), Does.Contain("14"));
            Assert.That(deltas, Is.EqualTo(final.Str("text")), "the deltas, in order, make up the final answer");
            Assert.That(events.Select(e => e.Str("turn_id")).Distinct().Single(), Is.EqualTo(Sessions.TurnIds.For(session, "calc-1").ToString("D")));
        });
    }

    [Test]
    public async Task Reconnecting_with_after_loses_nothing_and_repeats_nothing()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        var received = new List<JsonElement>();
        await using (var first = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, ChatStack.Stack.AdminKey, after: 0))
        {
            await first.SendAsync(new { type = "chat.send", message = "what is 7*6?", client_msg_id = "drop-1" });
            received.AddRange((await first.ReceiveUntilAsync(f => f.Type() == "assistant.started", Turn)).Where(f => f.IsEvent()));
        }
        var last = received[^1].Seq()!.Value;

        await using var second = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, ChatStack.Stack.AdminKey, after: last);
        received.AddRange((await second.ReceiveUntilAsync(f => f.Type() is "assistant.final" or "error" && f.IsEvent(), Turn)).Where(f => f.IsEvent()));
        var history = await HistoryAsync(client, session, 0);

        Assert.Multiple(() =>
        {
            Assert.That(received.Select(e => e.Seq()), Is.EqualTo(Enumerable.Range(1, received.Count).Select(i => (long?)i)));
            Assert.That(received[^1].Type(), Is.EqualTo("assistant.final"));
            Assert.That(received[^1].Str("text"), Does.Contain("42"));
            Assert.That(received.Select(e => e.Str("event_id")), Is.EqualTo(history.Select(e => e.Str("event_id"))), "the same events as the stored history");
        });
    }

    [Test]
    public async Task A_second_socket_joining_with_after_0_replays_the_session_then_continues_live()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        await using var first = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, ChatStack.Stack.AdminKey, after: 0);
        await first.SendAsync(new { type = "chat.send", message = "what is 1+1?", client_msg_id = "join-1" });
        var turnOne = (await first.ReceiveUntilAsync(f => f.Type() == "assistant.final", Turn)).Where(f => f.IsEvent()).ToList();

        await using var late = await ChatSocket.ConnectAsync(ChatStack.TunedGateway.BaseAddress, session, ChatStack.Stack.AdminKey, after: 0);
        var replayed = (await late.ReceiveUntilAsync(f => f.Seq() == turnOne[^1].Seq(), Turn)).ToList();
        await first.SendAsync(new { type = "chat.send", message = "what is 2+2?", client_msg_id = "join-2" });
        var live = (await late.ReceiveUntilAsync(f => f.Type() == "assistant.final", Turn)).Where(f => f.IsEvent()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(replayed.Select(e => e.Str("event_id")), Is.EqualTo(turnOne.Select(e => e.Str("event_id"))));
            Assert.That(live[0].Seq(), Is.EqualTo(turnOne[^1].Seq() + 1));
            Assert.That(live.Select(e => e.Seq()), Is.Ordered.Ascending.And.Unique);
            Assert.That(live[^1].Str("text"), Does.Contain("4"));
        });
    }

    [Test]
    public async Task Sse_resumes_after_the_Last_Event_ID_in_seq_order()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = "what is 3*3?", client_msg_id = "sse-1" });
        var history = await WaitForFinalAsync(client, session);

        using var http = new HttpClient { BaseAddress = ChatStack.Gateway.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/sessions/{session}/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ChatStack.Stack.AdminKey);
        request.Headers.Add("Last-Event-ID", "2");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        var resumed = new List<SseEvent>();
        while (resumed.Count < history.Count - 2)
        {
            resumed.Add(await reader.ReadEventAsync(Turn));
        }

        Assert.Multiple(() =>
        {
            Assert.That(resumed.Select(e => e.Id), Is.EqualTo(history.Skip(2).Select(e => e.Seq()!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            Assert.That(resumed.Select(e => e.Json.Str("event_id")), Is.EqualTo(history.Skip(2).Select(e => e.Str("event_id"))));
            Assert.That(resumed[^1].Json.Type(), Is.EqualTo("assistant.final"));
        });
    }

    [Test]
    public async Task History_and_usage_are_served_through_the_gateway_after_its_tenant_check()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = "what is 5+5?" });
        var history = await WaitForFinalAsync(client, session);

        var (pageStatus, page) = await Api.SendJsonAsync(client, HttpMethod.Get, $"/v1/sessions/{session}/events?after=2&limit=2");
        var (usageStatus, usage) = await Api.SendJsonAsync(client, HttpMethod.Get, $"/v1/sessions/{session}/usage");
        var (badStatus, bad) = await Api.SendJsonAsync(client, HttpMethod.Get, $"/v1/sessions/{session}/events?after=-1");

        Assert.Multiple(() =>
        {
            Assert.That(history.Select(e => e.Seq()), Is.EqualTo(Enumerable.Range(1, history.Count).Select(i => (long?)i)));
            Assert.That(pageStatus, Is.EqualTo(200));
            Assert.That(page.GetProperty("events").EnumerateArray().Select(e => e.Seq()), Is.EqualTo(new long?[] { 3, 4 }));
            Assert.That(usageStatus, Is.EqualTo(200), usage.GetRawText());
            Assert.That(badStatus, Is.EqualTo(400));
            Assert.That(bad.Str("type"), Is.EqualTo("urn:mesh:problem:invalid-request"));
        });
    }

    [Test]
    public async Task A_message_sent_while_a_turn_runs_is_queued_and_answered_after_it()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        await using var socket = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, ChatStack.Stack.AdminKey, after: 0);

        await socket.SendAsync(new { type = "chat.send", message = "what is 2+3*4?", client_msg_id = "q-1" });
        await socket.SendAsync(new { type = "chat.send", message = "what is 6*7?", client_msg_id = "q-2" });
        var finals = 0;
        var events = (await socket.ReceiveUntilAsync(f => f.IsEvent() && f.Type() is "assistant.final" or "error" && ++finals == 2, TimeSpan.FromSeconds(90)))
            .Where(f => f.IsEvent()).ToList();
        var first = Sessions.TurnIds.For(session, "q-1").ToString("D");
        var second = Sessions.TurnIds.For(session, "q-2").ToString("D");
        var firstFinal = events.FindIndex(e => e.Type() == "assistant.final" && e.Str("turn_id") == first);
        var secondStarted = events.FindIndex(e => e.Type() == "assistant.started" && e.Str("turn_id") == second);

        Assert.Multiple(() =>
        {
            Assert.That(firstFinal, Is.GreaterThanOrEqualTo(0), "the first turn finished");
            Assert.That(secondStarted, Is.GreaterThan(firstFinal), "the second turn started after the first ended");
            Assert.That(events.Last(e => e.Type() == "assistant.final").Str("text"), Does.Contain("42"));
            Assert.That(events.Select(e => e.Seq()), Is.EqualTo(Enumerable.Range(1, events.Count).Select(i => (long?)i)));
        });
    }

    private static async Task<List<JsonElement>> HistoryAsync(HttpClient client, Guid session, long after)
    {
        var (status, page) = await Api.SendJsonAsync(client, HttpMethod.Get, $"/v1/sessions/{session}/events?after={after}&limit=1000");
        Assert.That(status, Is.EqualTo(200), page.ValueKind == JsonValueKind.Undefined ? "" : page.GetRawText());
        return [.. page.GetProperty("events").EnumerateArray()];
    }

    private static async Task<List<JsonElement>> WaitForFinalAsync(HttpClient client, Guid session)
    {
        var history = new List<JsonElement>();
        await Poll.UntilAsync(async () =>
        {
            history = await HistoryAsync(client, session, 0);
            return history.Count > 0 && history[^1].Type() is "assistant.final" or "error";
        }, Turn, $"the turn of {session} to finish", TimeSpan.FromMilliseconds(200));
        Assert.That(history[^1].Type(), Is.EqualTo("assistant.final"), history[^1].GetRawText());
        return history;
    }
}
