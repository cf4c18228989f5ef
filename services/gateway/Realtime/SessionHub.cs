using System.Collections.Concurrent;

namespace Mesh.Gateway.Realtime;

/// <summary>
/// This instance's local subscribers by session. The fan-out consumer routes each event to the session's
/// subscribers here; reads are lock-free (copy-on-write arrays), subscribing and leaving take a short lock.
/// </summary>
public sealed class SessionHub
{
    private readonly ConcurrentDictionary<Guid, Subscription[]> bySession = new();
    private readonly Lock gate = new();
    private int count;

    /// <summary>Open subscriptions on this instance.</summary>
    public int Count => Volatile.Read(ref count);

    public Subscription Subscribe(Guid sessionId, int capacity, bool closesWhenIdle, Action? onOverflow)
    {
        var subscription = new Subscription(this, sessionId, capacity, closesWhenIdle, onOverflow);
        lock (gate)
        {
            bySession[sessionId] = bySession.TryGetValue(sessionId, out var existing) ? [.. existing, subscription] : [subscription];
            count++;
        }
        return subscription;
    }

    public bool HasSubscribers(Guid sessionId) => bySession.ContainsKey(sessionId);

    /// <summary>Queues an event for every local subscriber of its session; never waits.</summary>
    public void Route(Guid sessionId, OutboundEvent outbound)
    {
        if (bySession.TryGetValue(sessionId, out var subscribers))
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Offer(outbound);
            }
        }
    }

    /// <summary>Ends every local subscription of a session.</summary>
    public void EndSession(Guid sessionId, SubscriptionEnd reason)
    {
        if (bySession.TryGetValue(sessionId, out var subscribers))
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Finish(reason);
            }
        }
    }

    public void EndAll(SubscriptionEnd reason)
    {
        foreach (var subscribers in bySession.Values)
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Finish(reason);
            }
        }
    }

    /// <summary>
    /// One pass over every subscription: WebSockets silent for longer than <paramref name="idleTimeout"/> are ended,
    /// SSE streams get a keep-alive. One timer for the whole instance does this, none per connection.
    /// </summary>
    public void Sweep(TimeSpan idleTimeout)
    {
        var now = Environment.TickCount64;
        foreach (var subscribers in bySession.Values)
        {
            foreach (var subscriber in subscribers)
            {
                if (!subscriber.ClosesWhenIdle)
                {
                    subscriber.Offer(OutboundEvent.KeepAlive);
                }
                else if (now - subscriber.LastActivity > idleTimeout.TotalMilliseconds)
                {
                    subscriber.Finish(SubscriptionEnd.Idle);
                }
            }
        }
    }

    internal void Remove(Subscription subscription)
    {
        lock (gate)
        {
            if (!bySession.TryGetValue(subscription.SessionId, out var existing) || Array.IndexOf(existing, subscription) < 0)
            {
                return;
            }
            if (existing.Length == 1)
            {
                bySession.TryRemove(subscription.SessionId, out _);
            }
            else
            {
                bySession[subscription.SessionId] = [.. existing.Where(s => s != subscription)];
            }
            count--;
        }
    }
}
