using Mesh.Contracts.Conversations;
using Mesh.Gateway.Realtime;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Unit;

public sealed class SessionHubTests
{
    private static OutboundEvent Event(Guid session, long seq) => new(
        new ConversationEvent(Guid.NewGuid(), session, "acme", Guid.NewGuid(), seq, ConversationEventType.AssistantDelta, DateTimeOffset.UtcNow, Delta: "x"),
        new byte[] { 1 });

    [Test]
    public void An_event_reaches_every_subscriber_of_its_session_and_no_other()
    {
        var hub = new SessionHub();
        var session = Guid.NewGuid();
        using var first = hub.Subscribe(session, 16, closesWhenIdle: true, onOverflow: null);
        using var second = hub.Subscribe(session, 16, closesWhenIdle: false, onOverflow: null);
        using var other = hub.Subscribe(Guid.NewGuid(), 16, closesWhenIdle: true, onOverflow: null);

        hub.Route(session, Event(session, 1));

        Assert.Multiple(() =>
        {
            Assert.That(first.Events.TryRead(out var a) && a.Event!.Seq == 1, Is.True);
            Assert.That(second.Events.TryRead(out var b) && b.Event!.Seq == 1, Is.True);
            Assert.That(other.Events.TryRead(out _), Is.False);
        });
    }

    [Test]
    public void A_subscriber_that_falls_behind_the_queue_capacity_is_ended_and_its_connection_aborted()
    {
        var hub = new SessionHub();
        var session = Guid.NewGuid();
        using var aborted = new ManualResetEventSlim();
        using var slow = hub.Subscribe(session, 16, closesWhenIdle: true, onOverflow: aborted.Set);

        for (var seq = 1; seq <= 17; seq++)
        {
            hub.Route(session, Event(session, seq));
        }

        Assert.Multiple(() =>
        {
            Assert.That(slow.End, Is.EqualTo(SubscriptionEnd.Overflow));
            Assert.That(aborted.Wait(TimeSpan.FromSeconds(5)), Is.True, "the abort callback ran");
            Assert.That(slow.Events.Count, Is.EqualTo(16), "queued events stay readable, nothing more is buffered");
        });
    }

    [Test]
    public void Leaving_removes_the_subscriber_and_the_session_entry()
    {
        var hub = new SessionHub();
        var session = Guid.NewGuid();
        var subscription = hub.Subscribe(session, 16, closesWhenIdle: true, onOverflow: null);

        subscription.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(hub.Count, Is.Zero);
            Assert.That(hub.HasSubscribers(session), Is.False);
        });
    }

    [Test]
    public void Sweeping_ends_silent_websockets_and_keeps_sse_streams_alive()
    {
        var hub = new SessionHub();
        using var socket = hub.Subscribe(Guid.NewGuid(), 16, closesWhenIdle: true, onOverflow: null);
        using var stream = hub.Subscribe(Guid.NewGuid(), 16, closesWhenIdle: false, onOverflow: null);

        hub.Sweep(TimeSpan.FromMilliseconds(-1));

        Assert.Multiple(() =>
        {
            Assert.That(socket.End, Is.EqualTo(SubscriptionEnd.Idle));
            Assert.That(stream.End, Is.EqualTo(SubscriptionEnd.None));
            Assert.That(stream.Events.TryRead(out var keepAlive) && keepAlive == OutboundEvent.KeepAlive, Is.True);
        });
    }

    [Test]
    public void A_websocket_that_spoke_within_the_idle_timeout_is_kept()
    {
        var hub = new SessionHub();
        using var socket = hub.Subscribe(Guid.NewGuid(), 16, closesWhenIdle: true, onOverflow: null);
        socket.Touch();

        hub.Sweep(TimeSpan.FromMinutes(1));

        Assert.That(socket.End, Is.EqualTo(SubscriptionEnd.None));
    }

    [Test]
    public void Deleting_a_session_ends_its_subscriptions_only()
    {
        var hub = new SessionHub();
        var session = Guid.NewGuid();
        using var doomed = hub.Subscribe(session, 16, closesWhenIdle: true, onOverflow: null);
        using var kept = hub.Subscribe(Guid.NewGuid(), 16, closesWhenIdle: true, onOverflow: null);

        hub.EndSession(session, SubscriptionEnd.SessionDeleted);

        Assert.Multiple(() =>
        {
            Assert.That(doomed.End, Is.EqualTo(SubscriptionEnd.SessionDeleted));
            Assert.That(doomed.Events.Completion.IsCompleted, Is.True);
            Assert.That(kept.End, Is.EqualTo(SubscriptionEnd.None));
        });
    }

    [TestCase(null, 7L, LiveStep.Deliver)]
    [TestCase(4L, 5L, LiveStep.Deliver)]
    [TestCase(4L, 4L, LiveStep.Skip)]
    [TestCase(4L, 2L, LiveStep.Skip)]
    [TestCase(4L, 6L, LiveStep.FillGap)]
    public void A_live_event_is_delivered_skipped_or_preceded_by_history_by_its_seq(long? last, long seq, LiveStep expected)
    {
        Assert.That(EventStream.Next(last, seq), Is.EqualTo(expected));
    }
}
