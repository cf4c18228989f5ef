using System.Net.Http.Headers;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Messaging;
using Mesh.Infra.Messaging;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>
/// Live delivery from <c>conversation.outbound</c>, driven by events this test publishes itself in the worker's
/// place, on a session the worker has never heard of (so it never writes to it).
/// </summary>
public sealed class FanOutTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Test]
    public async Task Every_gateway_instance_delivers_a_sessions_events_to_its_own_sockets_in_seq_order()
    {
        var key = await ChatStack.IssueKeyAsync("dev", "fan-out");
        using var client = ChatStack.Client(key);
        var session = await Api.CreateSessionAsync(client);
        await using var first = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, key);
        await using var second = await ChatSocket.ConnectAsync(ChatStack.TunedGateway.BaseAddress, session, key);
        await using var unrelated = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, await Api.CreateSessionAsync(client), key);

        await PublishAsync(session, "dev", 1, 20);
        var onFirst = await first.ReceiveUntilAsync(f => f.Seq() == 20, Wait);
        var onSecond = await second.ReceiveUntilAsync(f => f.Seq() == 20, Wait);
        await unrelated.SendAsync(new { type = "ping" });
        var unrelatedFrame = (await unrelated.ReceiveAsync(Wait))!.Value;

        Assert.Multiple(() =>
        {
            Assert.That(onFirst.Select(f => f.Seq()), Is.EqualTo(Enumerable.Range(1, 20).Select(i => (long?)i)));
            Assert.That(onSecond.Select(f => f.Seq()), Is.EqualTo(Enumerable.Range(1, 20).Select(i => (long?)i)));
            Assert.That(string.Concat(onFirst.Select(f => f.Str("delta"))), Is.EqualTo(string.Concat(Enumerable.Range(1, 20).Select(i => $"d{i} "))));
            Assert.That(unrelatedFrame.Type(), Is.EqualTo("pong"), "the other session's socket got none of these events");
        });
    }

    [Test]
    public async Task Events_of_another_tenant_published_under_this_session_id_are_not_delivered()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        await using var socket = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, ChatStack.Stack.AdminKey);

        await PublishAsync(session, "globex", 1, 1);
        await PublishAsync(session, "dev", 1, 1);
        var frame = (await socket.ReceiveAsync(Wait))!.Value;

        Assert.That(frame.Str("tenant_id"), Is.EqualTo("dev"));
    }

    [Test]
    public async Task Sse_carries_the_same_events_with_the_seq_as_event_id()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        using var http = new HttpClient { BaseAddress = ChatStack.Gateway.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/sessions/{session}/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ChatStack.Stack.AdminKey);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var reader = new SseReader(body);
        await reader.ReadAsync(Wait);

        await PublishAsync(session, "dev", 1, 3);
        var events = new List<SseEvent>();
        for (var i = 0; i < 3; i++)
        {
            events.Add(await reader.ReadEventAsync(Wait));
        }

        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
            Assert.That(events.Select(e => e.Id), Is.EqualTo(new[] { "1", "2", "3" }));
            Assert.That(events.Select(e => e.Json.Seq()), Is.EqualTo(new long?[] { 1, 2, 3 }));
            Assert.That(events[0].Json.Type(), Is.EqualTo("assistant.delta"));
        });
    }

    /// <summary>Publishes assistant.delta events <paramref name="from"/>..<paramref name="to"/> for a session, as the worker would.</summary>
    internal static async Task PublishAsync(Guid session, string tenant, long from, long to)
    {
        using var publisher = new MeshPublisher(new MeshPublisherOptions { BootstrapServers = ChatStack.Stack.Kafka.BootstrapServers, ClientId = "gateway-tests" });
        var turn = Guid.NewGuid();
        for (var seq = from; seq <= to; seq++)
        {
            var delta = new ConversationEvent(Guid.NewGuid(), session, tenant, turn, seq, ConversationEventType.AssistantDelta, DateTimeOffset.UtcNow, Delta: $"d{seq} ");
            await publisher.PublishAsync(MeshTopics.ConversationOutbound, session.ToString("D"), delta, new PublishContext(tenant, turn.ToString("D")));
        }
    }
}
