using System.Net;
using System.Text;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Serialization;
using Mesh.Gateway.Options;
using Mesh.Gateway.Realtime;
using Mesh.Gateway.Sessions;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Unit;

/// <summary>Replay-then-live over a history that answers like the worker's API (served from memory here).</summary>
public sealed class EventStreamTests
{
    private static readonly Guid SessionId = Guid.NewGuid();
    private static readonly Session Session = new(SessionId, "acme", "alice", null, new Dictionary<string, string>(), DateTimeOffset.UtcNow);

    [Test]
    public async Task Replay_then_live_sends_each_seq_once_in_order_even_when_live_events_overlap_the_replay()
    {
        var history = new History(Enumerable.Range(1, 5).Select(Event));
        var hub = new SessionHub();
        using var subscription = hub.Subscribe(SessionId, 64, closesWhenIdle: true, onOverflow: null);
        foreach (var seq in new[] { 4, 5, 6, 7 })
        {
            hub.Route(SessionId, Live(seq));
        }
        subscription.Dispose();

        var seqs = await ReadAsync(history, after: 2, subscription);

        Assert.That(seqs, Is.EqualTo(new long[] { 3, 4, 5, 6, 7 }));
    }

    [Test]
    public async Task A_gap_in_the_live_stream_is_filled_from_history_before_the_next_live_event()
    {
        var history = new History(Enumerable.Range(1, 9).Select(Event));
        var hub = new SessionHub();
        using var subscription = hub.Subscribe(SessionId, 64, closesWhenIdle: true, onOverflow: null);
        foreach (var seq in new[] { 1, 2, 6, 7 })
        {
            hub.Route(SessionId, Live(seq));
        }
        subscription.Dispose();

        var seqs = await ReadAsync(history, after: null, subscription);

        Assert.Multiple(() =>
        {
            Assert.That(seqs, Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6, 7 }));
            Assert.That(history.Requests, Has.Some.Contains("after=2"));
        });
    }

    [Test]
    public async Task Replay_pages_through_a_history_longer_than_one_page()
    {
        var history = new History(Enumerable.Range(1, 1200).Select(Event));
        var hub = new SessionHub();
        using var subscription = hub.Subscribe(SessionId, 64, closesWhenIdle: true, onOverflow: null);
        subscription.Dispose();

        var seqs = await ReadAsync(history, after: 0, subscription);

        Assert.Multiple(() =>
        {
            Assert.That(seqs, Is.EqualTo(Enumerable.Range(1, 1200).Select(i => (long)i)));
            Assert.That(history.Requests, Has.Count.GreaterThanOrEqualTo(3));
        });
    }

    [Test]
    public async Task Live_events_of_another_tenant_are_never_sent()
    {
        var hub = new SessionHub();
        using var subscription = hub.Subscribe(SessionId, 64, closesWhenIdle: true, onOverflow: null);
        var foreign = Event(1) with { TenantId = "globex" };
        hub.Route(SessionId, new OutboundEvent(foreign, MeshJson.SerializeToUtf8Bytes(foreign)));
        hub.Route(SessionId, Live(1));
        subscription.Dispose();

        var tenants = new List<string>();
        await foreach (var e in Stream(new History([])).ReadAsync(Session, null, subscription, CancellationToken.None))
        {
            tenants.Add(e.Event!.TenantId);
        }

        Assert.That(tenants, Is.EqualTo(new[] { "acme" }));
    }

    private static ConversationEvent Event(int seq) =>
        new(Guid.NewGuid(), SessionId, "acme", Guid.Empty, seq, ConversationEventType.AssistantDelta, DateTimeOffset.UtcNow, Delta: "d" + seq);

    private static OutboundEvent Live(int seq)
    {
        var e = Event(seq);
        return new OutboundEvent(e, MeshJson.SerializeToUtf8Bytes(e));
    }

    private static EventStream Stream(History history) => new(
        new ConversationWorkerClient(new HttpClient(history) { BaseAddress = new Uri("http://worker") }),
        Microsoft.Extensions.Options.Options.Create(new ChatOptions()),
        NullLogger<EventStream>.Instance);

    private static async Task<List<long>> ReadAsync(History history, long? after, Subscription subscription)
    {
        var seqs = new List<long>();
        await foreach (var e in Stream(history).ReadAsync(Session, after, subscription, CancellationToken.None))
        {
            seqs.Add(e.Event!.Seq);
        }
        return seqs;
    }

    /// <summary>Answers <c>GET /v1/sessions/{id}/events?after=&amp;limit=</c> as the worker does, from a list.</summary>
    private sealed class History(IEnumerable<ConversationEvent> events) : HttpMessageHandler
    {
        private readonly List<ConversationEvent> stored = [.. events];

        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query);
            Requests.Add(request.RequestUri.Query);
            var after = long.Parse(query["after"]!, System.Globalization.CultureInfo.InvariantCulture);
            var limit = int.Parse(query["limit"]!, System.Globalization.CultureInfo.InvariantCulture);
            var page = stored.Where(e => e.Seq > after).Take(limit).ToList();
            var body = "{\"events\":[" + string.Join(",", page.Select(MeshJson.Serialize)) + "],\"next_after\":" + (page.Count > 0 ? page[^1].Seq : after) + "}";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
